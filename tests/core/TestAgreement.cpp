// Agreement statistics against published worked examples (each cited where it is used).
#include "review/Agreement.h"

#include <QtTest>
#include <stdexcept>

using namespace cotlab::review;

namespace {

using Ratings = std::vector<std::vector<std::optional<int>>>;

// Two annotators' labels from a contingency table: table[i][j] units rated i by the first and j by the second.
std::pair<std::vector<std::optional<int>>, std::vector<std::optional<int>>>
fromTable(const std::vector<std::vector<int>>& table)
{
    std::vector<std::optional<int>> a, b;
    for (size_t i = 0; i < table.size(); ++i)
        for (size_t j = 0; j < table[i].size(); ++j)
            for (int n = 0; n < table[i][j]; ++n) {
                a.push_back(int(i));
                b.push_back(int(j));
            }
    return {a, b};
}

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units, values 1-5,
// missing data (0 here marks a missing value). Published: nominal 0.743, ordinal 0.815, interval 0.849.
Ratings krippendorff2011C()
{
    const int observers[4][12] = {{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
                                  {1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
                                  {0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
                                  {1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0}};
    Ratings units(12, std::vector<std::optional<int>>(4));
    for (int o = 0; o < 4; ++o)
        for (int u = 0; u < 12; ++u)
            if (observers[o][u])
                units[size_t(u)][size_t(o)] = observers[o][u] - 1;
    return units;
}

} // namespace

class TestAgreement : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cohensKappaWorkedExamples()
    {
        // Wikipedia, "Cohen's kappa", simple example: 50 proposals, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no:
        // po = 0.7, pe = 0.5, kappa = 0.4.
        auto [a, b] = fromTable({{20, 5}, {10, 15}});
        QCOMPARE(cohensKappa(a, b).value(), 0.4);
        // SAS's FREQ example as in statsmodels' test_inter_rater (table10): kappa 0.4842.
        auto [c, d] = fromTable({{0, 4, 1}, {0, 8, 0}, {0, 1, 5}});
        QVERIFY(std::abs(cohensKappa(c, d).value() - 0.4842) < 5e-5);
        // Units one annotator skipped do not count.
        a.push_back(std::nullopt);
        b.push_back(1);
        QCOMPARE(cohensKappa(a, b).value(), 0.4);
        // Undefined: no shared unit, or both always chose the same category.
        QVERIFY(!cohensKappa({std::nullopt}, {1}));
        QVERIFY(!cohensKappa({1, 1, 1}, {1, 1, 1}));
    }

    void fleissKappaWorkedExamples()
    {
        // Fleiss (1971), "Measuring nominal scale agreement among many raters", Table 1: 30 patients, 6
        // psychiatrists each, 5 diagnoses (depression, personality disorder, schizophrenia, neurosis, other).
        // Fleiss reports kappa = .430; R irr::kappam.fleiss(diagnoses) gives 0.4302445.
        const int diagnoses[30][6] = {
            {4, 4, 4, 4, 4, 4}, {2, 2, 2, 5, 5, 5}, {2, 3, 3, 3, 3, 5}, {5, 5, 5, 5, 5, 5}, {2, 2, 2, 4, 4, 4},
            {1, 1, 3, 3, 3, 3}, {3, 3, 3, 3, 5, 5}, {1, 1, 3, 3, 3, 4}, {1, 1, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5},
            {1, 4, 4, 4, 4, 4}, {1, 2, 4, 4, 4, 4}, {2, 2, 2, 3, 3, 3}, {1, 4, 4, 4, 4, 4}, {2, 2, 4, 4, 4, 5},
            {3, 3, 3, 3, 3, 5}, {1, 1, 1, 4, 5, 5}, {1, 1, 1, 1, 1, 2}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 5, 5, 5},
            {5, 5, 5, 5, 5, 5}, {2, 4, 4, 4, 4, 4}, {2, 2, 4, 5, 5, 5}, {1, 1, 4, 4, 4, 4}, {1, 4, 4, 4, 4, 5},
            {2, 2, 2, 2, 2, 4}, {1, 1, 1, 1, 5, 5}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 3, 3, 3}, {5, 5, 5, 5, 5, 5}};
        std::vector<std::vector<int64_t>> counts;
        for (const auto& patient : diagnoses) {
            std::vector<int64_t> row(5, 0);
            for (int d : patient)
                ++row[size_t(d - 1)];
            counts.push_back(row);
        }
        const double kappa = fleissKappa(counts).value();
        QVERIFY2(std::abs(kappa - 0.4302445) < 5e-8, QByteArray::number(kappa, 'f', 8));
        QCOMPARE(QString::number(kappa, 'f', 3), QString("0.430"));

        // Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories: kappa = 0.210.
        const std::vector<std::vector<int64_t>> wikipedia{
            {0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
            {7, 7, 0, 0, 0},  {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7}};
        QCOMPARE(QString::number(fleissKappa(wikipedia).value(), 'f', 3), QString("0.210"));

        // Every unit needs the same number of ratings.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fleissKappa({{2, 0}, {1, 0}}));
    }

    void krippendorffAlphaWorkedExamples()
    {
        const Ratings c = krippendorff2011C();
        QCOMPARE(QString::number(krippendorffAlpha(c, AlphaMetric::Nominal).value(), 'f', 3), QString("0.743"));
        QCOMPARE(QString::number(krippendorffAlpha(c, AlphaMetric::Ordinal).value(), 'f', 3), QString("0.815"));
        QCOMPARE(QString::number(krippendorffAlpha(c, AlphaMetric::Interval).value(), 'f', 3), QString("0.849"));

        // Krippendorff (2011), section A: two observers, binary data, 10 units; published alpha = 0.095.
        const int a[10] = {0, 1, 0, 0, 0, 0, 0, 0, 1, 0};
        const int b[10] = {1, 1, 1, 0, 0, 1, 0, 0, 0, 0};
        Ratings binary;
        for (int u = 0; u < 10; ++u)
            binary.push_back({a[u], b[u]});
        QCOMPARE(QString::number(krippendorffAlpha(binary, AlphaMetric::Nominal).value(), 'f', 3), QString("0.095"));

        // With two annotators and no missing data, nominal alpha is Cohen's kappa's sibling (Scott's pi corrected
        // for small samples); with perfect agreement it is 1 whatever the metric.
        Ratings perfect{{0, 0}, {1, 1}, {2, 2}, {1, 1}};
        QCOMPARE(krippendorffAlpha(perfect, AlphaMetric::Ordinal).value(), 1.0);
        // Nothing pairable, or one value only: undefined.
        QVERIFY(!krippendorffAlpha({{0, std::nullopt}, {std::nullopt, 1}}, AlphaMetric::Nominal));
        QVERIFY(!krippendorffAlpha({{1, 1}, {1, 1}}, AlphaMetric::Nominal));
    }

    void bootstrapIntervalsAreSeededAndContainTheMean()
    {
        std::vector<double> values;
        for (int i = 0; i < 60; ++i)
            values.push_back(i % 3 == 0 ? 1.0 : 0.0);
        const MeanInterval first = bootstrapMean(values, 7);
        const MeanInterval again = bootstrapMean(values, 7);
        QCOMPARE(first.n, int64_t(60));
        QCOMPARE(first.mean, 20.0 / 60.0);
        QCOMPARE(first.low, again.low);
        QCOMPARE(first.high, again.high);
        QVERIFY(first.low < first.mean && first.mean < first.high);
        // The binomial standard error is 0.061: a 95% interval is about +-0.12 wide.
        QVERIFY(first.high - first.low > 0.17 && first.high - first.low < 0.31);
        const MeanInterval constant = bootstrapMean({4, 4, 4});
        QCOMPARE(constant.low, 4.0);
        QCOMPARE(constant.high, 4.0);
        QCOMPARE(bootstrapMean({}).n, int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestAgreement)
#include "TestAgreement.moc"
