#include "corpus/CorpusPage.h"

#include "async/PostThen.h"
#include "common/FormWidgets.h"
#include "corpus/CorpusBuilder.h"
#include "corpus/CorpusComparison.h"
#include "corpus/CorpusComparisonView.h"
#include "corpus/CorpusPreview.h"
#include "corpus/RecipeEditor.h"
#include "store/Database.h"
#include "store/RationaleBrowser.h"
#include "train/ExampleExport.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

namespace cotlab::ui {

CorpusPage::CorpusPage(QWidget* parent)
    : QWidget(parent), m_recipe(new RecipeEditor), m_preview(new CorpusPreview), m_comparison(new CorpusComparisonView),
      m_corpora(new QListWidget), m_message(new QLabel), m_previewDelay(new QTimer(this))
{
    m_corpora->setObjectName("corpora");
    m_message->setObjectName("message");
    m_message->setWordWrap(true);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_recipe);
    split->addWidget(m_preview);
    split->addWidget(buildSaved());
    split->setSizes({420, 520, 420});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(m_message);

    m_previewDelay->setSingleShot(true);
    m_previewDelay->setInterval(300);
    connect(m_previewDelay, &QTimer::timeout, this, &CorpusPage::runPreview);
    connect(m_recipe, &RecipeEditor::recipeChanged, this, &CorpusPage::schedulePreview);
    connect(m_recipe, &RecipeEditor::problem, this,
            [this](const QString& text) { showMessage(text, !text.isEmpty()); });
    connect(m_recipe, &RecipeEditor::saveRequested, this, [this](const QString& name) { saveAs(name, false); });
    connect(m_preview, &CorpusPreview::stepChosen, this, &CorpusPage::showRemoved);
    connect(m_preview, &CorpusPreview::saveRebuildRequested, this, [this] {
        const QString name = QInputDialog::getText(this, tr("Save Rebuild As"), tr("Name of the new corpus:"),
                                                   QLineEdit::Normal, m_loaded.name + tr(" (rebuilt)"));
        if (!name.isEmpty())
            saveAs(name, false);
    });
    connect(m_comparison, &CorpusComparisonView::compareRequested, this, &CorpusPage::compare);

    setRecipeJson(R"({"version": 1, "steps": [{"step": "correctness", "keep": "correct"},
                     {"step": "per_instance", "k": 4, "by": "random", "seed": 0}]})");
    showMessage(tr("Open or create a workspace to preview a corpus."), false);
}

CorpusPage::~CorpusPage()
{
    m_store.cancelAll();
}

QWidget* CorpusPage::buildSaved()
{
    auto* duplicate = new QPushButton(tr("Duplicate"));
    auto* rename = new QPushButton(tr("Rename…"));
    auto* del = new QPushButton(tr("Delete…"));
    auto* exportButton = new QPushButton(tr("E&xport…"));
    auto* trainButton = new QPushButton(tr("&Train on This Corpus…"));
    trainButton->setObjectName("trainOnCorpus");
    trainButton->setToolTip(tr("Open the Train page with this corpus as the data"));
    exportButton->setToolTip(tr("Write the corpus as training JSONL (prompt-completion or chat messages) with the "
                                "trainer's chain-of-thought template"));
    auto* buttons = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{duplicate, rename, del, exportButton, trainButton})
        buttons->addWidget(w);
    auto* box = new QGroupBox(tr("Saved corpora"));
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(m_corpora, 2);
    layout->addLayout(buttons);
    layout->addWidget(m_comparison, 4);

    connect(m_corpora, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) { loadCorpus(item->text()); });
    connect(m_corpora, &QListWidget::currentTextChanged, this, [this](const QString& name) {
        if (!name.isEmpty())
            loadCorpus(name);
    });
    connect(duplicate, &QPushButton::clicked, this, [this] {
        if (m_corpora->currentItem())
            m_recipe->setName(m_corpora->currentItem()->text() + tr(" copy"));
        m_recipe->focusName();
        showMessage(tr("Change the recipe if you like, then Save Corpus under the new name."), false);
    });
    connect(rename, &QPushButton::clicked, this, &CorpusPage::renameSelected);
    connect(trainButton, &QPushButton::clicked, this, [this] {
        if (m_corpora->currentItem())
            Q_EMIT trainRequested(m_corpora->currentItem()->text());
        else
            showMessage(tr("Select a saved corpus to train on."), true);
    });
    connect(del, &QPushButton::clicked, this, &CorpusPage::deleteSelected);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        if (!m_corpora->currentItem())
            return;
        const QString name = m_corpora->currentItem()->text();
        const QString chatFilter = tr("Chat messages JSONL (*.jsonl)");
        QString filter;
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export Corpus"), dialogFolder(m_path) + "/" + name + ".jsonl",
                                         tr("Prompt-completion JSONL (*.jsonl)") + ";;" + chatFilter, &filter);
        if (!path.isEmpty())
            exportCorpus(name, path, filter == chatFilter);
    });
    return box;
}

void CorpusPage::renameSelected()
{
    if (!m_corpora->currentItem())
        return;
    const QString from = m_corpora->currentItem()->text();
    const QString to = QInputDialog::getText(this, tr("Rename Corpus"), tr("New name:"), QLineEdit::Normal, from);
    if (to.isEmpty() || to == from)
        return;
    postThen(
        m_store, this,
        [from, to](store::Database& db) { store::CorpusRepository(db).rename(from.toStdString(), to.toStdString()); },
        [this] { refreshCorpora(); }, [this](const QString& e) { showMessage(e, true); });
}

void CorpusPage::deleteSelected()
{
    if (!m_corpora->currentItem())
        return;
    const QString name = m_corpora->currentItem()->text();
    if (QMessageBox::question(this, tr("Delete Corpus"),
                              tr("Delete the corpus '%1'? Its rationales stay in the workspace.").arg(name)) !=
        QMessageBox::Yes)
        return;
    postThen(
        m_store, this, [name](store::Database& db) { store::CorpusRepository(db).remove(name.toStdString()); },
        [this] { refreshCorpora(); }, [this](const QString& e) { showMessage(e, true); });
}

void CorpusPage::setWorkspace(const QString& path)
{
    m_path = path;
    m_loaded = {};
    m_store.cancelAll();
    m_store.setWorkspace(path.toStdString());
    m_store.post([last = m_lastBuild](store::Database&) { *last = {}; }); // the store may have changed
    showMessage(QString(), false);
    refreshCorpora();
    schedulePreview();
}

QString CorpusPage::recipeJson() const
{
    return m_recipe->recipeJson();
}

bool CorpusPage::setRecipeJson(const QString& json)
{
    return m_recipe->setRecipeJson(json);
}

void CorpusPage::addStep(const QString& kind)
{
    m_recipe->addStep(kind);
}

bool CorpusPage::setStepField(int step, const QString& field, const QString& value)
{
    return m_recipe->setStepField(step, field, value);
}

QTableWidget* CorpusPage::previewTable() const
{
    return m_preview->table();
}

QTableWidget* CorpusPage::comparisonTable() const
{
    return m_comparison->table();
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
    m_preview->setStatus(tr("Building the preview…"));
    struct Preview {
        std::shared_ptr<const store::BuiltCorpus> built;
        std::optional<corpus::CorpusDrift> drift; // of the loaded saved corpus, while its recipe is unchanged
    };
    postThen(
        m_store, this,
        [json, last = m_lastBuild, loaded = m_loaded](store::Database& db) {
            const auto recipe = corpus::recipeFromJson(json);
            Preview preview{std::make_shared<const store::BuiltCorpus>(corpus::buildCorpus(db, recipe)), std::nullopt};
            *last = {json, preview.built};
            if (loaded.id && corpus::recipeToJson(recipe) == loaded.recipeJson) {
                store::CorpusRepository corpora(db);
                preview.drift = corpus::driftOf(corpora, loaded.id, *preview.built);
            }
            return preview;
        },
        [this, generation](const Preview& preview) {
            if (generation != m_previewGeneration)
                return;
            m_preview->show(*preview.built, m_recipe->sources());
            if (preview.built->members.empty())
                showMessage(tr("The corpus would be empty: %1.").arg(emptiedBy(*preview.built)), true);
            const QString drift =
                preview.drift ? QString::fromStdString(preview.drift->describe(m_loaded.name.toStdString())) + "."
                              : QString();
            m_preview->showDrift(drift, preview.drift && preview.drift->differs());
            Q_EMIT previewUpdated();
            if (preview.drift)
                Q_EMIT driftShown(drift);
        },
        [this, generation](const QString& e) {
            if (generation != m_previewGeneration)
                return;
            m_preview->setStatus(tr("No preview: see below."));
            showMessage(e, true);
        });
}

void CorpusPage::saveAs(const QString& name, bool replace)
{
    if (name.isEmpty()) {
        showMessage(tr("Give the corpus a name first."), true);
        m_recipe->focusName();
        return;
    }
    const std::string json = recipeJson().toStdString();
    struct Saved {
        qint64 rationales = 0;
        bool nameTaken = false; // nothing saved: a corpus of that name exists and replace was not asked for
        QString empty;          // nothing saved: the step that left no rationales
    };
    postThen(
        m_store, this,
        [name, json, replace, last = m_lastBuild](store::Database& db) {
            store::CorpusRepository corpora(db);
            if (!replace && corpora.find(name.toStdString()))
                return Saved{0, true, {}};
            const auto recipe = corpus::recipeFromJson(json);
            if (!last->built || last->recipeJson != json) // not the recipe just previewed
                *last = {json, std::make_shared<const store::BuiltCorpus>(corpus::buildCorpus(db, recipe))};
            const store::BuiltCorpus& built = *last->built;
            if (built.members.empty())
                return Saved{0, false, emptiedBy(built)};
            corpora.save(name.toStdString(), corpus::recipeToJson(recipe), built, replace);
            return Saved{qint64(built.members.size()), false, {}};
        },
        [this, name](const Saved& saved) {
            if (!saved.empty.isEmpty())
                return showMessage(tr("Not saved: the recipe leaves no rationales (%1).").arg(saved.empty), true);
            if (saved.nameTaken)
                return askReplaceOrRename(name);
            showMessage(tr("Saved the corpus '%1' (%2 rationales).").arg(name, QLocale().toString(saved.rationales)),
                        false);
            refreshCorpora();
        },
        [this](const QString& e) { showMessage(e, true); });
}

QString CorpusPage::emptiedBy(const store::BuiltCorpus& built)
{
    const auto& steps = built.steps;
    const auto emptied =
        std::find_if(steps.begin(), steps.end(), [](const store::CorpusStepCounts& c) { return c.rationales == 0; });
    const auto k = emptied - steps.begin();
    if (emptied == steps.end()) // an instance step (per-instance minimum, share) dropped the rest
        return tr("the instance steps keep no question");
    if (k == 0)
        return tr("the workspace holds no rationales of the recipe's sources and tasks to start from");
    return tr("step %1 (%2) removes the last rationales").arg(k).arg(QString::fromStdString(emptied->step));
}

void CorpusPage::askReplaceOrRename(const QString& name)
{
    showMessage(tr("A corpus named '%1' exists: replace it, or save under another name.").arg(name), true);
    if (!qEnvironmentVariableIsEmpty("COTLAB_NO_DIALOGS"))
        return;
    QMessageBox box(QMessageBox::Question, tr("Save Corpus"),
                    tr("A corpus named '%1' exists. Replace it with this recipe's corpus, or save under another "
                       "name?")
                        .arg(name),
                    QMessageBox::Cancel, this);
    QPushButton* replace = box.addButton(tr("Replace"), QMessageBox::DestructiveRole);
    QPushButton* rename = box.addButton(tr("Save as…"), QMessageBox::AcceptRole);
    box.exec();
    if (box.clickedButton() == replace) {
        saveAs(name, true);
    } else if (box.clickedButton() == rename) {
        const QString other =
            QInputDialog::getText(this, tr("Save Corpus As"), tr("New name:"), QLineEdit::Normal, name + tr(" 2"));
        if (!other.isEmpty()) {
            m_recipe->setName(other);
            saveAs(other, false);
        }
    }
}

void CorpusPage::setTasks(const QStringList& tasks)
{
    m_recipe->setTasks(tasks);
}

void CorpusPage::refreshCorpora()
{
    postThen(
        m_store, this,
        [](store::Database& db) {
            QStringList names;
            for (const auto& c : store::CorpusRepository(db).list())
                names << QString::fromStdString(c.name);
            return names;
        },
        [this](const QStringList& names) {
            const QSignalBlocker block(m_corpora);
            m_corpora->clear();
            m_corpora->addItems(names);
            m_comparison->setNames(names);
            Q_EMIT corporaChanged();
        },
        [this](const QString& e) { showMessage(e, true); });
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
    postThen(
        m_store, this, [name](store::Database& db) { return store::CorpusRepository(db).find(name.toStdString()); },
        [this, name](const std::optional<store::CorpusInfo>& info) {
            if (!info)
                return;
            m_recipe->setName(name);
            try {
                m_loaded = {name, info->id, corpus::recipeToJson(corpus::recipeFromJson(info->recipeJson))};
            } catch (const std::exception&) {
                m_loaded = {};
            }
            setRecipeJson(QString::fromStdString(info->recipeJson));
        },
        [this](const QString& e) { showMessage(e, true); });
}

void CorpusPage::compare(const QString& a, const QString& b)
{
    if (a.isEmpty() || b.isEmpty())
        return;
    m_comparison->choose(a, b);
    postThen(
        m_store, this,
        [a, b](store::Database& db) {
            store::CorpusRepository corpora(db);
            return corpus::compareCorpora(corpora, a.toStdString(), b.toStdString());
        },
        [this](const corpus::CorpusComparison& comparison) {
            m_comparison->show(comparison);
            Q_EMIT compared();
        },
        [this](const QString& e) { showMessage(e, true); });
}

void CorpusPage::showRemoved(int step)
{
    const auto* all = m_preview->removedBy(step);
    if (!all)
        return;
    const std::vector<int64_t> ids(all->begin(), all->begin() + std::ptrdiff_t(std::min<size_t>(all->size(), 100)));
    const QString title =
        tr("Step %1 removed %2 rationales%3.")
            .arg(step)
            .arg(QLocale().toString(qint64(all->size())))
            .arg(all->size() > ids.size() ? tr("; the first %1 are shown").arg(ids.size()) : QString());
    postThen(
        m_store, this,
        [ids, title](store::Database& db) {
            QString html = "<p><b>" + title.toHtmlEscaped() + "</b></p>";
            for (const auto& r : store::RationaleBrowser(db, {}, {}).rows(ids))
                html += QString("<p><span style='color:gray'>%1 · %2 #%3 · answer %4 %5</span><br>%6</p>")
                            .arg(QString::fromStdString(r.instance).toHtmlEscaped(),
                                 QString::fromStdString(r.model).toHtmlEscaped())
                            .arg(r.sample)
                            .arg(QString::fromStdString(r.answer.value_or("–")).toHtmlEscaped(),
                                 !r.correct   ? QString()
                                 : *r.correct ? "✓"
                                              : "✗",
                                 QString::fromStdString(r.snippet).toHtmlEscaped().replace("\n", "<br>"));
            return html;
        },
        [this, step](const QString& html) {
            m_preview->showRemoved(step, html);
            Q_EMIT removedShown();
        },
        [this](const QString& e) { showMessage(e, true); });
}

QString CorpusPage::removedText() const
{
    return m_preview->removedText();
}

void CorpusPage::exportCorpus(const QString& name, const QString& path, bool chat)
{
    postThen(
        m_store, this,
        [name, path, chat](store::Database& db) {
            train::TrainingSelection selection;
            selection.corpus = name.toStdString();
            selection.task.clear();
            return qint64(train::exportExamples(db, selection, path.toStdString(),
                                                chat ? train::ExportShape::Chat : train::ExportShape::PromptCompletion)
                              .examples);
        },
        [this, path](qint64 n) {
            showMessage(tr("Wrote %1 training examples to %2.").arg(QLocale().toString(n), path), false);
            Q_EMIT exported(true);
        },
        [this](const QString& e) {
            showMessage(e, true);
            Q_EMIT exported(false);
        });
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
