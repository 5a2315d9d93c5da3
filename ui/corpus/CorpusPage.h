#pragma once

// The Corpus page: build a corpus recipe step by step (RecipeEditor; SCoTD's and Fine-tune-CoT's selection steps,
// docs/corpus.md) with a live preview of what is left after each step (CorpusPreview); save it under a name;
// duplicate, rename, delete and export saved corpora; compare two of them (CorpusComparisonView). Every build runs
// on the page's WorkspaceThread.
#include "async/WorkspaceThread.h"
#include "store/CorpusRepository.h"

#include <QWidget>
#include <memory>

class QLabel;
class QListWidget;
class QTableWidget;
class QTimer;

namespace cotlab::ui {

class CorpusComparisonView;
class CorpusPreview;
class RecipeEditor;

class CorpusPage : public QWidget {
    Q_OBJECT

public:
    explicit CorpusPage(QWidget* parent = nullptr);
    ~CorpusPage() override;

    void setWorkspace(const QString& path);
    // The recipe being edited (JSON, docs/corpus.md); setting it rebuilds the preview.
    QString recipeJson() const;
    bool setRecipeJson(const QString& json);
    void addStep(const QString& kind);
    // Sets a field of the selected step from text as typed in the step table (lists comma separated).
    bool setStepField(int step, const QString& field, const QString& value);
    // Saves the recipe's corpus; a recipe that leaves nothing is not saved, and a name in use asks whether to replace
    // that corpus or save under another name (the message says so when dialogs are off).
    void saveAs(const QString& name, bool replace);
    void setTasks(const QStringList& tasks); // the workspace's, for the recipe editor's task picker
    // Writes a saved corpus as training JSONL (prompt-completion or chat) with the trainer's chain-of-thought template.
    void exportCorpus(const QString& name, const QString& path, bool chat);
    void compare(const QString& a, const QString& b);
    QStringList corpusNames() const;
    QTableWidget* previewTable() const;
    QTableWidget* comparisonTable() const;
    // Shows (up to 100 of) the rationales a step of the preview removed (step counts from 1).
    void showRemoved(int step);
    QString removedText() const;
    QString message() const;

Q_SIGNALS:
    void previewUpdated();
    void corporaChanged();
    void compared();
    void driftShown(const QString& text);
    void removedShown();
    void exported(bool ok);
    void trainRequested(const QString& corpus); // "Train on This Corpus" on a saved corpus

private:
    QWidget* buildSaved();
    void schedulePreview();
    void runPreview();
    void refreshCorpora();
    void loadCorpus(const QString& name);
    void renameSelected();
    void askReplaceOrRename(const QString& name);
    static QString emptiedBy(const store::BuiltCorpus& built); // why a corpus is empty: the step that emptied it
    void deleteSelected();
    void showMessage(const QString& text, bool error);

    // The preview's last build, so that saving the recipe just previewed does not build it again. Touched only by
    // tasks on m_store's thread.
    struct LastBuild {
        std::string recipeJson;
        std::shared_ptr<const store::BuiltCorpus> built;
    };
    std::shared_ptr<LastBuild> m_lastBuild = std::make_shared<LastBuild>();
    // The saved corpus whose recipe was loaded (its recipe as the format writes it), for the drift check.
    struct Loaded {
        QString name;
        qint64 id = 0;
        std::string recipeJson;
    };
    Loaded m_loaded;
    QString m_path;
    RecipeEditor* m_recipe;
    CorpusPreview* m_preview;
    CorpusComparisonView* m_comparison;
    QListWidget* m_corpora;
    QLabel* m_message;
    QTimer* m_previewDelay;
    quint64 m_previewGeneration = 0;
    WorkspaceThread m_store;
};

} // namespace cotlab::ui
