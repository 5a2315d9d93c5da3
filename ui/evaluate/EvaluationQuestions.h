#pragma once

// The questions of one evaluation: gold, the student's and the teacher's answers side by side with a filter
// (student wrong, teacher right but student wrong, no answer, ...), and the selected question in full with both
// rationales.
#include "store/EvaluationRepository.h"

#include <QWidget>
#include <vector>

class QComboBox;
class QPlainTextEdit;
class QTableWidget;

namespace cotlab::ui {

class EvaluationQuestions : public QWidget {
    Q_OBJECT

public:
    explicit EvaluationQuestions(QWidget* parent = nullptr);

    void setItems(std::vector<store::EvaluatedInstance> items);

Q_SIGNALS:
    void countChanged(int shown, int total); // after each fill or filter change

private:
    void applyFilter();
    void showDetails();

    QComboBox* m_filter;
    QTableWidget* m_table;
    QPlainTextEdit* m_details;
    std::vector<store::EvaluatedInstance> m_items;
};

} // namespace cotlab::ui
