#include "train/TokenPreviewDialog.h"

#include "common/FormWidgets.h"
#include "common/PlotFrame.h"
#include "common/QCustomPlotInclude.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace cotlab::ui {

QString tokenHtml(const std::vector<train::TokenSpan>& spans, bool ids)
{
    QString html = "<div style=\"font-family: monospace; line-height: 150%;\">";
    for (size_t t = 0; t < spans.size(); ++t) {
        const auto& s = spans[t];
        const bool odd = t % 2;
        const char* background = s.cut    ? (odd ? "#f0c4c4" : "#f8dede")
                                 : s.loss ? (odd ? "#b9e8c4" : "#d6f3dd")
                                          : (odd ? "#d9d9d9" : "#ececec");
        QString text = QString::fromStdString(s.text).toHtmlEscaped();
        text.replace(' ', "&nbsp;").replace('\t', "&nbsp;&nbsp;&nbsp;&nbsp;");
        text.replace('\n', "<span style=\"color:#888;\">\u21b5</span><br/>");
        html += QString("<span style=\"background-color:%1;%2\">%3</span>")
                    .arg(background, s.special ? " font-weight:bold;" : "", text);
        if (ids)
            html += QString("<sub style=\"color:#666;\">%1</sub>").arg(s.id);
    }
    return html + "</div>";
}

TokenPreviewDialog::TokenPreviewDialog(QWidget* parent)
    : QDialog(parent), m_summary(new QLabel), m_plot(new QCustomPlot), m_example(new QSpinBox),
      m_ids(new QCheckBox(tr("Show token ids"))), m_exampleSummary(new QLabel), m_tokens(new QTextBrowser)
{
    setWindowTitle(tr("Preview Tokens — what the student sees"));
    setObjectName("tokenPreview");
    m_summary->setObjectName("lengthSummary");
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_plot->setObjectName("lengthHistogram");
    m_plot->setMinimumHeight(220);
    m_example->setObjectName("example");
    m_example->setMinimum(1);
    m_ids->setObjectName("showIds");
    m_tokens->setObjectName("tokens");
    m_exampleSummary->setWordWrap(true);

    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_summary);
    topLayout->addWidget(m_plot, 1);

    auto* bottom = new QWidget;
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Example")));
    row->addWidget(m_example);
    row->addWidget(m_ids);
    row->addStretch(1);
    auto* legend = new QLabel(tr("<span style=\"background-color:#d6f3dd;\">&nbsp;in the loss&nbsp;</span> "
                                 "<span style=\"background-color:#ececec;\">&nbsp;not in the loss&nbsp;</span> "
                                 "<span style=\"background-color:#f8dede;\">&nbsp;cut by the max length&nbsp;</span> "
                                 "&nbsp;<b>bold</b>: special tokens · shades alternate at token boundaries"));
    row->addWidget(legend);
    bottomLayout->addLayout(row);
    bottomLayout->addWidget(m_exampleSummary);
    bottomLayout->addWidget(m_tokens, 1);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);
    resize(980, 760);

    connect(m_example, &QSpinBox::valueChanged, this, [this](int v) { showExample(v - 1); });
    connect(m_ids, &QCheckBox::toggled, this, [this] { showExample(m_example->value() - 1); });
}

void TokenPreviewDialog::setPreview(train::TrainingPreview preview)
{
    m_preview = std::move(preview);
    QString summary = QString::fromStdString(m_preview.summary()).toHtmlEscaped().replace("\n", "<br/>");
    summary += "<br/>" + tr("tokenizer: %1").arg(QString::fromStdString(m_preview.tokenizerPath).toHtmlEscaped());
    if (!m_preview.chatLayout.empty())
        summary += "<br/>" + QString::fromStdString(m_preview.chatLayout).toHtmlEscaped();
    m_summary->setText(summary);
    plotLengths();
    const QSignalBlocker block(m_example);
    m_example->setMaximum(std::max(1, int(m_preview.tokenized.size())));
    m_example->setSuffix(tr(" of %1").arg(m_preview.tokenized.size()));
    m_example->setValue(1);
    showExample(0);
}

void TokenPreviewDialog::showExample(int index)
{
    if (index < 0 || size_t(index) >= m_preview.tokenized.size() || !m_preview.tokenizer) {
        m_tokens->clear();
        return;
    }
    const auto& e = m_preview.tokenized[size_t(index)];
    const auto spans = train::tokenSpans(e, *m_preview.tokenizer, m_preview.maxLength);
    const auto inLoss = std::count_if(spans.begin(), spans.end(), [](const auto& s) { return s.loss; });
    QString note = tr("%1 tokens: %2 prompt, %3 target; %4 in the loss")
                       .arg(spans.size())
                       .arg(e.promptTokens)
                       .arg(int64_t(e.ids.size()) - e.promptTokens)
                       .arg(inLoss);
    if (const auto fit = train::lengthFit(e, m_preview.maxLength); fit != train::LengthFit::Fits)
        note += " · " + (fit == train::LengthFit::LeftOut
                             ? tr("left out: the prompt alone reaches the max length of %1").arg(m_preview.maxLength)
                             : tr("cut to the max length of %1: the last %2 tokens (red) are not trained on")
                                   .arg(m_preview.maxLength)
                                   .arg(int64_t(e.ids.size()) - m_preview.maxLength));
    m_exampleSummary->setText(note);
    m_tokens->setHtml(tokenHtml(spans, m_ids->isChecked()));
}

void TokenPreviewDialog::plotLengths()
{
    resetPlot(m_plot, tr("Tokens per example"));
    m_plot->xAxis->setLabel(tr("tokens"));
    m_plot->yAxis->setLabel(tr("examples"));
    useCountTicks(m_plot->yAxis);
    const double top = double(std::max<int64_t>(m_preview.total.max(), m_preview.maxLength));
    const double width = std::max(1.0, std::ceil(top * 1.05 / 60.0));
    const int bins = int(std::ceil(top * 1.05 / width));
    double highest = 0;
    const std::pair<const train::LengthDistribution*, QString> series[] = {
        {&m_preview.prompt, tr("prompt")}, {&m_preview.target, tr("target")}, {&m_preview.total, tr("total")}};
    int colour = 0;
    for (const auto& [distribution, name] : series) {
        std::vector<double> counts(size_t(bins), 0.0);
        for (const int64_t n : distribution->sorted())
            counts[std::min(size_t(bins - 1), size_t(double(n) / width))] += 1;
        auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        bars->setName(name);
        bars->setWidth(width);
        QColor fill = seriesColor(colour++);
        bars->setPen(QPen(fill.darker(130)));
        fill.setAlpha(110);
        bars->setBrush(fill);
        QVector<double> x, y;
        for (int k = 0; k < bins; ++k) {
            x << (double(k) + 0.5) * width;
            y << counts[size_t(k)];
            highest = std::max(highest, counts[size_t(k)]);
        }
        bars->setData(x, y);
    }
    auto* limit = new QCPItemStraightLine(m_plot);
    limit->point1->setCoords(double(m_preview.maxLength), 0);
    limit->point2->setCoords(double(m_preview.maxLength), 1);
    limit->setPen(QPen(QColor("#b00020"), 1.5, Qt::DashLine));
    auto* label = new QCPItemText(m_plot);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    label->position->setCoords(double(m_preview.maxLength), highest * 1.12);
    label->setText(
        tr("max length %1: %2 cut, %3 left out ").arg(m_preview.maxLength).arg(m_preview.cut).arg(m_preview.skipped));
    label->setColor(QColor("#b00020"));
    m_plot->xAxis->setRange(0, double(bins) * width);
    m_plot->yAxis->setRange(0, std::max(1.0, highest * 1.18));
    showLegendBelow(m_plot);
    m_plot->replot();
}

} // namespace cotlab::ui
