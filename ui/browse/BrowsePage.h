#pragma once

// The Browse page: every rationale of the workspace in a table that stays responsive at a million rows, with
// filters (task, split, source, model, correctness, length, tag) and FTS5 full-text search whose matches are
// highlighted; the selected row's instance with all of its samples, their statistics, notes and tags (saved at
// once); and plots of the filtered rows, which can be saved as PNG or PDF. All SQL runs on worker threads.
#include "async/WorkspaceThread.h"
#include "store/RationaleBrowser.h"

#include <QWidget>
#include <atomic>
#include <optional>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTabWidget;
class QTableView;
class QTimer;

namespace cotlab::ui {

class BrowseFilters;
class InstanceView;
class RationaleTableModel;
struct InstanceDetail;

class BrowsePage : public QWidget {
    Q_OBJECT

public:
    explicit BrowsePage(QWidget* parent = nullptr);
    ~BrowsePage() override;

    void setWorkspace(const QString& path);
    // Re-reads rows, filter values and the shown instance (after an import, a training run or an evaluation).
    void refresh();
    // Filters to one model's rationales of a source (e.g. the student rationales an evaluation wrote).
    void showRationalesOf(const QString& source, const QString& model);
    void focusSearch();
    void clearFilters();

    RationaleTableModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    InstanceView* instanceView() const { return m_instance; }
    store::RationaleFilter filter() const;
    // Plots: "teacher-accuracy", "lengths", "samples", "agreement".
    QCustomPlot* plot(const QString& name) const;
    bool savePlotTo(const QString& name, const QString& path) const;
    void showPlots();
    bool plotsCurrent() const { return m_plotsGeneration == m_filterGeneration; }

Q_SIGNALS:
    void instanceShown(qint64 instanceId);
    void annotationSaved();
    void plotsUpdated();

private:
    QWidget* buildPlots();
    void applyFilter();
    void loadFacets();
    void onCurrentRowChanged(int row);
    void loadInstance(qint64 rationaleId);
    void onInstanceLoaded(quint64 request, const InstanceDetail& detail, qint64 rationaleId);
    void saveAnnotation(int target, qint64 id, const std::string& note, const std::vector<std::string>& tags);
    void updatePlots();
    void showMessage(const QString& text, bool error);

    QString m_path;
    RationaleTableModel* m_model;
    QTableView* m_table;
    InstanceView* m_instance;
    QTabWidget* m_detailTabs;
    BrowseFilters* m_filters;
    QLabel* m_message;
    QCustomPlot *m_accuracyPlot, *m_lengthPlot, *m_samplesPlot, *m_agreementPlot;
    quint64 m_instanceRequest = 0;
    quint64 m_filterGeneration = 0;
    quint64 m_plotsGeneration = 0;
    std::atomic<quint64> m_latestFilter{0}; // for the plots' worker to stop when the filter changes
    WorkspaceThread m_store;                // facets, instances, annotations, plots' aggregates
};

} // namespace cotlab::ui
