#include "common/RationaleHtml.h"

#include "text/ReasoningParts.h"

#include <QRegularExpression>
#include <vector>

namespace cotlab::ui {

namespace {

QString fromView(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QRegularExpression termPattern(const QString& term)
{
    const bool prefix = term.endsWith('*');
    const QString word = prefix ? term.chopped(1) : term;
    return QRegularExpression("\\b" + QRegularExpression::escape(word) + (prefix ? "\\w*" : "\\b"),
                              QRegularExpression::CaseInsensitiveOption |
                                  QRegularExpression::UseUnicodePropertiesOption);
}

} // namespace

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
        if (term == "*" || term.isEmpty())
            continue;
        const QRegularExpression re = termPattern(term);
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

namespace cotlab::ui {

bool thinkingMatches(const std::string& text, const QStringList& terms)
{
    const text::ReasoningParts parts = text::splitReasoning(text);
    if (parts.thinking.empty())
        return false;
    const QString thinking = fromView(parts.thinking);
    for (const QString& term : terms)
        if (term != "*" && !term.isEmpty() && termPattern(term).match(thinking).hasMatch())
            return true;
    return false;
}

QString rationaleWithThinkingHtml(const std::string& text, const QString& answerSentence, const QStringList& terms,
                                  bool thinkingShown, const QString& toggleHref)
{
    const text::ReasoningParts parts = text::splitReasoning(text);
    if (parts.markers == text::ReasoningMarkers::None)
        return highlightedRationale(fromView(text), answerSentence, terms);
    const QString thinking = fromView(parts.thinking);
    const qsizetype words = thinking.split(QRegularExpression("\\s+"), Qt::SkipEmptyParts).size();
    QString html = QString("<a href='%1' style='color:#555555; text-decoration:none'>%2 Thinking</a> "
                           "<span style='color:gray'>· %3 words · %4 markers</span>")
                       .arg(toggleHref, thinkingShown ? QString("▾") : QString("▸"))
                       .arg(words)
                       .arg(fromView(text::toString(parts.markers)));
    if (thinkingShown && !thinking.isEmpty())
        html += "<table width='100%' cellspacing=0 style='margin:4px 0px'><tr><td style='background:#f3f3f3; "
                "color:#555555; padding:4px'>" +
                highlightedRationale(thinking, QString(), terms) + "</td></tr></table>";
    else
        html += "<br>";
    const QString answer = fromView(parts.answer);
    html += answer.isEmpty() ? QString("<i style='color:gray'>(no answer part: the trace stops while thinking)</i>")
                             : highlightedRationale(answer, answerSentence, terms);
    return html;
}

} // namespace cotlab::ui
