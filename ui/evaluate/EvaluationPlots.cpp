#include "evaluate/EvaluationPlots.h"

#include "common/FormWidgets.h"
#include "common/PlotFrame.h"
#include "common/QCustomPlotInclude.h"

#include <QMap>
#include <algorithm>

namespace cotlab::ui {

namespace {

const QColor kTeacher(150, 150, 150);

// A plot of accuracies in percent, with its title.
void reset(QCustomPlot* plot, const QString& title)
{
    resetPlot(plot, title);
    plot->yAxis->setLabel(QObject::tr("accuracy (%)"));
    plot->yAxis->setRange(0, 100);
}

QCPBars* bars(QCustomPlot* plot, const QColor& color, const QString& name, double width)
{
    auto* b = new QCPBars(plot->xAxis, plot->yAxis);
    b->setName(name);
    b->setWidth(width);
    b->setPen(QPen(color.darker(130)));
    b->setBrush(color);
    return b;
}

// Error bars of the interval [low, high] around each accuracy (in %).
void intervals(QCPAbstractPlottable* on, const QVector<double>& acc, const QVector<double>& low,
               const QVector<double>& high)
{
    auto* e = new QCPErrorBars(on->keyAxis(), on->valueAxis());
    e->removeFromLegend();
    e->setDataPlottable(on);
    QVector<double> minus, plus;
    for (int i = 0; i < acc.size(); ++i) {
        minus << 100 * (acc[i] - low[i]);
        plus << 100 * (high[i] - acc[i]);
    }
    e->setData(minus, plus);
    e->setPen(QPen(QColor(40, 40, 40), 1.2));
}

// The accuracy written above each bar's interval, so that a bar at 0% still reads.
void valueLabels(QCustomPlot* plot, const QVector<double>& x, const QVector<double>& acc, const QVector<double>& high)
{
    for (int i = 0; i < x.size(); ++i) {
        auto* t = new QCPItemText(plot);
        t->position->setCoords(x[i], 100 * high[i]);
        t->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        t->setPadding(QMargins(0, 0, 0, 3));
        t->setText(QString::number(100 * acc[i], 'f', 1));
        QFont f = t->font();
        f.setPointSizeF(f.pointSizeF() * 0.85);
        t->setFont(f);
    }
}

QString groupOf(const EvaluationPoint& p)
{
    return p.task + " · " + p.split;
}

QString templateName(const QString& format)
{
    if (format == "label")
        return QObject::tr("label only");
    if (format == "socratic")
        return QObject::tr("Socratic");
    if (format == "step-by-step")
        return QObject::tr("step-by-step");
    return format == "cot" ? QObject::tr("CoT") : format; // other formats by their name (scotd, a file's)
}

} // namespace

void plotAccuracyPerStudent(QCustomPlot* plot, const QVector<EvaluationPoint>& points)
{
    reset(plot, QObject::tr("Accuracy per student (95% CI), teacher on the same questions"));
    if (points.isEmpty())
        return plotNotice(plot, QObject::tr("No finished evaluations yet"));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    auto* students = bars(plot, seriesColor(0), QObject::tr("student"), 0.7);
    auto* teacher = bars(plot, kTeacher, QObject::tr("teacher"), 0.7);
    QVector<double> sx, sy, sa, sl, sh, tx, ty, ta, tl, th;
    // Ordered by task and split so a group's teacher bar stands after its students.
    QVector<EvaluationPoint> sorted = points;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return groupOf(a) < groupOf(b); });
    double x = 1;
    for (int i = 0; i < sorted.size(); ++i) {
        const auto& p = sorted[i];
        sx << x;
        sy << 100 * p.accuracy;
        sa << p.accuracy;
        sl << p.low;
        sh << p.high;
        ticker->addTick(x, QString("%1\n%2 (n=%3)").arg(p.name, groupOf(p)).arg(p.n));
        x += 1;
        const bool lastOfGroup = i + 1 == sorted.size() || groupOf(sorted[i + 1]) != groupOf(p);
        if (lastOfGroup) {
            // The teacher on the questions of the group's largest evaluation.
            const EvaluationPoint* best = nullptr;
            for (const auto& q : sorted)
                if (groupOf(q) == groupOf(p) && q.teacherAccuracy && (!best || q.teacherN > best->teacherN))
                    best = &q;
            if (best) {
                tx << x;
                ty << 100 * *best->teacherAccuracy;
                ta << *best->teacherAccuracy;
                tl << best->teacherLow;
                th << best->teacherHigh;
                ticker->addTick(x, QString("teacher\n%1 (n=%2)").arg(groupOf(p)).arg(best->teacherN));
                x += 1;
            }
            x += 0.5;
        }
    }
    students->setData(sx, sy);
    intervals(students, sa, sl, sh);
    valueLabels(plot, sx, sa, sh);
    teacher->setData(tx, ty);
    if (!tx.isEmpty()) {
        intervals(teacher, ta, tl, th);
        valueLabels(plot, tx, ta, th);
    } else {
        teacher->removeFromLegend();
    }
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(sorted.size() > 6 ? 30 : 0);
    plot->xAxis->setRange(0.3, x - 0.2);
    plot->yAxis->setRange(0, 108);
    showLegendBelow(plot);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot->replot();
}

void plotLearningCurve(QCustomPlot* plot, const QVector<EvaluationPoint>& points, CurveAxis axis)
{
    const QString axisName = axis == CurveAxis::Questions  ? QObject::tr("training questions")
                             : axis == CurveAxis::Examples ? QObject::tr("training examples (question, rationale)")
                                                           : QObject::tr("rationales per question");
    reset(plot, QObject::tr("Learning curve: accuracy against %1").arg(axisName));
    plot->xAxis->setLabel(axisName + QObject::tr(" (log scale)"));
    QMap<QString, QVector<EvaluationPoint>> lines; // task · split · template -> points
    for (const auto& p : points) {
        const auto& v = axis == CurveAxis::Questions  ? p.questions
                        : axis == CurveAxis::Examples ? p.examples
                                                      : p.samplesPerInstance;
        if (v && *v > 0)
            lines[groupOf(p) + " · " + templateName(p.format)] << p;
    }
    if (lines.isEmpty())
        return plotNotice(plot, QObject::tr("Evaluate students of runs trained here to see a learning curve"));
    double lo = 1e300, hi = 0;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create(); // a tick at each measured size
    int color = 0;
    for (auto it = lines.begin(); it != lines.end(); ++it) {
        auto pts = it.value();
        auto xOf = [axis](const EvaluationPoint& p) {
            return axis == CurveAxis::Questions  ? *p.questions
                   : axis == CurveAxis::Examples ? *p.examples
                                                 : *p.samplesPerInstance;
        };
        std::sort(pts.begin(), pts.end(), [&](const auto& a, const auto& b) { return xOf(a) < xOf(b); });
        QVector<double> x, y, a, l, h;
        for (const auto& p : pts) {
            x << xOf(p);
            y << 100 * p.accuracy;
            a << p.accuracy;
            l << p.low;
            h << p.high;
            lo = std::min(lo, xOf(p));
            hi = std::max(hi, xOf(p));
            ticker->addTick(xOf(p), QString::number(xOf(p), 'g', 7));
        }
        auto* g = plot->addGraph();
        g->setData(x, y, true);
        const QColor c = seriesColor(color++);
        g->setPen(QPen(c, 2, it.key().endsWith(QObject::tr("label only")) ? Qt::DashLine : Qt::SolidLine));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, c, c, 6));
        g->setName(it.key());
        intervals(g, a, l, h);
    }
    plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(lo / 1.5, hi * 1.5);
    plot->yAxis->setRange(-3, 103); // points at 0% and 100% stay visible
    showLegendBelow(plot);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plot->replot();
}

void plotWithAndWithoutCot(QCustomPlot* plot, const QVector<EvaluationPoint>& points)
{
    reset(plot, QObject::tr("With and without chain of thought (latest student trained with rationales and latest "
                            "label-only student, 95% CI)"));
    QMap<QString, const EvaluationPoint*> cot, label, teacher;
    for (const auto& p : points) {
        auto& slot = p.format == "label" ? label[groupOf(p)] : cot[groupOf(p)];
        if (!slot || p.id > slot->id)
            slot = &p;
        if (p.teacherAccuracy && (!teacher.value(groupOf(p)) || p.teacherN > teacher[groupOf(p)]->teacherN))
            teacher[groupOf(p)] = &p;
    }
    QStringList groups = cot.keys() + label.keys();
    groups.removeDuplicates();
    std::sort(groups.begin(), groups.end());
    if (groups.isEmpty())
        return plotNotice(plot, QObject::tr("No finished evaluations yet"));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    struct Series {
        QCPBars* bars = nullptr;
        QVector<double> x, y, a, l, h;
    };
    Series s[3];
    s[0].bars = bars(plot, seriesColor(0), QObject::tr("trained with rationales"), 0.26);
    s[1].bars = bars(plot, seriesColor(4), QObject::tr("label only"), 0.26);
    s[2].bars = bars(plot, kTeacher, QObject::tr("teacher"), 0.26);
    for (int g = 0; g < groups.size(); ++g) {
        const double x = g + 1;
        ticker->addTick(x, groups[g]);
        const EvaluationPoint* of[3] = {cot.value(groups[g]), label.value(groups[g]), teacher.value(groups[g])};
        for (int k = 0; k < 3; ++k) {
            if (!of[k])
                continue;
            double a = of[k]->accuracy, low = of[k]->low, high = of[k]->high;
            if (k == 2) {
                a = *of[k]->teacherAccuracy;
                low = of[k]->teacherLow;
                high = of[k]->teacherHigh;
            }
            s[k].x << x + (k - 1) * 0.28;
            s[k].y << 100 * a;
            s[k].a << a;
            s[k].l << low;
            s[k].h << high;
        }
    }
    for (auto& series : s) {
        series.bars->setData(series.x, series.y);
        if (!series.x.isEmpty()) {
            intervals(series.bars, series.a, series.l, series.h);
            valueLabels(plot, series.x, series.a, series.h);
        } else
            series.bars->removeFromLegend();
    }
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(0.4, groups.size() + 0.6);
    plot->yAxis->setRange(0, 108); // room for the value above a bar at 100%
    showLegendBelow(plot);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot->replot();
}

} // namespace cotlab::ui
