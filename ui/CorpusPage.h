#pragma once

// The Corpus page: build a corpus recipe step by step (SCoTD's and Fine-tune-CoT's selection steps, docs/corpus.md)
// with a live preview of what is left after each step (instances, rationales, accuracy, mean length, what the step
// removed) and of the rationales per instance; save it under a name; duplicate, rename, delete saved corpora; and
// compare two corpora (counts per step, shared rationales). Every build runs on a worker thread.
#include "WorkspaceThread.h"
#include "corpus/CorpusBuilder.h"

#include <QJsonObject>
#include <QList>
#include <QWidget>
#include <memory>

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QListWidget;
class QTableWidget;
class QTabWidget;
class QTextBrowser;
class QTimer;

namespace cotlab::ui {

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
    void saveAs(const QString& name, bool replace);
    // Writes a saved corpus as training JSONL (prompt-completion or chat) with the trainer's chain-of-thought template.
    void exportCorpus(const QString& name, const QString& path, bool chat);
    void compare(const QString& a, const QString& b);
    QStringList corpusNames() const;
    QTableWidget* previewTable() const { return m_preview; }
    QTableWidget* comparisonTable() const { return m_comparison; }
    // Shows (up to 100 of) the rationales a step of the preview removed (step counts from 1).
    void showRemoved(int step);
    QString removedText() const;
    QString message() const;

Q_SIGNALS:
    void previewUpdated();
    void corporaChanged();
    void compared();
    void removedShown();
    void exported(bool ok);

private:
    void rebuildSteps();
    void showStep(int row);
    void schedulePreview();
    void runPreview();
    void showPreview(const corpus::BuiltCorpus& built);
    // The preview's last build, so that saving the recipe just previewed does not build it again. Touched only by
    // tasks on m_store's thread.
    struct LastBuild {
        std::string recipeJson;
        std::shared_ptr<const corpus::BuiltCorpus> built;
    };
    std::shared_ptr<LastBuild> m_lastBuild = std::make_shared<LastBuild>();
    void refreshCorpora();
    void loadCorpus(const QString& name);
    void showMessage(const QString& text, bool error);

    QString m_path;
    QList<QJsonObject> m_steps; // the recipe's steps as JSON objects, in order
    QListWidget* m_stepList;
    QTableWidget* m_fields;
    QTableWidget* m_preview;
    QCustomPlot* m_plot;
    QTextBrowser* m_removed;
    QTabWidget* m_previewTabs;
    std::vector<std::vector<int64_t>> m_removedIds; // of the preview on show, per step
    QListWidget* m_corpora;
    QLineEdit* m_name;
    QComboBox *m_compareA, *m_compareB;
    QTableWidget* m_comparison;
    QCustomPlot* m_comparisonPlot;
    QLabel* m_message;
    QLabel* m_previewStatus; // what the preview shows, or that it is being built
    QTimer* m_previewDelay;
    quint64 m_previewGeneration = 0;
    bool m_filling = false;
    WorkspaceThread m_store;
};

} // namespace cotlab::ui
