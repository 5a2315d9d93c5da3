#include "browse/InstanceView.h"

#include "common/RationaleHtml.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

QString tagsText(const std::vector<std::string>& tags)
{
    QStringList out;
    for (const auto& t : tags)
        out << fromStd(t);
    return out.join(", ");
}

store::Annotation annotationOf(const QLineEdit* note, const QLineEdit* tags)
{
    return {note->text().toStdString(), store::parseTags(tags->text().toStdString())};
}

} // namespace

InstanceView::InstanceView(QWidget* parent)
    : QWidget(parent), m_header(new QTextBrowser), m_rationales(new QTextBrowser), m_layout(new QComboBox),
      m_instanceNote(new QLineEdit), m_instanceTags(new QLineEdit), m_rationaleLabel(new QLabel),
      m_rationaleNote(new QLineEdit), m_rationaleTags(new QLineEdit)
{
    m_header->setObjectName("instanceHeader");
    m_rationales->setObjectName("rationales");
    m_layout->setObjectName("layout");
    m_instanceNote->setObjectName("instanceNote");
    m_instanceTags->setObjectName("instanceTags");
    m_rationaleNote->setObjectName("rationaleNote");
    m_rationaleTags->setObjectName("rationaleTags");
    m_rationales->setOpenLinks(false);
    m_layout->addItems({tr("Stacked"), tr("Side by side")});
    m_instanceNote->setPlaceholderText(tr("A note on this question (saved when you press Enter or leave the field)"));
    m_instanceTags->setPlaceholderText(tr("tags, comma separated"));
    m_rationaleNote->setPlaceholderText(tr("A note on the selected rationale"));
    m_rationaleTags->setPlaceholderText(tr("tags, comma separated"));

    auto* controls = new QHBoxLayout;
    auto* layoutLabel = new QLabel(tr("&Layout:"));
    layoutLabel->setBuddy(m_layout);
    controls->addWidget(layoutLabel);
    controls->addWidget(m_layout);
    controls->addStretch(1);

    auto* notes = new QFormLayout;
    notes->addRow(tr("Question &note:"), m_instanceNote);
    notes->addRow(tr("Question &tags:"), m_instanceTags);
    notes->addRow(m_rationaleLabel);
    notes->addRow(tr("Rationale n&ote:"), m_rationaleNote);
    notes->addRow(tr("Rationale t&ags:"), m_rationaleTags);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_header);
    auto* lower = new QWidget;
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addLayout(controls);
    lowerLayout->addWidget(m_rationales, 1);
    split->addWidget(lower);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({190, 500});

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split, 1);
    layout->addLayout(notes);

    connect(m_layout, &QComboBox::currentIndexChanged, this, [this] { render(); });
    connect(m_rationales, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.scheme() == "rationale")
            selectRationale(url.path().toLongLong());
        if (url.scheme() == "thinking") {
            const qint64 id = url.path().toLongLong();
            if (!m_thinkingToggled.remove(id))
                m_thinkingToggled.insert(id);
            const int scroll = m_rationales->verticalScrollBar()->value();
            render();
            m_rationales->verticalScrollBar()->setValue(scroll);
        }
    });
    connect(m_instanceNote, &QLineEdit::editingFinished, this, &InstanceView::commitInstance);
    connect(m_instanceTags, &QLineEdit::editingFinished, this, &InstanceView::commitInstance);
    connect(m_rationaleNote, &QLineEdit::editingFinished, this, &InstanceView::commitRationale);
    connect(m_rationaleTags, &QLineEdit::editingFinished, this, &InstanceView::commitRationale);
    clear(tr("Select a rationale to see its question and all of its samples."));
}

QStringList InstanceView::searchTerms(const QString& ftsQuery)
{
    QStringList terms;
    static const QRegularExpression token(R"([\p{L}\p{N}_]+\*?)", QRegularExpression::UseUnicodePropertiesOption);
    // Column filters ("thinking: wait", "answer : (b)", "{thinking answer}:") name columns, not words.
    static const QRegularExpression column(R"((\{[^}]*\}|\b(thinking|answer))\s*:)");
    QString query = ftsQuery;
    query.remove(column);
    for (auto it = token.globalMatch(query); it.hasNext();) {
        const QString t = it.next().captured();
        if (t == "AND" || t == "OR" || t == "NOT" || t == "NEAR")
            continue;
        terms << t;
    }
    return terms;
}

void InstanceView::clear(const QString& message)
{
    m_detail = {};
    m_selected = 0;
    m_header->setHtml("<p style='color:gray'>" + message.toHtmlEscaped() + "</p>");
    m_rationales->clear();
    for (QLineEdit* e : {m_instanceNote, m_instanceTags, m_rationaleNote, m_rationaleTags}) {
        e->clear();
        e->setEnabled(false);
    }
    m_rationaleLabel->setText(QString());
}

void InstanceView::show(const InstanceDetail& detail, qint64 selected, const QStringList& searchTerms)
{
    // Leaving an instance finishes the edits of its fields first (their editingFinished saves them).
    if (detail.instance.id != m_detail.instance.id)
        m_thinkingToggled.clear();
    m_detail = detail;
    m_selected = selected;
    m_terms = searchTerms;
    // A search that matches inside a rationale's thinking unfolds it; the thinking is folded otherwise.
    m_thinkingShown.clear();
    for (const auto& r : m_detail.rationales)
        if (thinkingMatches(r.text, m_terms))
            m_thinkingShown.insert(r.id);
    const auto& in = m_detail.instance;
    QString html = QString("<p style='color:gray'>%1 · %2 · %3</p><p style='font-size:large'>%4</p>")
                       .arg(fromStd(in.task).toHtmlEscaped(), fromStd(in.split), fromStd(in.extId).toHtmlEscaped(),
                            fromStd(in.question).toHtmlEscaped().replace('\n', "<br>"));
    if (in.choicesJson) {
        const auto choices = QJsonDocument::fromJson(QByteArray::fromStdString(*in.choicesJson)).array();
        html += "<p>";
        for (const auto& c : choices) {
            const QString label = c.toObject().value("label").toString();
            const QString text = c.toObject().value("text").toString();
            const bool gold = label == fromStd(in.gold);
            html += QString("%1(%2) %3%4<br>")
                        .arg(gold ? "<b>" : "", label.toHtmlEscaped(), text.toHtmlEscaped(), gold ? "</b>" : "");
        }
        html += "</p>";
    }
    html += QString("<p>Gold answer: <b>%1</b></p>").arg(fromStd(in.gold).toHtmlEscaped());
    const auto& s = m_detail.stats;
    QStringList answers;
    for (const auto& [answer, count] : s.answers)
        answers << QString("%1 ×%2").arg(answer.empty() ? tr("(none)") : fromStd(answer).toHtmlEscaped()).arg(count);
    html += tr("<p>%1 samples · %2 distinct rationales · %3 of %4 judged correct<br>Answers: %5</p>")
                .arg(s.samples)
                .arg(s.distinctRationales)
                .arg(s.correct)
                .arg(s.judged)
                .arg(answers.join(", "));
    m_header->setHtml(html);

    m_instanceNote->setText(fromStd(m_detail.note.note));
    m_instanceTags->setText(tagsText(m_detail.note.tags));
    for (QLineEdit* e : {m_instanceNote, m_instanceTags})
        e->setEnabled(true);
    render();
    fillRationaleNotes();
}

void InstanceView::selectRationale(qint64 id)
{
    if (id == m_selected)
        return;
    m_selected = id;
    render();
    fillRationaleNotes();
}

void InstanceView::setSideBySide(bool sideBySide)
{
    m_layout->setCurrentIndex(sideBySide ? 1 : 0);
}

QString InstanceView::rationalesHtml() const
{
    return m_rationales->toHtml();
}

void InstanceView::render()
{
    const bool sideBySide = m_layout->currentIndex() == 1;
    QString html = sideBySide ? "<table cellspacing=6><tr>" : "";
    for (size_t k = 0; k < m_detail.rationales.size(); ++k) {
        const auto& r = m_detail.rationales[k];
        const QString answer = fromStd(r.answer ? *r.answer : r.extractedAnswer.value_or(""));
        const QString verdict = !r.correct   ? QString("<span style='color:gray'>not judged</span>")
                                : *r.correct ? QString("<span style='color:#1e823c'><b>✓ correct</b></span>")
                                             : QString("<span style='color:#be2828'><b>✗ wrong</b></span>");
        const bool selected = r.id == m_selected;
        const QString border = !r.correct ? "#bbbbbb" : *r.correct ? "#1e823c" : "#be2828";
        QString card =
            QString("<a name='r%1'></a><a href='rationale:%1'>#%2</a> <b>%3</b> <span style='color:gray'>%4</span> "
                    "· answer <b>%5</b> · %6")
                .arg(r.id)
                .arg(r.sampleIndex)
                .arg(fromStd(r.model).toHtmlEscaped(), fromStd(r.sourceKind),
                     answer.isEmpty() ? tr("(none)") : answer.toHtmlEscaped(), verdict);
        if (r.logprob)
            card += QString(" · log-prob %1").arg(*r.logprob, 0, 'f', 2);
        if (const auto it = m_detail.rationaleNotes.find(r.id); it != m_detail.rationaleNotes.end()) {
            if (!it->second.tags.empty())
                card += " · <i>" + tagsText(it->second.tags).toHtmlEscaped() + "</i>";
            if (!it->second.note.empty())
                card += "<br><i>✎ " + fromStd(it->second.note).toHtmlEscaped() + "</i>";
        }
        const bool thinkingShown = m_thinkingShown.contains(r.id) != m_thinkingToggled.contains(r.id);
        card +=
            "<br>" + rationaleWithThinkingHtml(
                         r.text, k < m_detail.answerSentences.size() ? fromStd(m_detail.answerSentences[k]) : QString(),
                         m_terms, thinkingShown, QString("thinking:%1").arg(r.id));
        const QString cell = QString("border-left: 4px solid %1; padding: 6px; background: %2")
                                 .arg(border, selected ? "#e8f0fe" : "#ffffff");
        if (sideBySide)
            html += QString("<td width=340 valign=top style='%1'>%2</td>").arg(cell, card);
        else
            html += QString("<table width='100%' cellspacing=0 style='margin-bottom:8px'><tr><td style='%1'>%2"
                            "</td></tr></table>")
                        .arg(cell, card);
    }
    if (sideBySide)
        html += "</tr></table>";
    // Stacked cards wrap at the view's width; side by side, the page is as wide as its columns, which wrap inside.
    m_rationales->setLineWrapMode(sideBySide ? QTextEdit::FixedPixelWidth : QTextEdit::WidgetWidth);
    m_rationales->setLineWrapColumnOrWidth(int(m_detail.rationales.size()) * 360 + 20);
    m_rationales->setHtml(html);
    if (m_selected)
        m_rationales->scrollToAnchor(QString("r%1").arg(m_selected));
}

void InstanceView::fillRationaleNotes()
{
    const auto it = std::find_if(m_detail.rationales.begin(), m_detail.rationales.end(),
                                 [this](const auto& r) { return r.id == m_selected; });
    const bool have = it != m_detail.rationales.end();
    for (QLineEdit* e : {m_rationaleNote, m_rationaleTags})
        e->setEnabled(have);
    if (!have) {
        m_rationaleLabel->setText(tr("<i>Click a rationale's #number to note or tag it.</i>"));
        m_rationaleNote->clear();
        m_rationaleTags->clear();
        return;
    }
    m_rationaleLabel->setText(
        tr("Selected rationale: <b>#%1</b> of %2").arg(it->sampleIndex).arg(fromStd(it->model).toHtmlEscaped()));
    const auto note = m_detail.rationaleNotes.find(m_selected);
    m_rationaleNote->setText(note == m_detail.rationaleNotes.end() ? QString() : fromStd(note->second.note));
    m_rationaleTags->setText(note == m_detail.rationaleNotes.end() ? QString() : tagsText(note->second.tags));
}

void InstanceView::commitInstance()
{
    if (!m_detail.instance.id)
        return;
    const store::Annotation a = annotationOf(m_instanceNote, m_instanceTags);
    if (a == m_detail.note)
        return;
    m_detail.note = a;
    Q_EMIT annotationEdited(store::AnnotationTarget::Instance, m_detail.instance.id, a);
}

void InstanceView::commitRationale()
{
    if (!m_selected)
        return;
    const store::Annotation a = annotationOf(m_rationaleNote, m_rationaleTags);
    const auto it = m_detail.rationaleNotes.find(m_selected);
    if (a == (it == m_detail.rationaleNotes.end() ? store::Annotation{} : it->second))
        return;
    m_detail.rationaleNotes[m_selected] = a;
    Q_EMIT annotationEdited(store::AnnotationTarget::Rationale, m_selected, a);
    render();
}

} // namespace cotlab::ui
