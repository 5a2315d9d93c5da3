#pragma once

// The Evaluate page's plots in tabs beside the questions: accuracy per student with the teacher, the learning curve
// (against training questions, examples or rationales per question) and accuracy with and without chain of
// thought, each with a button that saves it as PNG or PDF.
#include "evaluate/EvaluationPlots.h"

#include <QList>
#include <QTabWidget>
#include <functional>

class QComboBox;
class QCustomPlot;

namespace cotlab::ui {

class EvaluationCharts : public QTabWidget {
    Q_OBJECT

public:
    // `folder` is where the save dialogs start; `report` hears what saving did.
    EvaluationCharts(std::function<QString()> folder, std::function<void(const QString&, bool)> report,
                     QWidget* parent = nullptr);

    // The selected evaluations' points, or every one when fewer than two are selected.
    void show(const QVector<EvaluationPoint>& points, const QList<qint64>& selected);
    QCustomPlot* plot(const QString& name) const; // "accuracy", "curve" or "cot"

private:
    QWidget* plotTab(QCustomPlot* plot, const QString& name, QWidget* extra = nullptr);

    std::function<QString()> m_folder;
    std::function<void(const QString&, bool)> m_report;
    QCustomPlot* m_accuracy;
    QCustomPlot* m_curve;
    QCustomPlot* m_cot;
    QComboBox* m_curveAxis;
    QVector<EvaluationPoint> m_shown;
};

} // namespace cotlab::ui
