#include "BrowsePage.h"

#include "BrowsePlots.h"
#include "CachedTextDelegate.h"
#include "FormWidgets.h"
#include "InstanceView.h"
#include "PlotFiles.h"
#include "QCustomPlotInclude.h"
#include "RationaleTableModel.h"
#include "SnippetDelegate.h"
#include "answers/AnswerExtractor.h"
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

const QString kAny = QObject::tr("(any)");

std::optional<std::string> choice(const QComboBox* box)
{
    if (box->currentIndex() <= 0)
        return std::nullopt;
    return box->currentText().toStdString();
}

QComboBox* comboBox(const QString& name, const QStringList& items)
{
    auto* box = new QComboBox;
    box->setObjectName(name);
    box->addItem(kAny);
    box->addItems(items);
    box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    return box;
}

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
      m_detailTabs(new QTabWidget), m_search(new QLineEdit), m_count(new QLabel), m_message(new QLabel),
      m_searchDelay(new QTimer(this)), m_accuracyPlot(newPlot("teacher-accuracy")), m_lengthPlot(newPlot("lengths")),
      m_samplesPlot(newPlot("samples")), m_agreementPlot(newPlot("agreement"))
{
    m_table->setObjectName("table");
    m_table->setModel(m_model);
    m_table->setItemDelegate(new CachedTextDelegate(m_table));
    m_table->setItemDelegateForColumn(RationaleTableModel::Rationale, new SnippetDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
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

    m_count->setObjectName("count");
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
    layout->addWidget(buildFilters());
    layout->addWidget(m_message);
    layout->addWidget(split, 1);

    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(400);
    connect(m_searchDelay, &QTimer::timeout, this, &BrowsePage::applyFilter);
    connect(m_search, &QLineEdit::textEdited, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &BrowsePage::applyFilter);
    connect(m_model, &RationaleTableModel::countChanged, this, &BrowsePage::updateCount);
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

QWidget* BrowsePage::buildFilters()
{
    m_search->setObjectName("search");
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(
        tr("Search rationales (Ctrl+F): words, \"a phrase\", AND / OR / NOT, NEAR(a b), prefix*"));
    m_task = comboBox("task", {});
    m_split = comboBox("split", {"train", "dev", "test", "contrast"});
    m_source = comboBox("source", {"teacher", "student", "human"});
    m_modelBox = comboBox("model", {});
    m_correct = comboBox("correct", {tr("correct"), tr("wrong"), tr("not judged")});
    m_tag = comboBox("tag", {});
    m_minLength = spinBox(0, 1000000, 0);
    m_maxLength = spinBox(0, 1000000, 0);
    m_minLength->setObjectName("minLength");
    m_maxLength->setObjectName("maxLength");
    m_minLength->setSpecialValueText(tr("min"));
    m_maxLength->setSpecialValueText(tr("max"));
    m_minLength->setToolTip(tr("Shortest rationale shown, in characters"));
    m_maxLength->setToolTip(tr("Longest rationale shown, in characters"));
    auto* clear = new QPushButton(tr("Clear filters"));
    clear->setObjectName("clearFilters");
    connect(clear, &QPushButton::clicked, this, &BrowsePage::clearFilters);

    auto* bar = new QWidget;
    auto* rows = new QVBoxLayout(bar);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->addWidget(m_search);
    auto* line = new QHBoxLayout;
    auto labelled = [&](const QString& text, QWidget* w) {
        auto* label = new QLabel(text);
        label->setBuddy(w);
        line->addWidget(label);
        line->addWidget(w);
    };
    labelled(tr("Tas&k"), m_task);
    labelled(tr("S&plit"), m_split);
    labelled(tr("So&urce"), m_source);
    labelled(tr("&Model"), m_modelBox);
    labelled(tr("&Correct"), m_correct);
    labelled(tr("Len&gth"), m_minLength);
    line->addWidget(new QLabel("–"));
    line->addWidget(m_maxLength);
    labelled(tr("Ta&g"), m_tag);
    line->addWidget(clear);
    line->addStretch(1);
    line->addWidget(m_count);
    rows->addLayout(line);

    for (QComboBox* box : {m_task, m_split, m_source, m_modelBox, m_correct, m_tag})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_updatingWidgets)
                applyFilter();
        });
    for (QSpinBox* box : {m_minLength, m_maxLength})
        connect(box, &QSpinBox::editingFinished, this, &BrowsePage::applyFilter);
    return bar;
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
            plots[k].first, plots[k].second, [this] { return QFileInfo(m_path).absolutePath(); },
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
    m_updatingWidgets = true;
    for (QComboBox* box : {m_task, m_modelBox, m_tag})
        setItems(box, {});
    m_updatingWidgets = false;
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

void BrowsePage::setItems(QComboBox* box, const QStringList& items)
{
    const QString current = box->currentText();
    box->clear();
    box->addItem(kAny);
    box->addItems(items);
    const int keep = box->findText(current);
    box->setCurrentIndex(keep > 0 ? keep : 0);
}

void BrowsePage::loadFacets()
{
    m_store.post(
        [this](store::Database& db) {
            const auto facets = store::browseFacets(db);
            auto list = [](const std::vector<std::string>& v) {
                QStringList out;
                for (const auto& s : v)
                    out << QString::fromStdString(s);
                return out;
            };
            QMetaObject::invokeMethod(
                this,
                [this, tasks = list(facets.tasks), models = list(facets.models), tags = list(facets.tags)] {
                    const auto before = filter();
                    m_updatingWidgets = true;
                    setItems(m_task, tasks);
                    setItems(m_modelBox, models);
                    setItems(m_tag, tags);
                    m_updatingWidgets = false;
                    if (!(filter() == before)) // a chosen value is gone
                        applyFilter();
                },
                Qt::QueuedConnection);
        },
        taskOptions([this](const std::string& message) {
            QMetaObject::invokeMethod(
                this, [this, m = QString::fromStdString(message)] { showMessage(m, true); }, Qt::QueuedConnection);
        }));
}

store::RationaleFilter BrowsePage::filter() const
{
    store::RationaleFilter f;
    f.task = choice(m_task);
    f.split = choice(m_split);
    f.sourceKind = choice(m_source);
    f.model = choice(m_modelBox);
    f.tag = choice(m_tag);
    using C = store::RationaleFilter::Correctness;
    f.correctness =
        std::array{C::Any, C::Correct, C::Wrong, C::Unknown}[size_t(std::max(0, m_correct->currentIndex()))];
    if (m_minLength->value() > 0)
        f.minLength = m_minLength->value();
    if (m_maxLength->value() > 0)
        f.maxLength = m_maxLength->value();
    f.search = m_search->text().trimmed().toStdString();
    return f;
}

void BrowsePage::applyFilter()
{
    m_searchDelay->stop();
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
    m_updatingWidgets = true;
    for (QComboBox* box : {m_task, m_split, m_source, m_modelBox, m_correct, m_tag})
        box->setCurrentIndex(0);
    m_minLength->setValue(0);
    m_maxLength->setValue(0);
    m_search->clear();
    m_updatingWidgets = false;
    applyFilter();
}

void BrowsePage::showRationalesOf(const QString& source, const QString& model)
{
    clearFilters();
    m_updatingWidgets = true;
    m_source->setCurrentIndex(std::max(0, m_source->findText(source)));
    if (m_modelBox->findText(model) < 0)
        m_modelBox->addItem(model); // written since the filter values were read
    m_modelBox->setCurrentIndex(m_modelBox->findText(model));
    m_updatingWidgets = false;
    applyFilter();
}

void BrowsePage::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void BrowsePage::updateCount(qint64 rows, bool final)
{
    const QString n = QLocale().toString(rows);
    m_count->setText(final ? (rows == 1 ? tr("1 rationale") : tr("%1 rationales").arg(n))
                           : tr("%1 rationales so far, counting…").arg(n));
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
    m_store.post(
        [this, request, rationaleId](store::Database& db) {
            store::RationaleRepository rationales(db);
            const auto owner = rationales.instanceOf(rationaleId);
            if (!owner)
                return;
            const int64_t instanceId = *owner;
            auto found = rationales.instance(instanceId);
            if (!found)
                return;
            InstanceDetail detail;
            detail.instance = std::move(found->first);
            detail.rationales = std::move(found->second);
            detail.stats = store::sampleStats(detail.rationales);
            for (const auto& r : detail.rationales)
                detail.answerSentences.push_back(r.answerSentence ? *r.answerSentence
                                                                  : std::string(answers::answerSentenceOf(r.text)));
            store::AnnotationRepository notes(db);
            detail.note = notes.get(store::AnnotationTarget::Instance, instanceId);
            detail.rationaleNotes = notes.ofInstanceRationales(instanceId);
            QMetaObject::invokeMethod(
                this,
                [this, request, rationaleId, detail = std::move(detail)] {
                    onInstanceLoaded(request, detail, rationaleId);
                },
                Qt::QueuedConnection);
        },
        taskOptions({}, true));
}

void BrowsePage::onInstanceLoaded(quint64 request, const InstanceDetail& detail, qint64 rationaleId)
{
    if (request != m_instanceRequest)
        return; // the user moved on
    m_instance->show(detail, rationaleId, InstanceView::searchTerms(m_search->text()));
    Q_EMIT instanceShown(detail.instance.id);
}

void BrowsePage::saveAnnotation(int target, qint64 id, const std::string& note, const std::vector<std::string>& tags)
{
    const store::Annotation annotation{note, tags};
    m_store.post(
        [this, target, id, annotation](store::Database& db) {
            store::AnnotationRepository notes(db);
            notes.set(store::AnnotationTarget(target), id, annotation);
            // New tags become filter values; the other filter values cannot have changed (reading the models
            // takes a scan of the store, which a saved note need not pay for).
            QStringList tags;
            for (const auto& tag : notes.allTags())
                tags << QString::fromStdString(tag);
            QMetaObject::invokeMethod(
                this,
                [this, tags] {
                    showMessage(tr("Saved."), false);
                    QTimer::singleShot(2000, m_message, &QLabel::hide);
                    m_updatingWidgets = true;
                    setItems(m_tag, tags);
                    m_updatingWidgets = false;
                    Q_EMIT annotationSaved();
                },
                Qt::QueuedConnection);
        },
        taskOptions(
            [this](const std::string& message) {
                QMetaObject::invokeMethod(
                    this,
                    [this, m = QString::fromStdString(message)] {
                        showMessage(tr("The note or tags were not saved: %1").arg(m), true);
                    },
                    Qt::QueuedConnection);
            },
            true));
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
    const store::RationaleFilter f = filter();
    m_store.post([this, generation, f](store::Database& db) {
        auto aggregates =
            store::RationaleBrowser(db, f, {}).aggregates([this, generation] { return m_latestFilter != generation; });
        if (!aggregates)
            return;
        QMetaObject::invokeMethod(
            this,
            [this, generation, a = std::move(*aggregates)] {
                if (generation != m_filterGeneration)
                    return;
                plotTeacherAccuracy(m_accuracyPlot, a.teacherAccuracy);
                plotLengthHistogram(m_lengthPlot, a.lengths);
                plotSamplesPerInstance(m_samplesPlot, a.samplesPerInstance);
                plotAgreement(m_agreementPlot, a.agreementPerInstance);
                m_plotsGeneration = generation;
                Q_EMIT plotsUpdated();
            },
            Qt::QueuedConnection);
    });
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
