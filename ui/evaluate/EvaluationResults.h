#pragma once

// Every evaluation of the workspace in a table (student, run, what it was trained on, task, split, decoding,
// accuracy with its 95% interval, n, status), the contrast-set comparison of the selected one, and buttons to see
// its rationales on the Browse page or export it as a spreadsheet.
#include "evaluate/EvaluationRows.h"

#include <QList>
#include <QWidget>

class QLabel;
class QTableWidget;

namespace cotlab::ui {

class EvaluationResults : public QWidget {
    Q_OBJECT

public:
    explicit EvaluationResults(QWidget* parent = nullptr);

    void setRows(const std::vector<EvaluationRow>& rows, const QList<qint64>& select);
    QList<qint64> selectedIds() const;
    void select(const QList<qint64>& ids); // emits selectionChanged
    QString selectedStatus() const;        // of the one selected evaluation; "" otherwise
    void showProgress(qint64 evaluationId, qint64 done, const QString& accuracy);
    void setContrast(const QString& text); // hidden when empty

Q_SIGNALS:
    void selectionChanged();
    void browseRequested(const QString& model);
    void exportRequested(qint64 evaluationId);

private:
    QTableWidget* m_table;
    QLabel* m_contrast;
};

// "CoT · greedy" or "CoT · 5 samples, T 0.7, majority vote".
QString decodingOf(const eval::EvaluationRequest& config);
// An accuracy and its interval as percentages: "62.5 (55.1–69.4)".
QString accuracyText(double accuracy, double low, double high);

} // namespace cotlab::ui
