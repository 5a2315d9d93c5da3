// Browse benchmark: the real Browse page on a large workspace (one million rationales made from the real shared
// files by `bench_import --keep FILE`), in a running event loop. Measures the time to the first rows on screen
// after opening the workspace, after a filter change and after a full-text search, the time to the full count,
// and the longest stall of the GUI thread (gap between ticks of a 1 ms timer) while the table is scrolled from the
// top to the bottom in steps, each step waiting until its rows are on screen.
//
//   bench_browse --workspace FILE [--task NAME] [--search QUERY] [--steps N]
#include "browse/BrowsePage.h"
#include "browse/RationaleTableModel.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

using namespace cotlab;
using ui::RationaleTableModel;

namespace {

// The longest gap between ticks of a 1 ms timer: how long the GUI thread was busy at a stretch.
class StallMeter : public QObject {
public:
    StallMeter()
    {
        m_timer.setInterval(1);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const double now = double(m_clock.nsecsElapsed()) / 1e6;
            m_gaps.push_back(now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_gaps.clear();
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double longest() const { return m_gaps.empty() ? 0 : *std::max_element(m_gaps.begin(), m_gaps.end()); }
    size_t over(double ms) const
    {
        return size_t(std::count_if(m_gaps.begin(), m_gaps.end(), [ms](double g) { return g > ms; }));
    }
    size_t ticks() const { return m_gaps.size(); }
    double percentile(double p) const
    {
        if (m_gaps.empty())
            return 0;
        auto g = m_gaps;
        std::sort(g.begin(), g.end());
        return g[std::min(g.size() - 1, size_t(p * double(g.size())))];
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    double m_last = 0;
    std::vector<double> m_gaps;
};

// Milliseconds until the model reports its first page after `change` ran.
double firstRows(RationaleTableModel* model, const std::function<void()>& change)
{
    double ms = -1;
    auto connection = QObject::connect(model, &RationaleTableModel::firstRowsLoaded, model, [&](double m) { ms = m; });
    change();
    QElapsedTimer wait;
    wait.start();
    while (ms < 0 && wait.elapsed() < 60000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    QObject::disconnect(connection);
    return ms;
}

double fullCount(RationaleTableModel* model, QElapsedTimer& since)
{
    while (model->counting())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    return double(since.nsecsElapsed()) / 1e6;
}

bool visibleRowsLoaded(QTableView* table)
{
    const int top = table->rowAt(0), bottom = table->rowAt(table->viewport()->height() - 1);
    for (int row : {top, bottom})
        if (row >= 0 && !table->model()->data(table->model()->index(row, 0), RationaleTableModel::LoadedRole).toBool())
            return false;
    return true;
}

// Logs events that keep the GUI thread busy for long (with --slow-events MS).
class TimingApplication : public QApplication {
public:
    using QApplication::QApplication;
    double slowMs = 0;
    QTableView* table = nullptr;
    bool notify(QObject* receiver, QEvent* event) override
    {
        if (slowMs <= 0)
            return QApplication::notify(receiver, event);
        QElapsedTimer t;
        t.start();
        const int type = int(event->type());
        const bool r = QApplication::notify(receiver, event);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (ms > slowMs)
            std::printf("  slow event: type %d to %s (%s): %.1f ms, top row %d\n", type,
                        receiver->metaObject()->className(), qPrintable(receiver->objectName()), ms,
                        table ? table->rowAt(0) : -1);
        return r;
    }
};

} // namespace

int main(int argc, char** argv)
{
    TimingApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QString workspace, task = "strategy_qa", search = "answer";
    int steps = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const QString flag = argv[i], value = argv[i + 1];
        if (flag == "--workspace")
            workspace = value;
        else if (flag == "--task")
            task = value;
        else if (flag == "--search")
            search = value;
        else if (flag == "--steps")
            steps = value.toInt();
        else if (flag == "--slow-events")
            app.slowMs = value.toDouble();
    }
    if (workspace.isEmpty()) {
        std::fprintf(stderr,
                     "usage: %s --workspace FILE [--task NAME] [--search QUERY] [--steps N]\n"
                     "(make FILE with: bench_import --keep FILE)\n",
                     argv[0]);
        return 2;
    }

    ui::BrowsePage page;
    page.resize(1400, 900);
    page.show();
    RationaleTableModel* model = page.model();
    QTableView* table = page.table();
    app.table = table;

    QElapsedTimer clock;
    clock.start();
    const double open = firstRows(model, [&] { page.setWorkspace(workspace); });
    const double openCount = fullCount(model, clock);
    const qint64 total = model->rowCount();
    std::printf("workspace: %s, %lld rationales\n", qPrintable(workspace), (long long)total);
    std::printf("open:   first rows %.1f ms, full count %.0f ms\n", open, openCount);

    // Filter: a task (its combo box is filled in the background).
    auto* taskBox = page.findChild<QComboBox*>("task");
    while (taskBox->findText(task) < 0)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    clock.restart();
    const double filtered = firstRows(model, [&] { taskBox->setCurrentIndex(taskBox->findText(task)); });
    const double filteredCount = fullCount(model, clock);
    std::printf("filter: task = %s: first rows %.1f ms, full count %.0f ms (%lld rows)\n", qPrintable(task), filtered,
                filteredCount, (long long)model->rowCount());
    auto* correct = page.findChild<QComboBox*>("correct");
    clock.restart();
    const double wrong = firstRows(model, [&] { correct->setCurrentIndex(correct->findText("wrong")); });
    const double wrongCount = fullCount(model, clock);
    std::printf("filter: + wrong answers: first rows %.1f ms, full count %.0f ms (%lld rows)\n", wrong, wrongCount,
                (long long)model->rowCount());

    // Search over all rows.
    page.clearFilters();
    fullCount(model, clock);
    auto* box = page.findChild<QLineEdit*>("search");
    clock.restart();
    const double searched = firstRows(model, [&] {
        box->setText(search);
        Q_EMIT box->returnPressed();
    });
    const double searchCount = fullCount(model, clock);
    std::printf("search: \"%s\": first rows %.1f ms, full count %.0f ms (%lld rows)\n", qPrintable(search), searched,
                searchCount, (long long)model->rowCount());

    // Scroll the whole unfiltered table, top to bottom.
    page.clearFilters();
    fullCount(model, clock);
    QScrollBar* bar = table->verticalScrollBar();
    StallMeter meter;
    double waitSum = 0, waitMax = 0;
    meter.start();
    clock.restart();
    for (int s = 0; s <= steps; ++s) {
        bar->setValue(int(double(bar->maximum()) * s / steps));
        QElapsedTimer wait;
        wait.start();
        while (!visibleRowsLoaded(table) && wait.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 2);
        QCoreApplication::processEvents(); // paint
        const double w = double(wait.nsecsElapsed()) / 1e6;
        waitSum += w;
        waitMax = std::max(waitMax, w);
        if (w > 1000)
            std::printf("  step %d: rows took %.0f ms to show\n", s, w);
    }
    meter.stop();
    std::printf("scroll: %d steps top to bottom in %.1f s; rows on screen after a step: mean %.1f ms, max %.1f ms\n",
                steps, double(clock.elapsed()) / 1000, waitSum / (steps + 1), waitMax);
    std::printf("GUI thread stall (gap between 1 ms timer ticks): longest %.1f ms, p99 %.1f ms, p50 %.1f ms; "
                "%zu of %zu gaps over 30 ms, %zu over 50 ms\n",
                meter.longest(), meter.percentile(0.99), meter.percentile(0.5), meter.over(30), meter.ticks(),
                meter.over(50));
    // The cost of one full repaint of the table with its rows loaded.
    if (qEnvironmentVariableIsSet("BENCH_HIDE_COLUMN"))
        table->hideColumn(qEnvironmentVariableIntValue("BENCH_HIDE_COLUMN"));
    std::vector<double> paints;
    const int repaints =
        qEnvironmentVariableIsSet("BENCH_REPAINTS") ? qEnvironmentVariableIntValue("BENCH_REPAINTS") : 200;
    for (int k = 0; k < repaints; ++k) {
        QElapsedTimer paint;
        paint.start();
        table->viewport()->repaint();
        paints.push_back(double(paint.nsecsElapsed()) / 1e6);
    }
    std::sort(paints.begin(), paints.end());
    std::printf("repaint of the table (%d x %d px, rows loaded, nothing else running): median %.1f ms, max %.1f ms\n",
                table->viewport()->width(), table->viewport()->height(), paints[paints.size() / 2], paints.back());
    return 0;
}
