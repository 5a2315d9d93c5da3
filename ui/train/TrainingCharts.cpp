#include "train/TrainingCharts.h"

#include "common/FormWidgets.h"
#include "common/PlotFrame.h"
#include "common/QCustomPlotInclude.h"
#include "train/TrainingJob.h"

#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace cotlab::ui {

namespace {

QCustomPlot* chart(const QString& title, const QString& yLabel)
{
    auto* p = new QCustomPlot;
    p->setMinimumHeight(150);
    p->plotLayout()->insertRow(0);
    p->plotLayout()->addElement(0, 0, new QCPTextElement(p, title, QFont()));
    p->xAxis->setLabel(QObject::tr("step"));
    useCountTicks(p->xAxis);
    p->yAxis->setLabel(yLabel);
    return p;
}

// Exponential moving average, as TensorBoard smooths loss curves.
QVector<double> smooth(const QVector<double>& v, double weight = 0.9)
{
    QVector<double> out;
    double s = 0;
    for (int i = 0; i < v.size(); ++i) {
        s = i == 0 ? v[i] : weight * s + (1 - weight) * v[i];
        out.push_back(s);
    }
    return out;
}

void toVectors(const std::vector<std::pair<int64_t, double>>& points, QVector<double>& x, QVector<double>& y)
{
    for (const auto& [step, value] : points) {
        x << double(step);
        y << value;
    }
}

} // namespace

TrainingCharts::TrainingCharts(QWidget* parent)
    : QWidget(parent), m_loss(chart(tr("Training loss (per target token)"), tr("loss"))),
      m_learningRate(chart(tr("Learning rate"), tr("lr"))), m_speed(chart(tr("Throughput"), tr("tokens/s")))
{
    m_loss->setObjectName("lossPlot");
    m_loss->legend->setFont(QFont(font().family(), 8));
    connect(m_loss, &QCustomPlot::beforeReplot, this, [this] { // no empty legend box before a run is shown
        m_loss->legend->setVisible(m_loss->legend->itemCount() > 0);
    });
    auto* charts = new QSplitter(Qt::Vertical);
    charts->addWidget(m_loss);
    auto* small = new QSplitter(Qt::Horizontal);
    small->addWidget(m_learningRate);
    small->addWidget(m_speed);
    charts->addWidget(small);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(charts);
    clear(); // empty charts say what will appear, with no placeholder scales
}

void TrainingCharts::clear()
{
    for (auto* p : {m_loss, m_learningRate, m_speed})
        p->clearGraphs();
    replot(false);
}

void TrainingCharts::show(const std::vector<RunCurves>& runs)
{
    for (auto* p : {m_loss, m_learningRate, m_speed})
        p->clearGraphs();
    const bool single = runs.size() == 1;
    int colorIndex = 0;
    for (const auto& r : runs) {
        QVector<double> x, y;
        toVectors(r.loss, x, y);
        const QColor color = seriesColor(colorIndex++);
        const QString name = QString("run %1 %2").arg(r.run.id).arg(QString::fromStdString(r.run.name));
        if (single) {
            auto* raw = m_loss->addGraph();
            raw->setData(x, y);
            raw->setPen(QPen(QColor(160, 160, 160)));
            raw->setName(tr("loss"));
            m_smoothed = y.isEmpty() ? 0 : smooth(y).back();
        }
        auto* smoothed = m_loss->addGraph();
        smoothed->setData(x, smooth(y));
        smoothed->setPen(QPen(color, 2));
        smoothed->setName(single ? tr("smoothed") : name);
        QVector<double> dx, dy;
        toVectors(r.devLoss, dx, dy);
        if (single || !dx.isEmpty()) { // in a single run's view graph 2 is the dev loss, filled live
            auto* dev = m_loss->addGraph();
            dev->setData(dx, dy);
            dev->setPen(QPen(single ? QColor(214, 39, 40) : color, 1.5, Qt::DashLine));
            dev->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
            dev->setName(single ? tr("dev loss") : name + tr(" (dev)"));
            if (single && dx.isEmpty())
                dev->removeFromLegend();
        }
        QVector<double> lx, ly, sx, sy;
        toVectors(r.learningRate, lx, ly);
        toVectors(r.tokensPerSecond, sx, sy);
        auto* lr = m_learningRate->addGraph();
        lr->setData(lx, ly);
        lr->setPen(QPen(color, 1.5));
        auto* speed = m_speed->addGraph();
        speed->setData(sx, sy);
        speed->setPen(QPen(color, 1.5));
    }
    replot(false);
}

void TrainingCharts::addStep(const StepUpdate& u)
{
    if (m_loss->graphCount() < 2 || m_learningRate->graphCount() < 1)
        return;
    m_smoothed = m_loss->graph(0)->dataCount() == 0 ? u.loss : 0.9 * m_smoothed + 0.1 * u.loss;
    m_loss->graph(0)->addData(double(u.step), u.loss);
    m_loss->graph(1)->addData(double(u.step), m_smoothed);
    m_learningRate->graph(0)->addData(double(u.step), u.learningRate);
    m_speed->graph(0)->addData(double(u.step), u.tokensPerSecond);
    if (!std::isnan(u.devLoss) && m_loss->graphCount() >= 3) {
        m_loss->graph(2)->addData(double(u.step), u.devLoss);
        m_loss->graph(2)->addToLegend(); // no-op when already there
    }
    replot(true);
}

void TrainingCharts::replot(bool queued)
{
    for (auto* p : {m_loss, m_learningRate, m_speed}) {
        bool hasData = false;
        for (int g = 0; g < p->graphCount(); ++g)
            hasData |= !p->graph(g)->data()->isEmpty();
        showAxisScales(p, hasData); // no 0-5 placeholder scale before a run has steps
        p->clearItems();
        if (!hasData && p == m_loss) { // what will appear here (said once, on the largest chart)
            auto* notice = new QCPItemText(p);
            notice->position->setType(QCPItemPosition::ptAxisRectRatio);
            notice->position->setCoords(0.5, 0.5);
            notice->setText(QObject::tr("Start a run, or select runs in the list below: their curves appear here"));
            notice->setColor(QColor(110, 110, 110));
        }
        p->rescaleAxes();
        // Steps, loss, learning rate and tokens/s are never negative: a single point at step 1 must not widen the
        // axes below zero.
        for (QCPAxis* axis : {p->xAxis, p->yAxis}) {
            QCPRange r = axis->range();
            if (r.size() <= 0)
                r = QCPRange(r.lower - std::max(1.0, std::abs(r.lower) * 0.1), r.upper + std::max(1.0, r.upper * 0.1));
            axis->setRange(std::max(0.0, r.lower), r.upper);
        }
        p->replot(queued ? QCustomPlot::rpQueuedReplot : QCustomPlot::rpRefreshHint);
    }
}

} // namespace cotlab::ui
