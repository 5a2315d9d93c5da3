#pragma once

// The Review page's dialog for a new human evaluation study: name, mode (blind pairwise or one rationale at a time),
// the sources to judge (picked from the workspace's teachers and students), tasks, split, sample size, seed,
// stratification, whether annotators see the gold answer, and the criteria with their scales (SCoTD-style defaults
// per mode, editable).
#include "review/Study.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QLabel;
class QLayout;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QTableWidget;

namespace cotlab::ui {

class NewStudyDialog : public QDialog {
    Q_OBJECT

public:
    // The workspace's sources with the questions each pair shares: source B offers only those that share
    // questions with A, with how many.
    NewStudyDialog(review::StudySources sources, const QStringList& tasks, QWidget* parent = nullptr);

    // The study as filled in; an Error names what is missing or wrong.
    review::StudySpec spec() const;
    void setName(const QString& name);
    void setMode(review::Mode mode);
    void setSources(const QString& a, const QString& b);
    void setSize(int size);
    void showError(const QString& message); // in the dialog, which keeps what was typed; Create is enabled again

Q_SIGNALS:
    // Create was pressed with a valid study: the page creates it, then accepts the dialog or shows the error here.
    void createRequested(const review::StudySpec& spec);

private:
    QLayout* buildForm(const QStringList& tasks);
    void fillSourceB(); // the sources sharing questions with A
    QLayout* buildCriteria();
    void fillCriteria(review::Mode mode);

    review::StudySources m_sources;
    class QPushButton* m_create;
    QLineEdit* m_name;
    QComboBox* m_mode;
    QComboBox* m_sourceA;
    QComboBox* m_sourceB;
    QLabel* m_sourceBLabel;
    QListWidget* m_tasks;
    QComboBox* m_split;
    QSpinBox* m_size;
    QSpinBox* m_seed;
    QCheckBox* m_byTask;
    QCheckBox* m_byCorrectness;
    QCheckBox* m_hideGold;
    QTableWidget* m_criteria;
    QLabel* m_error;
};

} // namespace cotlab::ui
