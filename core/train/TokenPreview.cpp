#include "train/TokenPreview.h"

#include "nn/ModelShape.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace cotlab::train {

std::vector<TokenSpan> tokenSpans(const TokenizedExample& example, const text::Tokenizer& tokenizer, int64_t maxLength)
{
    std::vector<TokenSpan> spans;
    const auto& ids = example.ids;
    const bool leftOut = lengthFit(example, maxLength) == LengthFit::LeftOut;
    for (size_t t = 0; t < ids.size(); ++t) {
        TokenSpan s;
        s.id = ids[t];
        // The trainer's rule: target tokens from the first one not the prompt's (a token nothing predicts, the
        // first, never counts).
        s.cut = leftOut || int64_t(t) >= maxLength;
        s.loss = int32_t(t) >= example.promptLength && t > 0 && !s.cut;
        // A token's text is what it adds to the text of the few tokens before it, so that a word-start space or a
        // character split over two byte-level tokens reads as the model's text does.
        const size_t from = t > 8 ? t - 8 : 0;
        const std::vector<int32_t> before(ids.begin() + std::ptrdiff_t(from), ids.begin() + std::ptrdiff_t(t));
        std::vector<int32_t> with = before;
        with.push_back(ids[t]);
        const std::string a = tokenizer.decode(before), b = tokenizer.decode(with);
        if (b.size() >= a.size() && b.compare(0, a.size(), a) == 0)
            s.text = b.substr(a.size());
        else
            s.text =
                tokenizer.decodeAfter(std::vector<int32_t>(ids.begin(), ids.begin() + std::ptrdiff_t(t)), {ids[t]});
        if (s.text.empty()) { // llama2.c's vocabulary spells BOS "\n<s>\n": the name alone
            s.text = tokenizer.piece(ids[t]);
            const auto first = s.text.find_first_not_of(" \n");
            s.text =
                first == std::string::npos ? s.text : s.text.substr(first, s.text.find_last_not_of(" \n") - first + 1);
            s.special = true;
        }
        spans.push_back(std::move(s));
    }
    return spans;
}

LengthDistribution::LengthDistribution(std::vector<int64_t> lengths) : m_sorted(std::move(lengths))
{
    std::sort(m_sorted.begin(), m_sorted.end());
}

int64_t LengthDistribution::percentile(double p) const
{
    if (m_sorted.empty())
        return 0;
    const double rank = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * double(m_sorted.size()));
    return m_sorted[size_t(std::clamp(rank, 1.0, double(m_sorted.size()))) - 1];
}

double LengthDistribution::mean() const
{
    if (m_sorted.empty())
        return 0;
    return double(std::accumulate(m_sorted.begin(), m_sorted.end(), int64_t(0))) / double(m_sorted.size());
}

int64_t LengthDistribution::countAbove(int64_t limit) const
{
    return int64_t(m_sorted.end() - std::upper_bound(m_sorted.begin(), m_sorted.end(), limit));
}

namespace {

std::string withThousands(int64_t n)
{
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

std::string describe(const char* what, const LengthDistribution& d)
{
    char text[160];
    std::snprintf(text, sizeof text, "%s tokens: mean %.0f, median %lld, p90 %lld, p99 %lld, max %lld", what, d.mean(),
                  (long long)d.percentile(50), (long long)d.percentile(90), (long long)d.percentile(99),
                  (long long)d.max());
    return text;
}

} // namespace

std::string TrainingPreview::summary() const
{
    std::string text = withThousands(int64_t(examples.size())) + " examples\n" + describe("prompt", prompt) + "\n" +
                       describe("target", target) + "\n" + describe("total", total) + "\n";
    text += "max length " + withThousands(maxLength) + ": ";
    if (cut == 0 && skipped == 0)
        text += "every example fits";
    else
        text += withThousands(cut) + " cut (the end of their target is lost), " + withThousands(skipped) +
                " left out (the prompt alone reaches it)";
    return text;
}

TrainingPreview previewTraining(store::Database& db, const TrainingRequest& request)
{
    TrainingRequest r = request;
    r.devSplit.clear(); // the preview is of the training examples
    TrainingData data = TrainingData::select(db, r);
    data.layOut(r);
    const auto shape = nn::readModelShape(r.modelPath);
    TrainingPreview preview;
    preview.tokenizerPath = nn::tokenizerPathOf(r.modelPath, r.tokenizerPath);
    std::shared_ptr<const text::Tokenizer> tokenizer = text::loadTokenizer(preview.tokenizerPath, int32_t(shape.vocab));
    preview.tokenizer = tokenizer;
    preview.maxLength = shape.maxPositions > 0 ? std::min(r.maxLength, shape.maxPositions) : r.maxLength;
    // Tokenised as the run tokenises, with no length limit: the statistics see whole examples.
    const auto whole = TrainingSet::build(data.examples, *tokenizer, std::numeric_limits<int32_t>::max());
    std::vector<int64_t> prompts, targets, totals;
    for (const auto& e : whole.examples()) {
        prompts.push_back(e.promptTokens);
        targets.push_back(int64_t(e.ids.size()) - e.promptTokens);
        totals.push_back(int64_t(e.ids.size()));
        const auto fit = lengthFit(e, preview.maxLength);
        preview.skipped += fit == LengthFit::LeftOut;
        preview.cut += fit == LengthFit::Cut;
    }
    preview.prompt = LengthDistribution(std::move(prompts));
    preview.target = LengthDistribution(std::move(targets));
    preview.total = LengthDistribution(std::move(totals));
    preview.tokenized = whole.examples();
    preview.examples = std::move(data.examples);
    preview.chatLayout = data.chatLayout;
    return preview;
}

} // namespace cotlab::train
