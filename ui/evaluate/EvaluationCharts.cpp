#include "evaluate/EvaluationCharts.h"

#include "common/PlotFiles.h"
#include "common/QCustomPlotInclude.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace cotlab::ui {

EvaluationCharts::EvaluationCharts(std::function<QString()> folder, std::function<void(const QString&, bool)> report,
                                   QWidget* parent)
    : QTabWidget(parent), m_folder(std::move(folder)), m_report(std::move(report)), m_accuracy(new QCustomPlot),
      m_curve(new QCustomPlot), m_cot(new QCustomPlot), m_curveAxis(new QComboBox)
{
    setObjectName("views");
    m_accuracy->setObjectName("accuracyPlot");
    m_curve->setObjectName("curvePlot");
    m_cot->setObjectName("cotPlot");
    for (auto* p : {m_accuracy, m_curve, m_cot}) {
        p->setMinimumHeight(220);
        p->legend->setFont(QFont(font().family(), 8));
    }
    m_curveAxis->setObjectName("curveAxis");
    m_curveAxis->addItem(tr("training questions"), int(CurveAxis::Questions));
    m_curveAxis->addItem(tr("training examples"), int(CurveAxis::Examples));
    m_curveAxis->addItem(tr("rationales per question"), int(CurveAxis::SamplesPerInstance));
    addTab(plotTab(m_accuracy, "accuracy"), tr("Accuracy per student"));
    addTab(plotTab(m_curve, "learning-curve", m_curveAxis), tr("Learning curve"));
    addTab(plotTab(m_cot, "with-without-cot"), tr("With and without CoT"));
    connect(m_curveAxis, &QComboBox::currentIndexChanged, this,
            [this] { plotLearningCurve(m_curve, m_shown, CurveAxis(m_curveAxis->currentData().toInt())); });
    show({}, {});
}

QWidget* EvaluationCharts::plotTab(QCustomPlot* plot, const QString& name, QWidget* extra)
{
    auto* tab = new QWidget;
    auto* layout = new QVBoxLayout(tab);
    auto* row = new QHBoxLayout;
    if (extra) {
        row->addWidget(new QLabel(tr("Against")));
        row->addWidget(extra);
    }
    row->addStretch(1);
    row->addWidget(savePlotButton(plot, name, m_folder, m_report));
    layout->addLayout(row);
    layout->addWidget(plot, 1);
    return tab;
}

void EvaluationCharts::show(const QVector<EvaluationPoint>& points, const QList<qint64>& selected)
{
    m_shown.clear();
    for (const auto& p : points)
        if (selected.size() < 2 || selected.contains(p.id))
            m_shown << p;
    plotAccuracyPerStudent(m_accuracy, m_shown);
    plotLearningCurve(m_curve, m_shown, CurveAxis(m_curveAxis->currentData().toInt()));
    plotWithAndWithoutCot(m_cot, m_shown);
}

QCustomPlot* EvaluationCharts::plot(const QString& name) const
{
    if (name == "accuracy")
        return m_accuracy;
    if (name == "curve")
        return m_curve;
    return m_cot;
}

} // namespace cotlab::ui
