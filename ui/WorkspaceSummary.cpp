#include "WorkspaceSummary.h"

#include "stats/Proportions.h"
#include "store/Workspace.h"

#include <QFutureWatcher>
#include <QtConcurrent>

namespace cotlab::ui {

namespace {
struct Loaded {
    bool ok = false;
    QString error;
    std::vector<store::TaskStats> stats;
};
} // namespace

WorkspaceSummary::WorkspaceSummary(QObject* parent) : QStandardItemModel(parent)
{
    setHorizontalHeaderLabels({tr("Task"), tr("Answer kind"), tr("Instances"), tr("Train / dev / test"),
                               tr("Teacher rationales"), tr("Per instance"), tr("Teacher accuracy [95% Wilson CI]"),
                               tr("Student / human rationales")});
}

void WorkspaceSummary::reload(const QString& workspacePath)
{
    const quint64 generation = ++m_generation;
    auto* watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, generation] {
        const Loaded result = watcher->result();
        watcher->deleteLater();
        if (generation != m_generation)
            return; // a newer reload is on its way
        if (!result.ok) {
            Q_EMIT failed(result.error);
            return;
        }
        apply(result.stats);
    });
    const std::string path = workspacePath.toStdString();
    watcher->setFuture(QtConcurrent::run([path]() {
        Loaded out;
        try {
            store::Workspace ws(path);
            out.stats = store::StatsRepository(ws.db()).perTask();
            out.ok = true;
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        }
        return out;
    }));
}

void WorkspaceSummary::apply(const std::vector<store::TaskStats>& stats)
{
    m_stats = stats;
    removeRows(0, rowCount());
    qint64 instances = 0, teacher = 0, rationales = 0;
    for (const auto& s : stats) {
        auto number = [](qint64 v) {
            auto* item = new QStandardItem(QLocale().toString(v));
            item->setData(v, Qt::UserRole);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            return item;
        };
        QList<QStandardItem*> row;
        row << new QStandardItem(QString::fromStdString(s.task))
            << new QStandardItem(QString::fromStdString(s.answerKind)) << number(s.instances)
            << new QStandardItem(QString("%1 / %2 / %3")
                                     .arg(QLocale().toString(s.trainInstances), QLocale().toString(s.devInstances),
                                          QLocale().toString(s.testInstances)))
            << number(s.teacherRationales);
        auto* per = new QStandardItem(QString::number(s.teacherPerInstance(), 'f', 2));
        per->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        row << per;
        const auto a = stats::wilson(s.teacherCorrect, s.teacherJudged);
        auto* acc = new QStandardItem(
            s.teacherJudged ? QString("%1% [%2, %3]  (%4 of %5)")
                                  .arg(100.0 * a.estimate, 0, 'f', 1)
                                  .arg(100.0 * a.low, 0, 'f', 1)
                                  .arg(100.0 * a.high, 0, 'f', 1)
                                  .arg(QLocale().toString(s.teacherCorrect), QLocale().toString(s.teacherJudged))
            : s.teacherRationales ? tr("not judged (no gold answers)")
                                  : tr("no teacher rationales"));
        acc->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        auto* others = new QStandardItem(
            QString("%1 / %2").arg(QLocale().toString(s.studentRationales), QLocale().toString(s.humanRationales)));
        others->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        others->setToolTip(tr("Student rationales are written by evaluated students; corpora and training leave "
                              "them out unless a recipe opts in"));
        row << acc << others;
        for (auto* item : row)
            item->setEditable(false);
        appendRow(row);
        instances += s.instances;
        teacher += s.teacherRationales;
        rationales += s.rationales;
    }
    Q_EMIT loaded(qint64(stats.size()), instances, teacher, rationales - teacher);
}

} // namespace cotlab::ui
