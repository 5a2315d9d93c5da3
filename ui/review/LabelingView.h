#pragma once

// The Review page's labelling screen: one item at a time (the question, its choices and, unless the study hides it,
// the gold answer; the rationale, or two side by side as this annotator's sides, blind), the study's criteria as
// buttons, and a comment. Keyboard only: a number key answers the highlighted criterion and moves on (after the
// last one, to the next item), Up/Down pick a criterion, Right/Left go to the next/previous item, S skips, C edits
// the comment, Esc goes back to the overview. Every answer is handed on at once (labelGiven) for storing.
#include "review/Study.h"

#include <QWidget>
#include <vector>

class QButtonGroup;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTextBrowser;
class QGroupBox;

namespace cotlab::ui {

class LabelingView : public QWidget {
    Q_OBJECT

public:
    explicit LabelingView(QWidget* parent = nullptr);

    // Starts (or resumes) labelling at the annotator's saved position.
    void start(review::AnnotatorSession session);
    const review::AnnotatorSession& session() const { return m_session; }
    int currentItem() const { return m_item; }
    int currentCriterion() const { return m_criterion; }
    int completeItems() const;
    // Goes to an item (0-based; clamped) and shows it.
    void showItem(int index);
    // The option (0-based) chosen for a criterion of the current item, -1 when none.
    int chosenOption(int criterion) const;
    QString leftText() const;  // what the left (or only) rationale view shows, as plain text
    QString rightText() const; // empty in single mode
    QString questionText() const;

Q_SIGNALS:
    void labelGiven(qint64 itemId, qint64 annotatorId, const QString& criterion, const QString& value);
    void commentGiven(qint64 itemId, qint64 annotatorId, const QString& comment);
    void positionChanged(qint64 annotatorId, qint64 position);
    void itemShown(int index);
    void backToOverview();

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void buildCriteria();
    void choose(int criterion, int option);
    void setCriterion(int criterion);
    void refreshCriteria();
    void refreshProgress();
    void commitComment();
    bool itemComplete(size_t index) const;

    review::AnnotatorSession m_session;
    int m_item = 0;
    int m_criterion = 0;
    QLabel* m_title;
    QLabel* m_position;
    QProgressBar* m_progress;
    QTextBrowser* m_question;
    QGroupBox* m_leftBox;
    QGroupBox* m_rightBox;
    QTextBrowser* m_left;
    QTextBrowser* m_right;
    QWidget* m_criteriaPanel;
    std::vector<QLabel*> m_criterionLabels;
    std::vector<QButtonGroup*> m_criterionButtons;
    QLineEdit* m_comment;
    QLabel* m_done;
};

} // namespace cotlab::ui
