#include "review/LabelingView.h"

#include "answers/AnswerExtractor.h"
#include "answers/AnswerKind.h"
#include "common/RationaleHtml.h"

#include <QButtonGroup>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

QTextBrowser* readOnlyView()
{
    auto* view = new QTextBrowser;
    view->setFocusPolicy(Qt::NoFocus); // the keys belong to the labelling screen
    view->setOpenLinks(false);
    return view;
}

QString rationaleHtml(const store::StudyRationale& r)
{
    const std::string text = review::shownRationale(r);
    const std::string sentence = r.answerSentence ? *r.answerSentence : std::string(answers::answerSentenceOf(r.text));
    return "<div style='line-height:135%'>" + highlightedRationale(fromStd(text), fromStd(sentence)) + "</div>";
}

} // namespace

LabelingView::LabelingView(QWidget* parent) : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout;
    auto* back = new QPushButton(tr("← Overview (Esc)"));
    back->setObjectName("back");
    back->setFocusPolicy(Qt::NoFocus);
    connect(back, &QPushButton::clicked, this, [this] {
        commitComment();
        Q_EMIT backToOverview();
    });
    m_title = new QLabel;
    m_title->setObjectName("title");
    m_position = new QLabel;
    m_position->setObjectName("position");
    m_progress = new QProgressBar;
    m_progress->setObjectName("progress");
    m_progress->setMinimumWidth(200);
    m_progress->setMaximumWidth(260);
    m_progress->setFormat(tr("%v of %m complete"));
    top->addWidget(back);
    top->addWidget(m_title, 1);
    top->addWidget(m_position);
    top->addWidget(m_progress);
    layout->addLayout(top);

    m_question = readOnlyView();
    m_question->setObjectName("question");
    m_question->setMaximumHeight(120);
    layout->addWidget(m_question);

    auto* split = new QSplitter(Qt::Horizontal);
    m_leftBox = new QGroupBox;
    m_left = readOnlyView();
    m_left->setObjectName("left");
    (new QVBoxLayout(m_leftBox))->addWidget(m_left);
    m_rightBox = new QGroupBox;
    m_right = readOnlyView();
    m_right->setObjectName("right");
    (new QVBoxLayout(m_rightBox))->addWidget(m_right);
    split->addWidget(m_leftBox);
    split->addWidget(m_rightBox);
    layout->addWidget(split, 1);

    m_criteriaPanel = new QWidget;
    m_criteriaPanel->setObjectName("criteria");
    m_criteriaPanel->setStyleSheet("QPushButton:checked { background: #2f6fb3; color: white; font-weight: 600; }");
    layout->addWidget(m_criteriaPanel);

    auto* bottom = new QHBoxLayout;
    m_comment = new QLineEdit;
    m_comment->setObjectName("comment");
    m_comment->setPlaceholderText(tr("Comment on this item (C to write, Enter to keep)"));
    connect(m_comment, &QLineEdit::editingFinished, this, [this] {
        commitComment();
        setFocus();
    });
    bottom->addWidget(new QLabel(tr("Comment:")));
    bottom->addWidget(m_comment, 1);
    for (auto [text, name, key] :
         {std::tuple{tr("← Previous"), "previous", int(Qt::Key_Left)},
          std::tuple{tr("Skip (S)"), "skip", int(Qt::Key_S)}, std::tuple{tr("Next →"), "next", int(Qt::Key_Right)}}) {
        auto* button = new QPushButton(text);
        button->setObjectName(name);
        button->setFocusPolicy(Qt::NoFocus);
        connect(button, &QPushButton::clicked, this, [this, key = key] {
            QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier);
            keyPressEvent(&press);
        });
        bottom->addWidget(button);
    }
    layout->addLayout(bottom);
    m_done = new QLabel;
    m_done->setObjectName("keys");
    m_done->setStyleSheet("color: palette(mid)");
    layout->addWidget(m_done);
}

void LabelingView::start(review::AnnotatorSession session)
{
    m_session = std::move(session);
    const bool pairwise = m_session.spec.mode == review::Mode::Pairwise;
    m_title->setText(tr("<b>%1</b> · annotator <b>%2</b>%3")
                         .arg(fromStd(m_session.study.name).toHtmlEscaped(),
                              fromStd(m_session.annotator.name).toHtmlEscaped(),
                              pairwise ? tr(" · blind pairwise: which side is which model is hidden") : QString()));
    m_rightBox->setVisible(pairwise);
    m_leftBox->setTitle(pairwise ? tr("Left") : tr("Rationale"));
    m_rightBox->setTitle(tr("Right"));
    buildCriteria();
    m_progress->setMaximum(int(m_session.items.size()));
    m_done->setText(tr("Keys: %1 answer the highlighted question · ↑ ↓ pick a question · → next item · ← previous · "
                       "S skip · C comment · Esc overview")
                        .arg(pairwise ? tr("1 left, 2 right, 3 tie") : tr("number keys")));
    showItem(int(m_session.annotator.position));
    setFocus();
}

void LabelingView::buildCriteria()
{
    delete m_criteriaPanel->layout();
    for (QWidget* child : m_criteriaPanel->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly))
        delete child;
    m_criterionLabels.clear();
    m_criterionButtons.clear();
    auto* grid = new QGridLayout(m_criteriaPanel);
    grid->setContentsMargins(0, 4, 0, 4);
    const auto& criteria = m_session.spec.criteria;
    for (size_t c = 0; c < criteria.size(); ++c) {
        auto* label = new QLabel(fromStd(criteria[c].question));
        m_criterionLabels.push_back(label);
        grid->addWidget(label, int(c), 0);
        auto* group = new QButtonGroup(m_criteriaPanel);
        group->setExclusive(true);
        const auto options = review::scaleOptions(criteria[c].scale);
        for (size_t o = 0; o < options.size(); ++o) {
            auto* button = new QPushButton(QString("%1  %2").arg(o + 1).arg(fromStd(options[o])));
            button->setObjectName(QString("option-%1-%2").arg(c).arg(o));
            button->setCheckable(true);
            button->setFocusPolicy(Qt::NoFocus);
            button->setMinimumWidth(82);
            group->addButton(button, int(o));
            grid->addWidget(button, int(c), int(o) + 1);
        }
        connect(group, &QButtonGroup::idClicked, this, [this, c](int option) { choose(int(c), option); });
        m_criterionButtons.push_back(group);
    }
    grid->setColumnStretch(0, 1);
}

void LabelingView::showItem(int index)
{
    if (m_session.items.empty()) {
        m_question->setHtml(tr("<i>This study has no items.</i>"));
        return;
    }
    commitComment();
    m_item = std::clamp(index, 0, int(m_session.items.size()) - 1);
    const auto& item = m_session.items[size_t(m_item)];
    QString question = "<p style='margin:0'><b>" + tr("Question") + "</b> <span style='color:gray'>(" +
                       fromStd(item.task).toHtmlEscaped() + ")</span><br>" + fromStd(item.question).toHtmlEscaped() +
                       "</p>";
    if (item.choicesJson) {
        QStringList lines;
        for (const auto& c : answers::choicesFromJson(*item.choicesJson))
            lines << "<b>" + fromStd(c.label).toHtmlEscaped() + ")</b> " + fromStd(c.text).toHtmlEscaped();
        question += "<p style='margin:4px 0 0 0'>" + lines.join(" &nbsp; ") + "</p>";
    }
    if (!m_session.spec.hideGold)
        question += "<p style='margin:4px 0 0 0'><b>" + tr("Gold answer:") + "</b> " +
                    fromStd(item.gold).toHtmlEscaped() + "</p>";
    m_question->setHtml(question);
    const bool bLeft = m_session.bOnLeft[size_t(m_item)];
    if (item.b) {
        m_left->setHtml(rationaleHtml(bLeft ? *item.b : item.a));
        m_right->setHtml(rationaleHtml(bLeft ? item.a : *item.b));
    } else {
        m_left->setHtml(rationaleHtml(item.a));
        m_right->clear();
    }
    const auto comment = m_session.comments.find(item.item.id);
    m_comment->setText(comment == m_session.comments.end() ? QString() : fromStd(comment->second));
    // Start at the first question not answered yet.
    int first = 0;
    while (first < int(m_session.spec.criteria.size()) && chosenOption(first) >= 0)
        ++first;
    m_criterion = first < int(m_session.spec.criteria.size()) ? first : 0;
    refreshCriteria();
    refreshProgress();
    if (m_session.annotator.position != m_item) {
        m_session.annotator.position = m_item;
        Q_EMIT positionChanged(m_session.annotator.id, m_item);
    }
    Q_EMIT itemShown(m_item);
}

int LabelingView::chosenOption(int criterion) const
{
    if (m_session.items.empty() || criterion < 0 || criterion >= int(m_session.spec.criteria.size()))
        return -1;
    const auto& c = m_session.spec.criteria[size_t(criterion)];
    const auto& item = m_session.items[size_t(m_item)];
    const auto it = m_session.labels.find({item.item.id, c.key});
    if (it == m_session.labels.end())
        return -1;
    return review::optionForValue(c.scale, it->second, m_session.bOnLeft[size_t(m_item)]);
}

void LabelingView::choose(int criterion, int option)
{
    const auto& criteria = m_session.spec.criteria;
    if (m_session.items.empty() || criterion < 0 || criterion >= int(criteria.size()))
        return;
    const auto& c = criteria[size_t(criterion)];
    if (option < 0 || option >= int(review::scaleOptions(c.scale).size()))
        return;
    const auto& item = m_session.items[size_t(m_item)];
    const std::string value = review::valueForOption(c.scale, option, m_session.bOnLeft[size_t(m_item)]);
    m_session.labels[{item.item.id, c.key}] = value;
    Q_EMIT labelGiven(item.item.id, m_session.annotator.id, fromStd(c.key), fromStd(value));
    // On to the next unanswered question of this item, else to the next item.
    int next = -1;
    for (int k = 1; k <= int(criteria.size()); ++k) {
        const int candidate = (criterion + k) % int(criteria.size());
        if (chosenOption(candidate) < 0) {
            next = candidate;
            break;
        }
    }
    if (next >= 0) {
        m_criterion = next;
        refreshCriteria();
        refreshProgress();
    } else if (m_item + 1 < int(m_session.items.size())) {
        showItem(m_item + 1);
    } else {
        m_criterion = criterion;
        refreshCriteria();
        refreshProgress();
    }
}

void LabelingView::setCriterion(int criterion)
{
    const int n = int(m_session.spec.criteria.size());
    if (n == 0)
        return;
    m_criterion = std::clamp(criterion, 0, n - 1);
    refreshCriteria();
}

void LabelingView::refreshCriteria()
{
    for (size_t c = 0; c < m_criterionButtons.size(); ++c) {
        const int chosen = chosenOption(int(c));
        QButtonGroup* group = m_criterionButtons[c];
        group->setExclusive(false);
        for (QAbstractButton* b : group->buttons())
            b->setChecked(group->id(b) == chosen);
        group->setExclusive(true);
        const bool current = int(c) == m_criterion;
        const auto& criterion = m_session.spec.criteria[c];
        m_criterionLabels[c]->setText((current ? "▶ " : "   ") + QString("<b>%1</b>&nbsp; ").arg(c + 1) +
                                      fromStd(criterion.question).toHtmlEscaped());
        m_criterionLabels[c]->setStyleSheet(current ? "background:#fff3bf; padding:3px" : "padding:3px");
    }
}

bool LabelingView::itemComplete(size_t index) const
{
    const int64_t id = m_session.items[index].item.id;
    for (const auto& c : m_session.spec.criteria)
        if (!m_session.labels.count({id, c.key}))
            return false;
    return true;
}

int LabelingView::completeItems() const
{
    int complete = 0;
    for (size_t i = 0; i < m_session.items.size(); ++i)
        complete += itemComplete(i);
    return complete;
}

void LabelingView::refreshProgress()
{
    const int complete = completeItems();
    m_progress->setValue(complete);
    m_position->setText(
        tr("Item %1 of %2%3")
            .arg(m_item + 1)
            .arg(m_session.items.size())
            .arg(complete == int(m_session.items.size()) ? tr(" · all labelled, thank you") : QString()));
}

void LabelingView::commitComment()
{
    if (m_session.items.empty() || size_t(m_item) >= m_session.items.size())
        return;
    const int64_t id = m_session.items[size_t(m_item)].item.id;
    const std::string text = m_comment->text().trimmed().toStdString();
    const auto it = m_session.comments.find(id);
    const std::string before = it == m_session.comments.end() ? std::string() : it->second;
    if (text == before)
        return;
    if (text.empty())
        m_session.comments.erase(id);
    else
        m_session.comments[id] = text;
    Q_EMIT commentGiven(id, m_session.annotator.id, fromStd(text));
}

void LabelingView::keyPressEvent(QKeyEvent* event)
{
    const int key = event->key();
    if (key >= Qt::Key_1 && key <= Qt::Key_9) {
        choose(m_criterion, key - Qt::Key_1);
    } else if (key == Qt::Key_Up) {
        setCriterion(m_criterion - 1);
    } else if (key == Qt::Key_Down) {
        setCriterion(m_criterion + 1);
    } else if (key == Qt::Key_Right || key == Qt::Key_PageDown || key == Qt::Key_S || key == Qt::Key_N) {
        showItem(m_item + 1);
    } else if (key == Qt::Key_Left || key == Qt::Key_PageUp || key == Qt::Key_P) {
        showItem(m_item - 1);
    } else if (key == Qt::Key_C) {
        m_comment->setFocus();
        m_comment->selectAll();
    } else if (key == Qt::Key_Escape) {
        commitComment();
        Q_EMIT backToOverview();
    } else {
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

QString LabelingView::leftText() const
{
    return m_left->toPlainText();
}

QString LabelingView::rightText() const
{
    return m_right->toPlainText();
}

QString LabelingView::questionText() const
{
    return m_question->toPlainText();
}

} // namespace cotlab::ui
