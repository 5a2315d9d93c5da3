#pragma once

// Two saved corpora chosen side by side: instances, rationales, rationales per instance, accuracy, mean length,
// steps, what they share, and a plot of how many instances have 1, 2, ... rationales in each.
#include "corpus/CorpusComparison.h"

#include <QStringList>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QTableWidget;

namespace cotlab::ui {

class CorpusComparisonView : public QWidget {
    Q_OBJECT

public:
    explicit CorpusComparisonView(QWidget* parent = nullptr);

    void setNames(const QStringList& names); // keeps the chosen ones when they are still there
    void choose(const QString& a, const QString& b);
    void show(const corpus::CorpusComparison& comparison);
    QTableWidget* table() const { return m_table; }

Q_SIGNALS:
    void compareRequested(const QString& a, const QString& b);

private:
    QComboBox* m_a;
    QComboBox* m_b;
    QTableWidget* m_table;
    QCustomPlot* m_plot;
};

} // namespace cotlab::ui
