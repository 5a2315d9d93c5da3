#pragma once

// What a human evaluation study found, for the Review page: its description, the results (pairwise: how often each
// source was preferred and the ties; single: mean ratings) and the agreement per criterion (observed, Cohen's kappa
// per pair, Fleiss' kappa, Krippendorff's alpha) as tables and plots, and each annotator's progress.
#include "review/Study.h"

#include <QWidget>
#include <functional>

class QCustomPlot;
class QLabel;
class QTableWidget;

namespace cotlab::ui {

class StudyResults : public QWidget {
    Q_OBJECT

public:
    // `folder` is where the plots' save dialogs start; `report` hears what saving did.
    StudyResults(std::function<QString()> folder, std::function<void(const QString&, bool)> report,
                 QWidget* parent = nullptr);

    void show(const review::StudyReport& report);
    void clear(bool noStudies); // with the words for an empty workspace when it has no study
    QTableWidget* resultsTable() const { return m_results; }
    QTableWidget* agreementTable() const { return m_agreement; }
    QTableWidget* annotatorTable() const { return m_annotators; }
    QCustomPlot* plot(const QString& name) const; // "results" or "agreement"

private:
    void showTitle(const review::StudyReport& report);
    void showResults(const review::StudyReport& report);
    void showAgreement(const review::StudyReport& report);

    QLabel* m_title;
    QTableWidget* m_annotators;
    QTableWidget* m_results;
    QTableWidget* m_agreement;
    QCustomPlot* m_resultsPlot;
    QCustomPlot* m_agreementPlot;
};

} // namespace cotlab::ui
