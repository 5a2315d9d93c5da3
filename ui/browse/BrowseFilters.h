#pragma once

// The Browse page's search field and filter bar (task, split, source, model, correctness, length, tag) with the
// row count; `changed` follows every edit of a filter (a search follows typing after a pause, or Enter).
#include "store/RationaleBrowser.h"

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTimer;

namespace cotlab::ui {

class BrowseFilters : public QWidget {
    Q_OBJECT

public:
    explicit BrowseFilters(QWidget* parent = nullptr);

    store::RationaleFilter filter() const;
    QString searchText() const;
    // The values the store holds; a chosen value that is gone falls back to "(any)" (and emits changed).
    void setFacets(const QStringList& tasks, const QStringList& models, const QStringList& tags);
    void setTags(const QStringList& tags);
    void clear();                                               // every filter back to "(any)"; emits changed
    void showOnly(const QString& source, const QString& model); // one model's rationales of a source
    void focusSearch();
    void setCount(qint64 rows, bool final);

Q_SIGNALS:
    void changed();

private:
    void setItems(QComboBox* box, const QStringList& items);
    void edited();

    QLineEdit* m_search;
    QComboBox *m_task, *m_split, *m_source, *m_model, *m_correct, *m_tag;
    QSpinBox *m_minLength, *m_maxLength;
    QLabel* m_count;
    QTimer* m_searchDelay;
    bool m_updating = false; // filling the boxes: no `changed` per box
};

} // namespace cotlab::ui
