#pragma once

// What a recipe would keep: a table of what is left after each step (instances, rationales, how many the step
// removed, accuracy, mean length), the rationales per instance of the result, and what a chosen step removed.
#include "store/CorpusRepository.h"

#include <QWidget>
#include <vector>

class QCustomPlot;
class QLabel;
class QTabWidget;
class QTableWidget;
class QTextBrowser;

namespace cotlab::ui {

class CorpusPreview : public QWidget {
    Q_OBJECT

public:
    explicit CorpusPreview(QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    void setStatus(const QString& text);
    // What the recipe keeps from the store's rationales of `sources`.
    void show(const store::BuiltCorpus& built, const QStringList& sources);
    // How a loaded saved corpus differs from its recipe rebuilt now ("" hides it); the button offers to save the
    // rebuild under a new name.
    void showDrift(const QString& text, bool differs);
    // The ids the step (counted from 1) removed, in the preview on show.
    const std::vector<int64_t>* removedBy(int step) const;
    void showRemoved(int step, const QString& html);
    QString removedText() const;

Q_SIGNALS:
    void stepChosen(int step); // a step's row was selected in the table
    void saveRebuildRequested();

private:
    QLabel* m_status;
    QLabel* m_drift;
    class QPushButton* m_saveRebuild;
    QTableWidget* m_table;
    QCustomPlot* m_plot;
    QTextBrowser* m_removed;
    QTabWidget* m_tabs;
    std::vector<std::vector<int64_t>> m_removedIds; // of the preview on show, per step
};

} // namespace cotlab::ui
