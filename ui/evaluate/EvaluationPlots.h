#pragma once

// The Evaluate page's plots (QCustomPlot): accuracy per student with the teacher beside it, the learning curve
// across runs (SCoTD's figure: accuracy against training questions, examples or samples per question) and
// accuracy with and without chain of thought. Every accuracy carries its 95% interval as error bars.
#include <QString>
#include <QVector>
#include <optional>

class QCustomPlot;

namespace cotlab::ui {

// One evaluation as the plots see it; accuracies are fractions.
struct EvaluationPoint {
    qint64 id = 0;
    QString name;
    QString task;
    QString split;
    QString format; // cot, label, socratic or step-by-step
    double accuracy = 0, low = 0, high = 0;
    qint64 n = 0;
    // From the recipe of the run that trained the student, when it was trained in this workspace.
    std::optional<double> questions, examples, samplesPerInstance;
    // The teacher's first rationale on the same questions (accuracy and interval), when they have teacher rationales.
    std::optional<double> teacherAccuracy;
    double teacherLow = 0, teacherHigh = 0;
    qint64 teacherN = 0;
};

enum class CurveAxis { Questions, Examples, SamplesPerInstance };

void plotAccuracyPerStudent(QCustomPlot* plot, const QVector<EvaluationPoint>& points);
// One line per task, split and template; points without the axis's recipe value are left out.
void plotLearningCurve(QCustomPlot* plot, const QVector<EvaluationPoint>& points, CurveAxis axis);
// Per task and split: the latest student trained with rationales (cot, socratic, step-by-step), the latest
// label-only student and the teacher.
void plotWithAndWithoutCot(QCustomPlot* plot, const QVector<EvaluationPoint>& points);

} // namespace cotlab::ui
