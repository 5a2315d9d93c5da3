#include "browse/BrowsePage.h"

#include "answers/AnswerExtractor.h"
#include "async/PostThen.h"
#include "browse/BrowseFilters.h"
#include "browse/BrowsePlots.h"
#include "browse/InstanceView.h"
#include "browse/RationaleTableModel.h"
#include "common/CachedTextDelegate.h"
#include "common/FormWidgets.h"
#include "common/PlotFiles.h"
#include "common/QCustomPlotInclude.h"
#include "common/SnippetDelegate.h"
#include "store/RationaleRepository.h"

#include <QComboBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

QCustomPlot* newPlot(const QString& name)
{
    auto* plot = new QCustomPlot;
    plot->setObjectName(name);
    plot->setMinimumSize(260, 200);
    return plot;
}

} // namespace

BrowsePage::BrowsePage(QWidget* parent)
    : QWidget(parent), m_model(new RationaleTableModel(this)), m_table(new QTableView), m_instance(new InstanceView),
      m_detailTabs(new QTabWidget), m_filters(new BrowseFilters), m_message(new QLabel),
      m_accuracyPlot(newPlot("teacher-accuracy")), m_lengthPlot(newPlot("lengths")), m_samplesPlot(newPlot("samples")),
      m_agreementPlot(newPlot("agreement"))
{
    m_table->setObjectName("table");
    m_table->setModel(m_model);
    m_table->setItemDelegate(new CachedTextDelegate(m_table));
    m_table->setItemDelegateForColumn(RationaleTableModel::Rationale, new SnippetDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setTabKeyNavigation(false); // Tab leaves the table for the note and tag fields; arrows move within it
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed); // no per-row size queries
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // storage order until a header is clicked
    m_table->setSortingEnabled(true);
    const int widths[] = {120, 50, 70, 60, 120, 55, 80, 80, 60, 55, 65};
    for (int c = 0; c < int(std::size(widths)); ++c)
        m_table->setColumnWidth(c, widths[c]);
    // The rationale's start (or the search's snippet) right after the sample number, where it is seen first.
    m_table->horizontalHeader()->moveSection(RationaleTableModel::Rationale, RationaleTableModel::Answer);
    m_table->setColumnWidth(RationaleTableModel::Rationale, 320);
    m_table->horizontalHeader()->setStretchLastSection(false);

    m_message->setObjectName("message");
    m_message->setWordWrap(true);
    m_message->hide();

    m_detailTabs->setObjectName("detailTabs");
    m_detailTabs->addTab(m_instance, tr("&Instance"));
    m_detailTabs->addTab(buildPlots(), tr("Plot&s"));

    auto* split = new QSplitter(Qt::Horizontal);
    split->setObjectName("browseSplitter");
    split->addWidget(m_table);
    split->addWidget(m_detailTabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setSizes({760, 640});

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_filters);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);

    connect(m_filters, &BrowseFilters::changed, this, &BrowsePage::applyFilter);
    connect(m_model, &RationaleTableModel::countChanged, m_filters, &BrowseFilters::setCount);
    connect(m_model, &RationaleTableModel::queryFailed, this, [this](const QString& message) {
        showMessage(tr("Cannot run this search or filter: %1").arg(message), true);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { onCurrentRowChanged(current.isValid() ? current.row() : -1); });
    connect(m_instance, &InstanceView::annotationEdited, this,
            [this](store::AnnotationTarget target, qint64 id, const store::Annotation& a) {
                saveAnnotation(int(target), id, a.note, a.tags);
            });
    connect(m_detailTabs, &QTabWidget::currentChanged, this, [this] {
        if (m_detailTabs->currentIndex() == 1 && !plotsCurrent())
            updatePlots();
    });
}

BrowsePage::~BrowsePage()
{
    m_store.cancelAll();
}

QWidget* BrowsePage::buildPlots()
{
    auto* page = new QWidget;
    auto* grid = new QGridLayout(page);
    const std::pair<QCustomPlot*, QString> plots[] = {{m_accuracyPlot, "teacher-accuracy"},
                                                      {m_lengthPlot, "lengths"},
                                                      {m_samplesPlot, "samples"},
                                                      {m_agreementPlot, "agreement"}};
    for (int k = 0; k < 4; ++k) {
        auto* cell = new QVBoxLayout;
        cell->addWidget(plots[k].first, 1);
        auto* row = new QHBoxLayout;
        row->addStretch(1);
        row->addWidget(savePlotButton(
            plots[k].first, plots[k].second, [this] { return dialogFolder(m_path); },
            [this](const QString& message, bool error) { showMessage(message, error); }));
        cell->addLayout(row);
        grid->addLayout(cell, k / 2, k % 2);
    }
    return page;
}

void BrowsePage::setWorkspace(const QString& path)
{
    m_path = path;
    m_store.cancelAll();
    m_store.setWorkspace(path.toStdString());
    m_instance->clear(tr("Select a rationale to see its question and all of its samples."));
    {
        const QSignalBlocker block(m_filters);
        m_filters->setFacets({}, {}, {});
    }
    ++m_filterGeneration;
    m_latestFilter = m_filterGeneration;
    m_model->setWorkspace(path);
    m_model->setFilter(filter());
    loadFacets();
    if (m_detailTabs->currentIndex() == 1)
        updatePlots();
}

void BrowsePage::refresh()
{
    if (m_path.isEmpty())
        return;
    ++m_filterGeneration;
    m_latestFilter = m_filterGeneration;
    m_model->refresh();
    loadFacets();
    if (m_instance->instanceId())
        loadInstance(m_instance->selectedRationale());
    if (m_detailTabs->currentIndex() == 1)
        updatePlots();
}

void BrowsePage::loadFacets()
{
    postThen(
        m_store, this,
        [](store::Database& db) {
            const auto facets = store::browseFacets(db);
            auto list = [](const std::vector<std::string>& v) {
                QStringList out;
                for (const auto& s : v)
                    out << QString::fromStdString(s);
                return out;
            };
            return std::array{list(facets.tasks), list(facets.models), list(facets.tags)};
        },
        [this](const std::array<QStringList, 3>& facets) { m_filters->setFacets(facets[0], facets[1], facets[2]); },
        [this](const QString& message) { showMessage(message, true); });
}

store::RationaleFilter BrowsePage::filter() const
{
    return m_filters->filter();
}

void BrowsePage::applyFilter()
{
    const auto f = filter();
    if (f == m_model->filter() && !m_path.isEmpty())
        return;
    m_message->hide();
    ++m_filterGeneration;
    m_latestFilter = m_filterGeneration;
    m_model->setFilter(f);
    if (m_detailTabs->currentIndex() == 1)
        updatePlots();
}

void BrowsePage::clearFilters()
{
    m_filters->clear();
}

void BrowsePage::showRationalesOf(const QString& source, const QString& model)
{
    m_filters->showOnly(source, model);
}

void BrowsePage::focusSearch()
{
    m_filters->focusSearch();
}

void BrowsePage::showMessage(const QString& text, bool error)
{
    showMessageIn(m_message, text, error);
    m_message->show();
}

void BrowsePage::onCurrentRowChanged(int row)
{
    if (row < 0)
        return;
    const qint64 rationale = m_model->rationaleId(row);
    const store::BrowseRow* loaded = m_model->rowAt(row);
    if (loaded && loaded->instanceId == m_instance->instanceId()) {
        m_instance->selectRationale(rationale); // another sample of the instance on show
        return;
    }
    loadInstance(rationale);
}

void BrowsePage::loadInstance(qint64 rationaleId)
{
    const quint64 request = ++m_instanceRequest;
    postThen(
        m_store, this,
        [rationaleId](store::Database& db) -> std::optional<InstanceDetail> {
            store::RationaleRepository rationales(db);
            const auto owner = rationales.instanceOf(rationaleId);
            auto found = owner ? rationales.instance(*owner) : std::nullopt;
            if (!found)
                return std::nullopt;
            InstanceDetail detail;
            detail.instance = std::move(found->first);
            detail.rationales = std::move(found->second);
            detail.stats = store::sampleStats(detail.rationales);
            for (const auto& r : detail.rationales)
                detail.answerSentences.push_back(r.answerSentence ? *r.answerSentence
                                                                  : std::string(answers::answerSentenceOf(r.text)));
            store::AnnotationRepository notes(db);
            detail.note = notes.get(store::AnnotationTarget::Instance, *owner);
            detail.rationaleNotes = notes.ofInstanceRationales(*owner);
            return detail;
        },
        [this, request, rationaleId](const std::optional<InstanceDetail>& detail) {
            if (detail)
                onInstanceLoaded(request, *detail, rationaleId);
        },
        {}, taskOptions({}, true));
}

void BrowsePage::onInstanceLoaded(quint64 request, const InstanceDetail& detail, qint64 rationaleId)
{
    if (request != m_instanceRequest)
        return; // the user moved on
    m_instance->show(detail, rationaleId, InstanceView::searchTerms(m_filters->searchText()));
    Q_EMIT instanceShown(detail.instance.id);
}

void BrowsePage::saveAnnotation(int target, qint64 id, const std::string& note, const std::vector<std::string>& tags)
{
    const store::Annotation annotation{note, tags};
    postThen(
        m_store, this,
        [target, id, annotation](store::Database& db) {
            store::AnnotationRepository notes(db);
            notes.set(store::AnnotationTarget(target), id, annotation);
            // New tags become filter values; the other filter values cannot have changed (reading the models
            // takes a scan of the store, which a saved note need not pay for).
            QStringList tags;
            for (const auto& tag : notes.allTags())
                tags << QString::fromStdString(tag);
            return tags;
        },
        [this](const QStringList& tags) {
            showMessage(tr("Saved."), false);
            QTimer::singleShot(2000, m_message, &QLabel::hide);
            m_filters->setTags(tags);
            Q_EMIT annotationSaved();
        },
        [this](const QString& m) { showMessage(tr("The note or tags were not saved: %1").arg(m), true); },
        taskOptions({}, true));
}

void BrowsePage::showPlots()
{
    m_detailTabs->setCurrentIndex(1);
    if (!plotsCurrent())
        updatePlots();
}

void BrowsePage::updatePlots()
{
    if (m_path.isEmpty())
        return;
    const quint64 generation = m_filterGeneration;
    postThen(
        m_store, this,
        [this, generation, f = filter()](store::Database& db) {
            // Dropped (nullopt) as soon as the filter changes again.
            return store::RationaleBrowser(db, f, {}).aggregates(
                [this, generation] { return m_latestFilter != generation; });
        },
        [this, generation](const auto& aggregates) {
            if (!aggregates || generation != m_filterGeneration)
                return;
            plotTeacherAccuracy(m_accuracyPlot, aggregates->teacherAccuracy);
            plotLengthHistogram(m_lengthPlot, aggregates->lengths);
            plotSamplesPerInstance(m_samplesPlot, aggregates->samplesPerInstance);
            plotAgreement(m_agreementPlot, aggregates->agreementPerInstance);
            m_plotsGeneration = generation;
            Q_EMIT plotsUpdated();
        },
        [this](const QString& message) { showMessage(message, true); });
}

QCustomPlot* BrowsePage::plot(const QString& name) const
{
    for (QCustomPlot* p : {m_accuracyPlot, m_lengthPlot, m_samplesPlot, m_agreementPlot})
        if (p->objectName() == name)
            return p;
    return nullptr;
}

bool BrowsePage::savePlotTo(const QString& name, const QString& path) const
{
    QCustomPlot* p = plot(name);
    return p && savePlot(p, path);
}

} // namespace cotlab::ui
