// The Browse table's model over the real 40-samples date rationales: rows arrive from the background scan, pages
// load on demand, filters and sorts restart it, and QAbstractItemModelTester checks it obeys the model rules.
#include "browse/RationaleTableModel.h"
#include "ingest/Importer.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using namespace cotlab;
using ui::RationaleTableModel;

namespace {

// Waits for the scan to finish and returns the final count.
qint64 waitForCount(RationaleTableModel& model)
{
    if (!model.counting())
        return model.rowCount();
    QSignalSpy spy(&model, &RationaleTableModel::countChanged);
    for (int k = 0; k < 200 && model.counting(); ++k)
        spy.wait(100);
    return model.rowCount();
}

// Asks for a row and waits until its page is in.
QVariant waitForData(RationaleTableModel& model, int row, int column, int role = Qt::DisplayRole)
{
    const QModelIndex index = model.index(row, column);
    model.data(index, role);
    QElapsedTimer clock;
    clock.start();
    while (!model.data(index, RationaleTableModel::LoadedRole).toBool() && clock.elapsed() < 10000)
        QTest::qWait(5);
    return model.data(index, role);
}

} // namespace

class TestRationaleTableModel : public QObject {
    Q_OBJECT

    test::TempDir m_dir;
    QString m_path;
    qint64 m_total = 0;

private Q_SLOTS:
    void initTestCase()
    {
        COTLAB_REQUIRE_SHARED();
        m_path = QString::fromStdString(m_dir.path("date.cotlab"));
        test::importDate40(m_path.toStdString());
        store::Workspace ws(m_path.toStdString());
        m_total = test::scalar(ws.db(), "SELECT count(*) FROM rationales");
    }

    void passesTheModelTester()
    {
        RationaleTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy first(&model, &RationaleTableModel::firstRowsLoaded);
        model.setWorkspace(m_path);
        QCOMPARE(waitForCount(model), m_total);
        QVERIFY(first.count() == 1 || first.wait(5000));
        QCOMPARE(waitForData(model, 0, RationaleTableModel::Task).toString(), QString("date_mmddyyyy"));
        QCOMPARE(waitForData(model, 0, RationaleTableModel::Instance).toString(), QString("date-0"));
        // A row far down loads on demand.
        const int last = model.rowCount() - 1;
        QCOMPARE(waitForData(model, last, RationaleTableModel::Sample).toLongLong(), qint64(39));
        QVERIFY(!waitForData(model, last, RationaleTableModel::Rationale).toString().isEmpty());

        // Sorting by length, longest first.
        model.sort(RationaleTableModel::Length, Qt::DescendingOrder);
        QCOMPARE(waitForCount(model), m_total);
        const qint64 longest = waitForData(model, 0, RationaleTableModel::Length).toLongLong();
        const qint64 next = waitForData(model, 300, RationaleTableModel::Length).toLongLong();
        QVERIFY(longest >= next);
        store::Workspace ws(m_path.toStdString());
        QCOMPARE(longest, test::scalar(ws.db(), "SELECT max(length(text)) FROM rationales"));

        // Filter: wrong answers only; then a search inside them.
        store::RationaleFilter wrong;
        wrong.correctness = store::RationaleFilter::Correctness::Wrong;
        model.setFilter(wrong);
        QCOMPARE(waitForCount(model), test::scalar(ws.db(), "SELECT count(*) FROM rationales WHERE correct = 0"));
        QCOMPARE(waitForData(model, 0, RationaleTableModel::Correct).toString(), QString("✗ no"));
        wrong.search = "birthday";
        model.setFilter(wrong);
        const qint64 hits = waitForCount(model);
        QVERIFY(hits > 0 && hits < m_total);
        const QString snippet = waitForData(model, 0, 0, RationaleTableModel::SnippetRole).toString();
        QVERIFY2(snippet.contains(QChar(store::kMatchStart) + QString("birthday"), Qt::CaseInsensitive),
                 qPrintable(snippet));
    }

    void aBadSearchSaysWhy()
    {
        RationaleTableModel model;
        model.setWorkspace(m_path);
        waitForCount(model);
        QSignalSpy failed(&model, &RationaleTableModel::queryFailed);
        store::RationaleFilter f;
        f.search = "AND OR";
        model.setFilter(f);
        QVERIFY(failed.count() == 1 || failed.wait(5000));
        QVERIFY2(failed.first().first().toString().contains("syntax error"),
                 qPrintable(failed.first().first().toString()));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.counting());
    }

    void quickChangesKeepOnlyTheLastQuery()
    {
        RationaleTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setWorkspace(m_path);
        store::RationaleFilter f;
        for (int minLength : {100, 200, 300, 400, 500}) {
            f.minLength = minLength;
            model.setFilter(f); // each overtakes the one before, whose answers are dropped
        }
        store::Workspace ws(m_path.toStdString());
        QCOMPARE(waitForCount(model),
                 test::scalar(ws.db(), "SELECT count(*) FROM rationales WHERE length(text) >= 500"));
        for (int row = 0; row < model.rowCount(); row += 97)
            QVERIFY(waitForData(model, row, RationaleTableModel::Length).toLongLong() >= 500);
    }
};

QTEST_MAIN(TestRationaleTableModel)
#include "TestRationaleTableModel.moc"
