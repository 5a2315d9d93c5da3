#include "evaluate/EvaluationQuestions.h"

#include "answers/AnswerKind.h"
#include "common/FormWidgets.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

enum Filter {
    All,
    StudentWrong,
    StudentRight,
    StudentWrongTeacherRight,
    StudentRightTeacherWrong,
    BothWrong,
    NoAnswer
};

bool passes(const store::EvaluatedInstance& i, int filter)
{
    const bool teacherRight = i.teacherCorrect.value_or(false);
    const bool teacherWrong = i.teacherCorrect.has_value() && !*i.teacherCorrect;
    switch (filter) {
    case StudentWrong:
        return !i.correct;
    case StudentRight:
        return i.correct;
    case StudentWrongTeacherRight:
        return !i.correct && teacherRight;
    case StudentRightTeacherWrong:
        return i.correct && teacherWrong;
    case BothWrong:
        return !i.correct && teacherWrong;
    case NoAnswer:
        return i.prediction.empty();
    default:
        return true;
    }
}

QTableWidgetItem* cell(const QString& text, const QVariant& data = {})
{
    auto* item = new QTableWidgetItem(text);
    if (data.isValid())
        item->setData(Qt::UserRole, data);
    return item;
}

QTableWidgetItem* mark(std::optional<bool> right)
{
    auto* item = cell(!right ? QString() : *right ? QStringLiteral("✓") : QStringLiteral("✗"));
    if (right)
        item->setForeground(*right ? QColor(30, 130, 40) : QColor(190, 30, 30));
    return item;
}

} // namespace

EvaluationQuestions::EvaluationQuestions(QWidget* parent)
    : QWidget(parent), m_filter(new QComboBox),
      m_table(readOnlyTable(
          {tr("Question id"), tr("Question"), tr("Gold"), tr("Student"), tr("Right"), tr("Teacher"), tr("Right")},
          "questions")),
      m_details(new QPlainTextEdit)
{
    m_filter->setObjectName("filter");
    m_filter->addItem(tr("All questions"), All);
    m_filter->addItem(tr("Student wrong"), StudentWrong);
    m_filter->addItem(tr("Student right"), StudentRight);
    m_filter->addItem(tr("Student wrong, teacher right"), StudentWrongTeacherRight);
    m_filter->addItem(tr("Student right, teacher wrong"), StudentRightTeacherWrong);
    m_filter->addItem(tr("Both wrong"), BothWrong);
    m_filter->addItem(tr("Student gave no answer"), NoAnswer);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("The selected question with the student's and the teacher's rationale"));
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Show")));
    filterRow->addWidget(m_filter);
    filterRow->addStretch(1);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({700, 420});
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filterRow);
    layout->addWidget(split, 1);
    connect(m_filter, &QComboBox::currentIndexChanged, this, &EvaluationQuestions::applyFilter);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &EvaluationQuestions::showDetails);
}

void EvaluationQuestions::setItems(std::vector<store::EvaluatedInstance> items)
{
    m_items = std::move(items);
    applyFilter();
}

void EvaluationQuestions::applyFilter()
{
    const int filter = m_filter->currentData().toInt();
    const QSignalBlocker block(m_table);
    m_table->setRowCount(0);
    int shown = 0;
    for (size_t k = 0; k < m_items.size(); ++k) {
        const auto& i = m_items[k];
        if (!passes(i, filter))
            continue;
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        QString question = QString::fromStdString(i.question).simplified();
        if (question.size() > 140)
            question = question.left(140) + "…";
        m_table->setItem(row, 0, cell(QString::fromStdString(i.extId), qulonglong(k)));
        m_table->setItem(row, 1, cell(question));
        m_table->setItem(row, 2, cell(QString::fromStdString(i.gold)));
        m_table->setItem(row, 3, cell(i.prediction.empty() ? tr("(none)") : QString::fromStdString(i.prediction)));
        m_table->setItem(row, 4, mark(i.correct));
        m_table->setItem(row, 5, cell(i.teacherAnswer ? QString::fromStdString(*i.teacherAnswer) : tr("–")));
        m_table->setItem(row, 6, mark(i.teacherCorrect));
        ++shown;
    }
    m_table->resizeColumnsToContents();
    m_table->setColumnWidth(1, std::min(m_table->columnWidth(1), 300));
    m_details->clear();
    Q_EMIT countChanged(shown, int(m_items.size()));
}

void EvaluationQuestions::showDetails()
{
    const auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return m_details->clear();
    const size_t k = m_table->item(rows.front().row(), 0)->data(Qt::UserRole).toULongLong();
    if (k >= m_items.size())
        return;
    const auto& i = m_items[k];
    QString text = tr("Question %1\n%2\n").arg(QString::fromStdString(i.extId), QString::fromStdString(i.question));
    if (i.choicesJson) {
        for (const auto& c : answers::choicesFromJson(*i.choicesJson))
            text += QString("(%1) %2  ").arg(QString::fromStdString(c.label), QString::fromStdString(c.text));
        text += "\n";
    }
    text += tr("Gold: %1\n\n").arg(QString::fromStdString(i.gold));
    text += tr("Student — %1 (%2)\n%3\n")
                .arg(i.prediction.empty() ? tr("no answer") : QString::fromStdString(i.prediction),
                     i.correct ? tr("right") : tr("wrong"), QString::fromStdString(i.studentRationale));
    if (i.votesJson)
        text += tr("Votes: %1\n").arg(QString::fromStdString(*i.votesJson));
    if (i.teacherRationale)
        text += tr("\nTeacher %1 — %2 (%3)\n%4\n")
                    .arg(QString::fromStdString(i.teacherModel.value_or("")),
                         QString::fromStdString(i.teacherAnswer.value_or("no answer")),
                         i.teacherCorrect.value_or(false) ? tr("right") : tr("wrong"),
                         QString::fromStdString(*i.teacherRationale));
    else
        text += tr("\nNo teacher rationale for this question.\n");
    m_details->setPlainText(text);
}

} // namespace cotlab::ui
