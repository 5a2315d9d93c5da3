#pragma once

// A corpus recipe as a list of steps (add, remove, move) and the selected step's fields in a table beside what
// each accepts (core's recipe schema), with the name to save it under. Every change is checked against the recipe
// format; a refused value is not taken and `problem` says why.
#include <QJsonObject>
#include <QList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QTableWidget;

namespace cotlab::ui {

class RecipeEditor : public QWidget {
    Q_OBJECT

public:
    explicit RecipeEditor(QWidget* parent = nullptr);

    QString recipeJson() const; // the recipe being edited (JSON, docs/corpus.md)
    bool setRecipeJson(const QString& json);
    void addStep(const QString& kind); // after the selected step, with its defaults
    // Sets a field of a step from text as typed in the field table (lists comma separated).
    bool setStepField(int step, const QString& field, const QString& value);
    QStringList sources() const; // whose rationales the recipe starts from
    QString name() const;
    void setName(const QString& name);
    void focusName();
    // The workspace's tasks, offered by the scope step's task picker; a recipe naming another task is warned of.
    void setTasks(const QStringList& tasks);

Q_SIGNALS:
    void recipeChanged();
    void saveRequested(const QString& name);
    void problem(const QString& message); // "" when an earlier problem no longer applies

private:
    QWidget* buildStepButtons();
    QWidget* buildSources();
    void rebuildSteps();
    void showStep(int row);
    void moveStep(int by);
    // A picker in the value cell for a field with known values (choices, true/false, tasks, splits, sources).
    void addValuePicker(int row, const QString& step, const QString& field, const QJsonValue& value);
    QStringList knownValues(const QString& field) const; // of a list field ('' : free text)
    void warnOfUnknownTasks();

    QList<QJsonObject> m_steps;  // the recipe's steps as JSON objects, in order
    QList<QCheckBox*> m_sources; // teacher, human, student
    QLabel* m_sourceWarning;
    QListWidget* m_stepList;
    QTableWidget* m_fields;
    QLineEdit* m_name;
    QLabel* m_stepDescription;
    QStringList m_tasks;
    bool m_filling = false;
};

} // namespace cotlab::ui
