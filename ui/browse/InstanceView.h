#pragma once

// The Browse page's view of one instance: its question, choices and gold answer, statistics of its samples
// (count, distinct rationales, answer distribution), all its rationales stacked or side by side with the answer
// sentence and the search matches highlighted and each marked correct or wrong, and the note and tags of the
// instance and of the selected rationale, which are handed on for saving as soon as an edit is finished.
#include "store/AnnotationRepository.h"
#include "store/RationaleBrowser.h"
#include "store/Records.h"

#include <QSet>
#include <QStringList>
#include <QWidget>
#include <map>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QTextBrowser;

namespace cotlab::ui {

struct InstanceDetail {
    store::InstanceRecord instance;
    std::vector<store::RationaleRecord> rationales;
    std::vector<std::string> answerSentences; // per rationale: the stored one, else where the answer was read
    store::SampleStats stats;
    store::Annotation note;
    std::map<int64_t, store::Annotation> rationaleNotes;
};

class InstanceView : public QWidget {
    Q_OBJECT

public:
    explicit InstanceView(QWidget* parent = nullptr);

    void clear(const QString& message);
    // Shows an instance; `selected` is the rationale to mark and scroll to; `searchTerms` are highlighted.
    void show(const InstanceDetail& detail, qint64 selected, const QStringList& searchTerms);
    void selectRationale(qint64 id);
    qint64 instanceId() const { return m_detail.instance.id; }
    qint64 selectedRationale() const { return m_selected; }
    void setSideBySide(bool sideBySide);
    QString rationalesHtml() const;

    // The words of an FTS5 query to highlight: its terms without operators, quotes or column filters; a term
    // ending in * matches as a prefix.
    static QStringList searchTerms(const QString& ftsQuery);

Q_SIGNALS:
    void annotationEdited(store::AnnotationTarget target, qint64 id, const store::Annotation& annotation);

private:
    void render();
    void fillRationaleNotes();
    void commitInstance();
    void commitRationale();

    InstanceDetail m_detail;
    qint64 m_selected = 0;
    QStringList m_terms;
    QSet<qint64> m_thinkingShown;   // rationales whose thinking a search matched: unfolded
    QSet<qint64> m_thinkingToggled; // rationales whose thinking the user folded or unfolded by hand
    QTextBrowser* m_header;
    QTextBrowser* m_rationales;
    QComboBox* m_layout;
    QLineEdit* m_instanceNote;
    QLineEdit* m_instanceTags;
    QLabel* m_rationaleLabel;
    QLineEdit* m_rationaleNote;
    QLineEdit* m_rationaleTags;
};

} // namespace cotlab::ui
