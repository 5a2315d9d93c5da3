#include "common/RationaleHtml.h"

#include <QRegularExpression>
#include <vector>

namespace cotlab::ui {

QString highlightedRationale(const QString& text, const QString& answerSentence, const QStringList& terms)
{
    enum : quint8 { kAnswer = 1, kMatch = 2 };
    std::vector<quint8> marks(size_t(text.size()), 0);
    if (!answerSentence.trimmed().isEmpty()) {
        const qsizetype at = text.lastIndexOf(answerSentence.trimmed());
        for (qsizetype k = at; at >= 0 && k < at + answerSentence.trimmed().size(); ++k)
            marks[size_t(k)] |= kAnswer;
    }
    for (const QString& term : terms) {
        const bool prefix = term.endsWith('*');
        const QString word = prefix ? term.chopped(1) : term;
        if (word.isEmpty())
            continue;
        const QRegularExpression re("\\b" + QRegularExpression::escape(word) + (prefix ? "\\w*" : "\\b"),
                                    QRegularExpression::CaseInsensitiveOption |
                                        QRegularExpression::UseUnicodePropertiesOption);
        for (auto it = re.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            for (qsizetype k = m.capturedStart(); k < m.capturedEnd(); ++k)
                marks[size_t(k)] |= kMatch;
        }
    }
    QString html;
    qsizetype k = 0;
    while (k < text.size()) {
        const quint8 mark = marks[size_t(k)];
        qsizetype end = k;
        while (end < text.size() && marks[size_t(end)] == mark)
            ++end;
        QString run = text.mid(k, end - k).toHtmlEscaped();
        run.replace('\n', "<br>");
        if (mark & kMatch)
            run = "<span style='background:#ffe066'>" + run + "</span>";
        if (mark & kAnswer)
            run = "<span style='background:#dcebfa; font-weight:600'>" + run + "</span>";
        html += run;
        k = end;
    }
    return html;
}

} // namespace cotlab::ui
