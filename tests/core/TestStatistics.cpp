// The intervals and tests that CoTLab's reported numbers carry, against R 4.2.2's own values
// (tests/data/stats/reference.R prints them): Wilson = prop.test(x, n, correct = FALSE)$conf.int, Clopper-Pearson =
// binom.test(x, n)$conf.int, McNemar's exact p = binom.test(min(b, c), b + c)$p.value, Newcombe's paired interval
// (method 10) on R's Wilson intervals.
#include "stats/Proportions.h"

#include <QtTest>
#include <cmath>

using namespace cotlab;

namespace {

struct Expected {
    int64_t x, n;
    double wilsonLow, wilsonHigh, cpLow, cpHigh;
};

// From tests/data/stats/reference.R.
const Expected kProportions[] = {
    {0, 1, 0.0000000000, 0.7934506856, 0.0000000000, 0.9750000000},
    {1, 1, 0.2065493144, 1.0000000000, 0.0250000000, 1.0000000000},
    {0, 5, 0.0000000000, 0.4344824648, 0.0000000000, 0.5218237501},
    {3, 5, 0.2307242813, 0.8823792258, 0.1466327996, 0.9472550495},
    {5, 5, 0.5655175352, 1.0000000000, 0.4781762499, 1.0000000000},
    {1, 20, 0.0088814488, 0.2361311934, 0.0012650895, 0.2487327628},
    {10, 20, 0.2992980082, 0.7007019918, 0.2719578496, 0.7280421504},
    {20, 20, 0.8388748419, 1.0000000000, 0.8315665290, 1.0000000000},
    {500, 1000, 0.4690696004, 0.5309303996, 0.4685491730, 0.5314508270},
    {1, 1000, 0.0001765464, 0.0056425586, 0.0000253175, 0.0055589243},
    {999, 1000, 0.9943574414, 0.9998234536, 0.9944410757, 0.9999746825},
};

bool near(double a, double b, double tolerance = 1e-9)
{
    return std::fabs(a - b) <= tolerance;
}

} // namespace

class TestStatistics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void proportionsMatchR()
    {
        for (const auto& e : kProportions) {
            const auto w = stats::wilson(e.x, e.n);
            const auto cp = stats::clopperPearson(e.x, e.n);
            const QByteArray where = QByteArray::number(qint64(e.x)) + "/" + QByteArray::number(qint64(e.n));
            QVERIFY2(near(w.estimate, double(e.x) / double(e.n)), where);
            QVERIFY2(near(w.low, e.wilsonLow) && near(w.high, e.wilsonHigh),
                     where + " Wilson " + QByteArray::number(w.low, 'f', 10) + " " +
                         QByteArray::number(w.high, 'f', 10));
            QVERIFY2(near(cp.low, e.cpLow) && near(cp.high, e.cpHigh), where + " Clopper-Pearson " +
                                                                           QByteArray::number(cp.low, 'f', 10) + " " +
                                                                           QByteArray::number(cp.high, 'f', 10));
            QCOMPARE(w.n, e.n);
            QCOMPARE(w.successes, e.x);
            QVERIFY(w.method == stats::IntervalMethod::Wilson);
            QVERIFY(cp.method == stats::IntervalMethod::ClopperPearson);
        }
    }

    void smallSamplesDoNotCollapse()
    {
        // The cases the issue named: 0 of 5 and 1 of 20 keep honest widths (a percentile bootstrap gave [0, 0] and
        // [0, 15]).
        const auto none = stats::wilson(0, 5);
        QCOMPARE(none.low, 0.0);
        QVERIFY(none.high > 0.43);
        const auto one = stats::wilson(1, 20);
        QVERIFY(one.low > 0.008 && one.high > 0.23);
        // Nothing observed: nothing known.
        const auto empty = stats::wilson(0, 0);
        QCOMPARE(empty.n, int64_t(0));
        QCOMPARE(empty.estimate, 0.0);
        QCOMPARE(empty.low, 0.0);
        QCOMPARE(empty.high, 1.0);
        QCOMPARE(stats::clopperPearson(0, 0).high, 1.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, stats::wilson(6, 5));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, stats::wilson(1, 5, 1.5));
    }

    void levelsOtherThan95()
    {
        // prop.test(10, 20, conf.level = 0.9, correct = FALSE): z = qnorm(0.95) = 1.644853627.
        QVERIFY(near(stats::normalQuantile(0.95), 1.6448536269514722, 1e-12));
        QVERIFY(near(stats::normalQuantile(0.975), 1.959963984540054, 1e-12));
        QVERIFY(near(stats::normalQuantile(1e-10), -6.361340902404056, 1e-9));
        const auto w90 = stats::wilson(10, 20, 0.9);
        const auto w95 = stats::wilson(10, 20);
        QVERIFY(w90.low > w95.low && w90.high < w95.high);
        QCOMPARE(w90.level, 0.9);
    }

    void mcnemarOnPublishedTables()
    {
        // Agresti (2002), Categorical Data Analysis, Table 10.1: approval of the Prime Minister in two surveys of the
        // same 1,600 people: 794 approve twice, 150 approve then disapprove, 86 the reverse, 570 disapprove twice.
        const auto approval = stats::mcnemar(794, 150, 86, 570);
        QCOMPARE(approval.n, int64_t(1600));
        QVERIFY(near(approval.pValue, 3.71593613957e-05, 1e-15));
        QVERIFY(near(approval.firstAccuracy, 0.59));
        QVERIFY(near(approval.secondAccuracy, 0.55));
        QVERIFY(near(approval.difference, -0.04));
        // Newcombe's interval for first - second is [0.0212304240, 0.0587038729]; ours is for second - first.
        QVERIFY(near(approval.low, -0.0587038729) && near(approval.high, -0.0212304240));
        // Altman et al. (2000), Statistics with Confidence, Table 6.2.
        const auto altman = stats::mcnemar(14, 5, 0, 22);
        QVERIFY(near(altman.low, -0.2264926844) && near(altman.high, -0.0114832414));
        QVERIFY(near(altman.pValue, 0.0625));
        QVERIFY(near(stats::mcnemar(1, 10, 2, 1).pValue, 0.03857421875));
        QCOMPARE(stats::mcnemar(5, 3, 3, 5).pValue, 1.0);
        QCOMPARE(stats::mcnemar(0, 0, 1, 0).pValue, 1.0);
        // From per-item outcomes: the same counts.
        std::vector<std::pair<bool, bool>> items;
        for (int k = 0; k < 14; ++k)
            items.emplace_back(true, true);
        for (int k = 0; k < 5; ++k)
            items.emplace_back(true, false);
        for (int k = 0; k < 22; ++k)
            items.emplace_back(false, false);
        const auto fromItems = stats::mcnemar(items);
        QCOMPARE(fromItems.onlyFirst, int64_t(5));
        QCOMPARE(fromItems.bothWrong, int64_t(22));
        QCOMPARE(fromItems.low, altman.low);
        // No items: no difference known.
        const auto none = stats::mcnemar(0, 0, 0, 0);
        QCOMPARE(none.pValue, 1.0);
        QCOMPARE(none.low, -1.0);
        QCOMPARE(none.high, 1.0);
    }

    void distributions()
    {
        // pbeta(0.3, 2, 5) and pbinom(3, 10, 0.5) in R.
        QVERIFY(near(stats::regularizedBeta(0.3, 2, 5), 0.579825, 1e-6));
        QVERIFY(near(stats::binomialCdf(3, 10, 0.5), 0.171875, 1e-12));
        QVERIFY(near(stats::betaQuantile(stats::regularizedBeta(0.42, 3.5, 7), 3.5, 7), 0.42, 1e-12));
        QCOMPARE(stats::binomialCdf(-1, 10, 0.5), 0.0);
        QCOMPARE(stats::binomialCdf(10, 10, 0.5), 1.0);
    }
};

QTEST_GUILESS_MAIN(TestStatistics)
#include "TestStatistics.moc"
