#include "CorpusPage.h"

#include "BrowsePlots.h"
#include "FormWidgets.h"
#include "PlotFrame.h"
#include "QCustomPlotInclude.h"
#include "store/CorpusRepository.h"
#include "store/Database.h"
#include "store/RationaleBrowser.h"
#include "train/ExampleExport.h"
#include "util/Error.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <map>
#include <set>

namespace cotlab::ui {

namespace {

const QStringList kStepKinds = {"scope", "correctness",  "clean",          "dedupe",      "length",
                                "match", "per_instance", "open_endedness", "min_correct", "instance_share"};

// What a field accepts, shown beside it.
QString hintFor(const QString& step, const QString& field)
{
    static const std::map<QString, QString> hints = {
        {"scope.tasks", QObject::tr("task names, comma separated; empty: all")},
        {"scope.splits", QObject::tr("train, dev, test, contrast; empty: all")},
        {"scope.sources", QObject::tr("teacher, student, human; empty: all")},
        {"scope.models", QObject::tr("model names; empty: all")},
        {"correctness.keep", "correct, all, incorrect"},
        {"clean.stop", QObject::tr("cut at these strings (\\n for a line break), comma separated")},
        {"clean.drop_empty", "true, false"},
        {"clean.drop_unanswered", "true, false"},
        {"dedupe.mode", QObject::tr("exact, near")},
        {"dedupe.threshold", QObject::tr("near: trigram Jaccard 0–1")},
        {"length.min", QObject::tr("characters; empty: none")},
        {"length.max", QObject::tr("characters; empty: none")},
        {"match.pattern", QObject::tr("text (or regex) a rationale must contain")},
        {"match.regex", "true, false"},
        {"match.exclude", QObject::tr("true: drop the matches instead")},
        {"per_instance.by", "random, likelihood, diversity"},
        {"per_instance.k", QObject::tr("rationales kept per instance")},
        {"per_instance.seed", QObject::tr("random: seed")},
        {"per_instance.likelihood", QObject::tr("likelihood: mean or total log-prob")},
        {"open_endedness.measure", "entropy, distinct_answers"},
        {"open_endedness.keep_share", QObject::tr("share of instances kept, 0–1")},
        {"min_correct.count", QObject::tr("correct rationales an instance needs")},
        {"instance_share.share", QObject::tr("share of instances kept, 0–1")},
        {"instance_share.seed", QObject::tr("seed of the draw")},
    };
    const auto it = hints.find(step + "." + field);
    return it == hints.end() ? QString() : it->second;
}

// A step of this kind with every field at its default, as the recipe format writes it.
QJsonObject defaultStep(const QString& kind)
{
    QJsonObject step{{"step", kind}};
    if (kind == "per_instance")
        step["k"] = 4;
    if (kind == "match")
        step["pattern"] = "the answer is";
    const QJsonObject recipe{{"version", 1}, {"steps", QJsonArray{step}}};
    const auto parsed = corpus::recipeFromJson(QJsonDocument(recipe).toJson().toStdString());
    const auto written = QJsonDocument::fromJson(QByteArray::fromStdString(corpus::recipeToJson(parsed)));
    return written.object()["steps"].toArray().first().toObject();
}

QString valueText(const QJsonValue& v)
{
    if (v.isArray()) {
        QStringList parts;
        for (const auto& x : v.toArray())
            parts << x.toString().replace("\n", "\\n");
        return parts.join(", ");
    }
    if (v.isBool())
        return v.toBool() ? "true" : "false";
    if (v.isDouble())
        return QString::number(v.toDouble());
    if (v.isNull())
        return QString();
    return v.toString();
}

QString summary(const QJsonObject& step)
{
    QStringList parts;
    for (auto it = step.begin(); it != step.end(); ++it) {
        if (it.key() == "step")
            continue;
        const QString v = valueText(it.value());
        if (!v.isEmpty())
            parts << it.key() + " " + v;
    }
    return step["step"].toString() + (parts.isEmpty() ? QString() : "  (" + parts.join(", ") + ")");
}

QTableWidgetItem* cell(const QString& text, bool number = false)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QTableWidget* table(const QStringList& headers, const QString& name)
{
    auto* t = new QTableWidget(0, int(headers.size()));
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setAlternatingRowColors(true);
    return t;
}

// Two bar series side by side: how many instances have 1, 2, ... rationales in corpus A and in corpus B.
void plotComparison(QCustomPlot* plot, const QString& a, const QString& b,
                    const std::map<int64_t, std::pair<double, double>>& histogram)
{
    resetPlot(plot, QObject::tr("Rationales per instance"));
    plot->xAxis->setLabel(QObject::tr("rationales of the instance"));
    plot->yAxis->setLabel(QObject::tr("instances"));
    if (histogram.empty()) {
        plotNotice(plot, QObject::tr("Both corpora are empty"));
        return;
    }
    QVector<double> x, ya, yb;
    double top = 0;
    for (const auto& [n, counts] : histogram) {
        x << double(n);
        ya << counts.first;
        yb << counts.second;
        top = std::max({top, counts.first, counts.second});
    }
    auto* group = new QCPBarsGroup(plot);
    int colour = 0;
    for (const auto& [name, values] : {std::pair{a, ya}, std::pair{b, yb}}) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(name);
        bars->setWidth(0.35);
        bars->setBrush(seriesColor(colour));
        bars->setPen(QPen(seriesColor(colour++).darker(130)));
        bars->setData(x, values);
        bars->setBarsGroup(group);
    }
    plot->xAxis->setRange(x.front() - 0.7, x.back() + 0.7);
    plot->yAxis->setRange(0, top * 1.15);
    plot->legend->setVisible(true);
    plot->replot();
}

} // namespace

CorpusPage::CorpusPage(QWidget* parent)
    : QWidget(parent), m_stepList(new QListWidget),
      m_fields(table({tr("Field"), tr("Value"), tr("Accepts")}, "fields")),
      m_preview(
          table({tr("After step"), tr("Instances"), tr("Rationales"), tr("Removed"), tr("Accuracy"), tr("Mean chars")},
                "preview")),
      m_plot(new QCustomPlot), m_removed(new QTextBrowser), m_previewTabs(new QTabWidget), m_corpora(new QListWidget),
      m_name(new QLineEdit), m_compareA(new QComboBox), m_compareB(new QComboBox),
      m_comparison(table({tr("Measure"), tr("A"), tr("B")}, "comparison")), m_comparisonPlot(new QCustomPlot),
      m_message(new QLabel), m_previewStatus(new QLabel), m_previewDelay(new QTimer(this))
{
    m_stepList->setObjectName("steps");
    m_corpora->setObjectName("corpora");
    m_name->setObjectName("name");
    m_compareA->setObjectName("compareA");
    m_compareB->setObjectName("compareB");
    m_message->setObjectName("message");
    m_message->setWordWrap(true);
    m_plot->setMinimumHeight(200);
    m_name->setPlaceholderText(tr("name of the corpus"));
    m_fields->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_fields->setToolTip(tr("Edit a value and press Enter; lists are comma separated"));

    // Recipe: the steps in order, with add / remove / move.
    auto* add = new QToolButton;
    add->setText(tr("&Add Step"));
    add->setObjectName("addStep");
    add->setPopupMode(QToolButton::InstantPopup);
    auto* addMenu = new QMenu(add);
    for (const QString& kind : kStepKinds)
        addMenu->addAction(kind, this, [this, kind] { addStep(kind); });
    add->setMenu(addMenu);
    auto* remove = new QPushButton(tr("Remove"));
    auto* up = new QPushButton(tr("Up"));
    auto* down = new QPushButton(tr("Down"));
    auto* stepButtons = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{add, remove, up, down})
        stepButtons->addWidget(w);
    stepButtons->addStretch(1);
    auto* recipeBox = new QGroupBox(tr("Recipe (steps applied in order; docs/corpus.md)"));
    auto* recipeLayout = new QVBoxLayout(recipeBox);
    recipeLayout->addLayout(stepButtons);
    recipeLayout->addWidget(m_stepList, 2);
    recipeLayout->addWidget(new QLabel(tr("Selected step:")));
    recipeLayout->addWidget(m_fields, 2);
    auto* save = new QPushButton(tr("&Save Corpus"));
    save->setObjectName("save");
    auto* saveRow = new QHBoxLayout;
    saveRow->addWidget(m_name, 1);
    saveRow->addWidget(save);
    recipeLayout->addLayout(saveRow);

    auto* previewBox = new QGroupBox(tr("Preview: what is left after each step"));
    auto* previewLayout = new QVBoxLayout(previewBox);
    m_previewStatus->setObjectName("previewStatus");
    previewLayout->addWidget(m_previewStatus);
    previewLayout->addWidget(m_preview, 1);
    m_removed->setObjectName("removed");
    m_previewTabs->addTab(m_plot, tr("Rationales per instance"));
    m_previewTabs->addTab(m_removed, tr("Removed by the selected step"));
    previewLayout->addWidget(m_previewTabs, 1);
    connect(m_preview, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row > 0)
            showRemoved(row);
    });

    // Saved corpora and the comparison of two.
    auto* duplicate = new QPushButton(tr("Duplicate"));
    auto* rename = new QPushButton(tr("Rename…"));
    auto* del = new QPushButton(tr("Delete…"));
    auto* exportButton = new QPushButton(tr("E&xport…"));
    exportButton->setToolTip(tr("Write the corpus as training JSONL (prompt-completion or chat messages) with the "
                                "trainer's chain-of-thought template"));
    auto* corpusButtons = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{duplicate, rename, del, exportButton})
        corpusButtons->addWidget(w);
    auto* compareButton = new QPushButton(tr("Co&mpare"));
    compareButton->setObjectName("compare");
    auto* compareRow = new QHBoxLayout;
    compareRow->addWidget(new QLabel("A"));
    compareRow->addWidget(m_compareA, 1);
    compareRow->addWidget(new QLabel("B"));
    compareRow->addWidget(m_compareB, 1);
    compareRow->addWidget(compareButton);
    auto* savedBox = new QGroupBox(tr("Saved corpora"));
    auto* savedLayout = new QVBoxLayout(savedBox);
    savedLayout->addWidget(m_corpora, 2);
    savedLayout->addLayout(corpusButtons);
    savedLayout->addWidget(new QLabel(tr("Compare two corpora:")));
    savedLayout->addLayout(compareRow);
    savedLayout->addWidget(m_comparison, 2);
    m_comparisonPlot->setObjectName("comparisonPlot");
    m_comparisonPlot->setMinimumHeight(180);
    savedLayout->addWidget(m_comparisonPlot, 2);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(recipeBox);
    split->addWidget(previewBox);
    split->addWidget(savedBox);
    split->setSizes({420, 520, 420});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(m_message);

    m_previewDelay->setSingleShot(true);
    m_previewDelay->setInterval(300);
    connect(m_previewDelay, &QTimer::timeout, this, &CorpusPage::runPreview);
    connect(m_stepList, &QListWidget::currentRowChanged, this, &CorpusPage::showStep);
    connect(m_fields, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (m_filling || item->column() != 1)
            return;
        setStepField(m_stepList->currentRow(), m_fields->item(item->row(), 0)->text(), item->text());
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_stepList->currentRow();
        if (row < 0)
            return;
        m_steps.removeAt(row);
        rebuildSteps();
        m_stepList->setCurrentRow(std::min(row, int(m_steps.size()) - 1));
        schedulePreview();
    });
    auto move = [this](int by) {
        const int row = m_stepList->currentRow();
        if (row < 0 || row + by < 0 || row + by >= m_steps.size())
            return;
        m_steps.swapItemsAt(row, row + by);
        rebuildSteps();
        m_stepList->setCurrentRow(row + by);
        schedulePreview();
    };
    connect(up, &QPushButton::clicked, this, [move] { move(-1); });
    connect(down, &QPushButton::clicked, this, [move] { move(1); });
    connect(save, &QPushButton::clicked, this, [this] { saveAs(m_name->text().trimmed(), false); });
    connect(m_corpora, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) { loadCorpus(item->text()); });
    connect(m_corpora, &QListWidget::currentTextChanged, this, [this](const QString& name) {
        if (!name.isEmpty())
            loadCorpus(name);
    });
    connect(duplicate, &QPushButton::clicked, this, [this] {
        if (m_corpora->currentItem())
            m_name->setText(m_corpora->currentItem()->text() + tr(" copy"));
        m_name->setFocus();
        showMessage(tr("Change the recipe if you like, then Save Corpus under the new name."), false);
    });
    connect(rename, &QPushButton::clicked, this, [this] {
        if (!m_corpora->currentItem())
            return;
        const QString from = m_corpora->currentItem()->text();
        const QString to = QInputDialog::getText(this, tr("Rename Corpus"), tr("New name:"), QLineEdit::Normal, from);
        if (to.isEmpty() || to == from)
            return;
        m_store.post(
            [this, from, to](store::Database& db) {
                store::CorpusRepository(db).rename(from.toStdString(), to.toStdString());
                QMetaObject::invokeMethod(
                    this, [this] { refreshCorpora(); }, Qt::QueuedConnection);
            },
            taskOptions([this](const std::string& e) {
                QMetaObject::invokeMethod(
                    this, [this, m = QString::fromStdString(e)] { showMessage(m, true); }, Qt::QueuedConnection);
            }));
    });
    connect(del, &QPushButton::clicked, this, [this] {
        if (!m_corpora->currentItem())
            return;
        const QString name = m_corpora->currentItem()->text();
        if (QMessageBox::question(this, tr("Delete Corpus"),
                                  tr("Delete the corpus '%1'? Its rationales stay in the workspace.").arg(name)) !=
            QMessageBox::Yes)
            return;
        m_store.post([this, name](store::Database& db) {
            store::CorpusRepository(db).remove(name.toStdString());
            QMetaObject::invokeMethod(
                this, [this] { refreshCorpora(); }, Qt::QueuedConnection);
        });
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        if (!m_corpora->currentItem())
            return;
        const QString name = m_corpora->currentItem()->text();
        const QString chatFilter = tr("Chat messages JSONL (*.jsonl)");
        QString filter;
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Corpus"), QFileInfo(m_path).absolutePath() + "/" + name + ".jsonl",
            tr("Prompt-completion JSONL (*.jsonl)") + ";;" + chatFilter, &filter);
        if (!path.isEmpty())
            exportCorpus(name, path, filter == chatFilter);
    });
    connect(compareButton, &QPushButton::clicked, this,
            [this] { compare(m_compareA->currentText(), m_compareB->currentText()); });

    setRecipeJson(R"({"version": 1, "steps": [{"step": "correctness", "keep": "correct"},
                     {"step": "per_instance", "k": 4, "by": "random", "seed": 0}]})");
    showMessage(tr("Open or create a workspace to preview a corpus."), false);
}

CorpusPage::~CorpusPage()
{
    m_store.cancelAll();
}

void CorpusPage::setWorkspace(const QString& path)
{
    m_path = path;
    m_store.cancelAll();
    m_store.setWorkspace(path.toStdString());
    m_store.post([last = m_lastBuild](store::Database&) { *last = {}; }); // the store may have changed
    showMessage(QString(), false);
    refreshCorpora();
    schedulePreview();
}

QString CorpusPage::recipeJson() const
{
    QJsonArray steps;
    for (const auto& s : m_steps)
        steps.append(s);
    return QString::fromUtf8(
        QJsonDocument(QJsonObject{{"version", 1}, {"steps", steps}}).toJson(QJsonDocument::Compact));
}

bool CorpusPage::setRecipeJson(const QString& json)
{
    try {
        const auto recipe = corpus::recipeFromJson(json.toStdString());
        const auto written = QJsonDocument::fromJson(QByteArray::fromStdString(corpus::recipeToJson(recipe)));
        m_steps.clear();
        for (const auto& s : written.object()["steps"].toArray())
            m_steps.append(s.toObject());
    } catch (const std::exception& e) {
        showMessage(QString::fromStdString(e.what()), true);
        return false;
    }
    rebuildSteps();
    m_stepList->setCurrentRow(m_steps.isEmpty() ? -1 : 0);
    schedulePreview();
    return true;
}

void CorpusPage::addStep(const QString& kind)
{
    const int at = m_stepList->currentRow() + 1;
    m_steps.insert(at, defaultStep(kind));
    rebuildSteps();
    m_stepList->setCurrentRow(at);
    m_fields->setFocus();
    schedulePreview();
}

void CorpusPage::rebuildSteps()
{
    const QSignalBlocker block(m_stepList);
    m_stepList->clear();
    for (int k = 0; k < m_steps.size(); ++k)
        m_stepList->addItem(QString("%1. %2").arg(k + 1).arg(summary(m_steps[k])));
}

void CorpusPage::showStep(int row)
{
    m_filling = true;
    m_fields->setRowCount(0);
    if (row >= 0 && row < m_steps.size()) {
        const QJsonObject& step = m_steps[row];
        for (auto it = step.begin(); it != step.end(); ++it) {
            if (it.key() == "step")
                continue;
            const int r = m_fields->rowCount();
            m_fields->insertRow(r);
            m_fields->setItem(r, 0, cell(it.key()));
            m_fields->setItem(r, 1, new QTableWidgetItem(valueText(it.value())));
            m_fields->setItem(r, 2, cell(hintFor(step["step"].toString(), it.key())));
        }
        m_fields->resizeColumnToContents(0);
        m_fields->setColumnWidth(1, 150);
    }
    m_filling = false;
}

bool CorpusPage::setStepField(int step, const QString& field, const QString& value)
{
    if (step < 0 || step >= m_steps.size())
        return false;
    QJsonObject s = m_steps[step];
    const QJsonValue old = s.value(field);
    const QString text = value.trimmed();
    QJsonValue now;
    if (old.isArray()) {
        QJsonArray list;
        for (QString part : text.split(',', Qt::SkipEmptyParts))
            if (!(part = part.trimmed()).isEmpty())
                list.append(part.replace("\\n", "\n"));
        now = list;
    } else if (old.isBool()) {
        now = text == "true" || text == "yes" || text == "1";
    } else if (old.isDouble() || old.isNull()) {
        bool ok = false;
        const double number = text.toDouble(&ok);
        now = text.isEmpty() && old.isNull() ? QJsonValue() : ok ? QJsonValue(number) : QJsonValue(text);
        if (ok && number == std::floor(number) && !text.contains('.'))
            now = qint64(number);
    } else {
        now = text;
    }
    s[field] = now;
    QList<QJsonObject> steps = m_steps;
    steps[step] = s;
    QJsonArray array;
    for (const auto& x : steps)
        array.append(x);
    try {
        corpus::recipeFromJson(QJsonDocument(QJsonObject{{"version", 1}, {"steps", array}}).toJson().toStdString());
    } catch (const std::exception& e) {
        showMessage(QString::fromStdString(e.what()), true);
        return false;
    }
    m_steps = steps;
    showMessage(QString(), false); // an earlier refusal no longer applies
    const int row = m_stepList->currentRow();
    rebuildSteps();
    {
        const QSignalBlocker block(m_stepList);
        m_stepList->setCurrentRow(row);
    }
    schedulePreview();
    return true;
}

void CorpusPage::schedulePreview()
{
    if (!m_path.isEmpty())
        m_previewDelay->start();
}

void CorpusPage::runPreview()
{
    const quint64 generation = ++m_previewGeneration;
    const std::string json = recipeJson().toStdString();
    m_previewStatus->setText(tr("Building the preview…"));
    m_store.post(
        [this, generation, json, last = m_lastBuild](store::Database& db) {
            auto built =
                std::make_shared<const corpus::BuiltCorpus>(corpus::buildCorpus(db, corpus::recipeFromJson(json)));
            *last = {json, built};
            QMetaObject::invokeMethod(
                this,
                [this, generation, built] {
                    if (generation == m_previewGeneration)
                        showPreview(*built);
                },
                Qt::QueuedConnection);
        },
        taskOptions([this, generation](const std::string& e) {
            QMetaObject::invokeMethod(
                this,
                [this, generation, m = QString::fromStdString(e)] {
                    if (generation == m_previewGeneration) {
                        m_previewStatus->setText(tr("No preview: see below."));
                        showMessage(m, true);
                    }
                },
                Qt::QueuedConnection);
        }));
}

void CorpusPage::showPreview(const corpus::BuiltCorpus& built)
{
    m_removedIds = built.removed;
    m_removed->setHtml("<p style='color:gray'>" + tr("Select a step in the table to see what it removed.") + "</p>");
    m_preview->setRowCount(0);
    for (size_t k = 0; k < built.steps.size(); ++k) {
        const auto& s = built.steps[k];
        const int r = m_preview->rowCount();
        m_preview->insertRow(r);
        const QString name = k == 0 ? tr("(the store)") : QString("%1. %2").arg(k).arg(QString::fromStdString(s.step));
        m_preview->setItem(r, 0, cell(name));
        m_preview->setItem(r, 1, cell(QLocale().toString(s.instances), true));
        m_preview->setItem(r, 2, cell(QLocale().toString(s.rationales), true));
        m_preview->setItem(
            r, 3, cell(k == 0 ? QString() : QLocale().toString(built.steps[k - 1].rationales - s.rationales), true));
        m_preview->setItem(r, 4,
                           cell(s.judged ? QString::number(100.0 * s.accuracy(), 'f', 1) + "%" : QString(), true));
        m_preview->setItem(r, 5, cell(QString::number(s.meanLength(), 'f', 0), true));
    }
    m_preview->resizeColumnsToContents();
    std::map<int64_t, int64_t> perInstance;
    for (const auto& m : built.members)
        ++perInstance[m.instanceId];
    std::vector<int64_t> counts;
    for (const auto& [id, n] : perInstance)
        counts.push_back(n);
    plotSamplesPerInstance(m_plot, counts);
    m_previewStatus->setText(
        tr("%1 rationales of %2 instances would be in the corpus.")
            .arg(QLocale().toString(built.steps.back().rationales), QLocale().toString(built.steps.back().instances)));
    Q_EMIT previewUpdated();
}

void CorpusPage::saveAs(const QString& name, bool replace)
{
    if (name.isEmpty()) {
        showMessage(tr("Give the corpus a name first."), true);
        m_name->setFocus();
        return;
    }
    const std::string json = recipeJson().toStdString();
    m_store.post(
        [this, name, json, replace, last = m_lastBuild](store::Database& db) {
            const auto recipe = corpus::recipeFromJson(json);
            if (!last->built || last->recipeJson != json) // not the recipe just previewed
                *last = {json, std::make_shared<const corpus::BuiltCorpus>(corpus::buildCorpus(db, recipe))};
            const corpus::BuiltCorpus& built = *last->built;
            store::CorpusRepository(db).save(name.toStdString(), corpus::recipeToJson(recipe), built, replace);
            QMetaObject::invokeMethod(
                this,
                [this, name, n = built.members.size()] {
                    showMessage(tr("Saved the corpus '%1' (%2 rationales).").arg(name, QLocale().toString(qint64(n))),
                                false);
                    refreshCorpora();
                },
                Qt::QueuedConnection);
        },
        taskOptions([this](const std::string& e) {
            QMetaObject::invokeMethod(
                this, [this, m = QString::fromStdString(e)] { showMessage(m, true); }, Qt::QueuedConnection);
        }));
}

void CorpusPage::refreshCorpora()
{
    m_store.post([this](store::Database& db) {
        QStringList names;
        for (const auto& c : store::CorpusRepository(db).list())
            names << QString::fromStdString(c.name);
        QMetaObject::invokeMethod(
            this,
            [this, names] {
                const QSignalBlocker block(m_corpora);
                m_corpora->clear();
                m_corpora->addItems(names);
                for (QComboBox* box : {m_compareA, m_compareB}) {
                    const QString current = box->currentText();
                    box->clear();
                    box->addItems(names);
                    box->setCurrentIndex(std::max(0, box->findText(current)));
                }
                if (m_compareB->count() > 1 && m_compareB->currentIndex() == m_compareA->currentIndex())
                    m_compareB->setCurrentIndex(1);
                Q_EMIT corporaChanged();
            },
            Qt::QueuedConnection);
    });
}

QStringList CorpusPage::corpusNames() const
{
    QStringList names;
    for (int k = 0; k < m_corpora->count(); ++k)
        names << m_corpora->item(k)->text();
    return names;
}

void CorpusPage::loadCorpus(const QString& name)
{
    m_store.post([this, name](store::Database& db) {
        const auto info = store::CorpusRepository(db).find(name.toStdString());
        if (!info)
            return;
        QMetaObject::invokeMethod(
            this,
            [this, name, json = QString::fromStdString(info->recipeJson)] {
                m_name->setText(name);
                setRecipeJson(json);
            },
            Qt::QueuedConnection);
    });
}

void CorpusPage::compare(const QString& a, const QString& b)
{
    if (a.isEmpty() || b.isEmpty())
        return;
    m_compareA->setCurrentIndex(std::max(0, m_compareA->findText(a)));
    m_compareB->setCurrentIndex(std::max(0, m_compareB->findText(b)));
    m_store.post(
        [this, a, b](store::Database& db) {
            store::CorpusRepository corpora(db);
            const auto infoA = corpora.find(a.toStdString()), infoB = corpora.find(b.toStdString());
            if (!infoA || !infoB)
                throw Error("choose two saved corpora to compare");
            std::set<int64_t> idsA, idsB, instA, instB;
            std::map<int64_t, int64_t> perA, perB; // rationales per instance
            for (const auto& m : corpora.members(infoA->id))
                idsA.insert(m.rationaleId), instA.insert(m.instanceId), ++perA[m.instanceId];
            for (const auto& m : corpora.members(infoB->id))
                idsB.insert(m.rationaleId), instB.insert(m.instanceId), ++perB[m.instanceId];
            // How many instances have 1, 2, ... rationales, in each corpus.
            std::map<int64_t, std::pair<double, double>> histogram;
            for (const auto& [id, n] : perA)
                histogram[n].first += 1;
            for (const auto& [id, n] : perB)
                histogram[n].second += 1;
            int64_t shared = 0, sharedInstances = 0;
            for (int64_t id : idsA)
                shared += idsB.count(id);
            for (int64_t id : instA)
                sharedInstances += instB.count(id);
            const auto& lastA = infoA->steps.back();
            const auto& lastB = infoB->steps.back();
            QList<QStringList> rows = {
                {tr("Instances"), QLocale().toString(infoA->instances), QLocale().toString(infoB->instances)},
                {tr("Rationales"), QLocale().toString(infoA->rationales), QLocale().toString(infoB->rationales)},
                {tr("Rationales per instance"),
                 QString::number(double(infoA->rationales) / std::max<int64_t>(1, infoA->instances), 'f', 2),
                 QString::number(double(infoB->rationales) / std::max<int64_t>(1, infoB->instances), 'f', 2)},
                {tr("Accuracy"), QString::number(100.0 * lastA.accuracy(), 'f', 1) + "%",
                 QString::number(100.0 * lastB.accuracy(), 'f', 1) + "%"},
                {tr("Mean characters"), QString::number(lastA.meanLength(), 'f', 0),
                 QString::number(lastB.meanLength(), 'f', 0)},
                {tr("Steps"), QString::number(infoA->steps.size() - 1), QString::number(infoB->steps.size() - 1)},
                {tr("Rationales in both"), QLocale().toString(shared), QLocale().toString(shared)},
                {tr("Share of its rationales also in the other"),
                 QString::number(100.0 * double(shared) / std::max<size_t>(1, idsA.size()), 'f', 1) + "%",
                 QString::number(100.0 * double(shared) / std::max<size_t>(1, idsB.size()), 'f', 1) + "%"},
                {tr("Instances in both"), QLocale().toString(sharedInstances), QLocale().toString(sharedInstances)},
            };
            QMetaObject::invokeMethod(
                this,
                [this, rows, a, b, histogram] {
                    plotComparison(m_comparisonPlot, a, b, histogram);
                    m_comparison->setRowCount(0);
                    m_comparison->setHorizontalHeaderLabels({tr("Measure"), a, b});
                    for (const auto& row : rows) {
                        const int r = m_comparison->rowCount();
                        m_comparison->insertRow(r);
                        for (int c = 0; c < 3; ++c)
                            m_comparison->setItem(r, c, cell(row[c], c > 0));
                    }
                    m_comparison->resizeColumnsToContents();
                    Q_EMIT compared();
                },
                Qt::QueuedConnection);
        },
        taskOptions([this](const std::string& e) {
            QMetaObject::invokeMethod(
                this, [this, m = QString::fromStdString(e)] { showMessage(m, true); }, Qt::QueuedConnection);
        }));
}

void CorpusPage::showRemoved(int step)
{
    if (step < 1 || size_t(step) > m_removedIds.size())
        return;
    const auto& all = m_removedIds[size_t(step - 1)];
    const std::vector<int64_t> ids(all.begin(), all.begin() + std::ptrdiff_t(std::min<size_t>(all.size(), 100)));
    const QString title =
        tr("Step %1 removed %2 rationales%3.")
            .arg(step)
            .arg(QLocale().toString(qint64(all.size())))
            .arg(all.size() > ids.size() ? tr("; the first %1 are shown").arg(ids.size()) : QString());
    m_previewTabs->setCurrentWidget(m_removed);
    {
        const QSignalBlocker block(m_preview);
        m_preview->selectRow(step);
    }
    m_store.post([this, ids, title](store::Database& db) {
        const auto rows = store::RationaleBrowser(db, {}, {}).rows(ids);
        QString html = "<p><b>" + title.toHtmlEscaped() + "</b></p>";
        for (const auto& r : rows)
            html += QString("<p><span style='color:gray'>%1 · %2 #%3 · answer %4 %5</span><br>%6</p>")
                        .arg(QString::fromStdString(r.instance).toHtmlEscaped(),
                             QString::fromStdString(r.model).toHtmlEscaped())
                        .arg(r.sample)
                        .arg(QString::fromStdString(r.answer.value_or("–")).toHtmlEscaped(),
                             !r.correct   ? QString()
                             : *r.correct ? "✓"
                                          : "✗",
                             QString::fromStdString(r.snippet).toHtmlEscaped().replace("\n", "<br>"));
        QMetaObject::invokeMethod(
            this,
            [this, html] {
                m_removed->setHtml(html);
                Q_EMIT removedShown();
            },
            Qt::QueuedConnection);
    });
}

QString CorpusPage::removedText() const
{
    return m_removed->toPlainText();
}

void CorpusPage::exportCorpus(const QString& name, const QString& path, bool chat)
{
    m_store.post(
        [this, name, path, chat](store::Database& db) {
            train::TrainingSelection selection;
            selection.corpus = name.toStdString();
            selection.task.clear();
            const auto counts =
                train::exportExamples(db, selection, path.toStdString(),
                                      chat ? train::ExportShape::Chat : train::ExportShape::PromptCompletion);
            QMetaObject::invokeMethod(
                this,
                [this, path, n = counts.examples] {
                    showMessage(tr("Wrote %1 training examples to %2.").arg(QLocale().toString(qint64(n)), path),
                                false);
                    Q_EMIT exported(true);
                },
                Qt::QueuedConnection);
        },
        taskOptions([this](const std::string& e) {
            QMetaObject::invokeMethod(
                this,
                [this, m = QString::fromStdString(e)] {
                    showMessage(m, true);
                    Q_EMIT exported(false);
                },
                Qt::QueuedConnection);
        }));
}

QString CorpusPage::message() const
{
    return m_message->text();
}

void CorpusPage::showMessage(const QString& text, bool error)
{
    showMessageIn(m_message, text, error);
}

} // namespace cotlab::ui
