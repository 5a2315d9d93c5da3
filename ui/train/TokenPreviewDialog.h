#pragma once

// "Preview Tokens" of the Train page: what the student will see, before a run starts — the token lengths of the
// training examples (prompt, target and total; a histogram with the max length drawn in, percentiles, how many the
// max length cuts) and any example token by token, coloured by whether the loss covers it (train::TokenPreview).
#include "train/TokenPreview.h"

#include <QDialog>

class QCheckBox;
class QCustomPlot;
class QLabel;
class QSpinBox;
class QTextBrowser;

namespace cotlab::ui {

class TokenPreviewDialog : public QDialog {
    Q_OBJECT

public:
    explicit TokenPreviewDialog(QWidget* parent = nullptr);
    void setPreview(train::TrainingPreview preview);
    void showExample(int index); // 0-based

private:
    void plotLengths();

    train::TrainingPreview m_preview;
    QLabel* m_summary;
    QCustomPlot* m_plot;
    QSpinBox* m_example;
    QCheckBox* m_ids;
    QLabel* m_exampleSummary;
    QTextBrowser* m_tokens;
};

// The example's tokens as HTML: loss tokens green, the others grey, those cut by the max length red, shades alternating
// at token boundaries, special tokens bold, line breaks kept; with ids, each token's id after it in small type.
QString tokenHtml(const std::vector<train::TokenSpan>& spans, bool ids);

} // namespace cotlab::ui
