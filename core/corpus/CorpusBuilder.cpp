#include "corpus/CorpusBuilder.h"

#include "answers/AnswerExtractor.h"
#include "answers/AnswerKind.h"
#include "corpus/Selection.h"
#include "gen/TextGeneration.h"
#include "nn/ModelLoader.h"
#include "nn/Placement.h"
#include "store/RationaleRepository.h"
#include "train/PromptFormat.h"
#include "util/Error.h"
#include "util/SeededKey.h"
#include "util/Text.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <regex>

namespace cotlab::corpus {

namespace {

template <class... F> struct Overloaded : F... {
    using F::operator()...;
};
template <class... F> Overloaded(F...) -> Overloaded<F...>;

bool listed(const std::vector<std::string>& list, const std::string& value)
{
    return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

// A rationale while the steps work on it.
struct Candidate {
    const store::RationaleRecord* record = nullptr;
    std::string text; // after clean steps
    bool cut = false;
    std::string answer;
    std::optional<int64_t> correct;
    std::vector<uint64_t> grams; // filled on first use
    const std::vector<uint64_t>& trigrams()
    {
        if (grams.empty())
            grams = wordTrigrams(text);
        return grams;
    }
};

// One instance's record through the steps: rationales left after each step, and instance steps' measures.
struct InstanceTrace {
    int64_t id = 0;
    std::vector<store::CorpusStepCounts> after; // per recipe step
    std::vector<double> score;                  // per recipe step (instance steps only)
    // Per recipe step: a rationale step's removed ids; an instance step's ids still in when it measured.
    std::vector<std::vector<int64_t>> ids;
    size_t removedAt = std::numeric_limits<size_t>::max();
};

store::CorpusStepCounts countOf(const std::vector<Candidate>& c)
{
    store::CorpusStepCounts s;
    s.instances = c.empty() ? 0 : 1;
    s.rationales = int64_t(c.size());
    for (const auto& r : c) {
        if (r.correct) {
            ++s.judged;
            s.correct += *r.correct;
        }
        s.characters += characterCount(r.text);
    }
    return s;
}

void add(store::CorpusStepCounts& to, const store::CorpusStepCounts& c)
{
    to.instances += c.instances;
    to.rationales += c.rationales;
    to.judged += c.judged;
    to.correct += c.correct;
    to.characters += c.characters;
}

class InstanceSteps {
public:
    InstanceSteps(const Recipe& recipe) : m_recipe(recipe)
    {
        for (const auto& step : recipe.steps)
            if (const auto* m = std::get_if<MatchStep>(&step); m && m->regex) {
                try {
                    m_regex.emplace_back(m->pattern, std::regex::ECMAScript | std::regex::icase);
                } catch (const std::regex_error& e) {
                    throw Error("recipe step match: '" + m->pattern + "' is not a valid regular expression (" +
                                e.what() + ")");
                }
            }
    }

    // Applies the recipe to one instance: fills the trace and returns the rationales left.
    std::vector<Candidate> run(const store::InstanceRecord& in, const std::vector<store::RationaleRecord>& rationales,
                               InstanceTrace& trace)
    {
        std::vector<Candidate> c;
        c.reserve(rationales.size());
        for (const auto& r : rationales)
            c.push_back({&r, r.text, false, r.answer ? *r.answer : r.extractedAnswer.value_or(""), r.correct, {}});
        trace.id = in.id;
        trace.after.resize(m_recipe.steps.size());
        trace.score.assign(m_recipe.steps.size(), 0.0);
        trace.ids.assign(m_recipe.steps.size(), {});
        size_t regex = 0;
        std::vector<int64_t> before;
        for (size_t s = 0; s < m_recipe.steps.size(); ++s) {
            before.clear();
            for (const auto& x : c)
                before.push_back(x.record->id);
            std::visit(Overloaded{
                           [&](const ScopeStep& st) {
                               if (!listed(st.tasks, in.task) || !listed(st.splits, in.split)) {
                                   c.clear();
                                   return;
                               }
                               std::erase_if(c, [&](const Candidate& x) {
                                   return !listed(st.sources, x.record->sourceKind) ||
                                          !listed(st.models, x.record->model);
                               });
                           },
                           [&](const CorrectnessStep& st) {
                               if (st.keep == CorrectnessStep::Keep::All)
                                   return;
                               const int64_t want = st.keep == CorrectnessStep::Keep::Correct ? 1 : 0;
                               std::erase_if(c, [&](const Candidate& x) { return x.correct.value_or(-1) != want; });
                           },
                           [&](const CleanStep& st) { clean(in, st, c); },
                           [&](const DedupeStep& st) { dedupe(st, c); },
                           [&](const LengthStep& st) {
                               std::erase_if(c, [&](const Candidate& x) {
                                   const int64_t n = characterCount(x.text);
                                   return (st.min && n < *st.min) || (st.max && n > *st.max);
                               });
                           },
                           [&](const MatchStep& st) {
                               const std::regex* re = st.regex ? &m_regex[regex++] : nullptr;
                               const std::string needle = lower(st.pattern);
                               std::erase_if(c, [&](const Candidate& x) {
                                   const bool hit = re ? std::regex_search(x.text, *re)
                                                       : lower(x.text).find(needle) != std::string::npos;
                                   return hit == st.exclude;
                               });
                           },
                           [&](const PerInstanceStep& st) { perInstance(in, st, c); },
                           [&](const OpenEndednessStep& st) {
                               std::vector<std::string> answers;
                               for (const auto& x : c)
                                   answers.push_back(x.answer);
                               trace.score[s] = st.measure == OpenEndednessStep::Measure::Entropy
                                                    ? answerEntropy(answers)
                                                    : double(distinctAnswers(answers));
                           },
                           [&](const MinCorrectStep& st) {
                               const auto n = std::count_if(
                                   c.begin(), c.end(), [](const Candidate& x) { return x.correct.value_or(0) == 1; });
                               trace.score[s] = n >= st.count ? 1.0 : 0.0;
                           },
                           [&](const InstanceShareStep& st) { trace.score[s] = double(seededKey(in.id, st.seed)); },
                       },
                       m_recipe.steps[s]);
            trace.after[s] = countOf(c);
            if (isInstanceStep(m_recipe.steps[s])) {
                trace.ids[s] = std::move(before);
            } else if (before.size() != c.size()) {
                std::vector<int64_t> left;
                for (const auto& x : c)
                    left.push_back(x.record->id);
                std::sort(left.begin(), left.end());
                for (int64_t id : before)
                    if (!std::binary_search(left.begin(), left.end(), id))
                        trace.ids[s].push_back(id);
            }
        }
        return c;
    }

private:
    void clean(const store::InstanceRecord& in, const CleanStep& st, std::vector<Candidate>& c)
    {
        std::optional<answers::AnswerExtractor> extractor;
        for (auto& x : c) {
            size_t cut = std::string::npos;
            for (const auto& stop : st.stop)
                if (!stop.empty())
                    cut = std::min(cut, x.text.find(stop));
            if (cut != std::string::npos) {
                x.text = std::string(text::trim(std::string_view(x.text).substr(0, cut)));
                x.cut = true;
                x.grams.clear();
                // What was cut may have held the answer: read it again from what is left.
                if (!extractor) {
                    const auto kind = answers::answerKindFromString(in.answerKind).value_or(answers::AnswerKind::Text);
                    extractor.emplace(kind, in.choicesJson ? answers::choicesFromJson(*in.choicesJson)
                                                           : std::vector<answers::Choice>{});
                }
                x.answer = extractor->extract(x.text);
                x.correct = x.answer.empty() ? 0 : int64_t(extractor->matches(x.answer, in.gold));
            }
        }
        std::erase_if(c, [&](const Candidate& x) {
            return (st.dropEmpty && text::trim(x.text).empty()) || (st.dropUnanswered && x.answer.empty());
        });
    }

    void dedupe(const DedupeStep& st, std::vector<Candidate>& c)
    {
        std::vector<Candidate> kept;
        for (auto& x : c) {
            const bool duplicate = std::any_of(kept.begin(), kept.end(), [&](Candidate& k) {
                return st.mode == DedupeStep::Mode::Exact ? k.text == x.text
                                                          : jaccard(k.trigrams(), x.trigrams()) >= st.threshold;
            });
            if (!duplicate)
                kept.push_back(std::move(x));
        }
        c = std::move(kept);
    }

    // The log-probability a per_instance likelihood step ranks by; -inf when unknown (after every known one).
    double likelihood(const store::InstanceRecord& in, const PerInstanceStep& st, const Candidate& x)
    {
        const auto& r = *x.record;
        if (st.model.empty()) {
            if (!r.logprob || (st.meanLogProb && r.tokenCount.value_or(0) <= 0))
                return -std::numeric_limits<double>::infinity();
            return st.meanLogProb ? *r.logprob / double(*r.tokenCount) : *r.logprob;
        }
        auto it = m_scorers.find(st.model + "\n" + st.tokenizer);
        if (it == m_scorers.end()) {
            auto loaded = nn::loadModelAndTokenizer(
                st.model, st.tokenizer.empty() ? std::nullopt : std::optional<std::string>(st.tokenizer));
            nn::place(*loaded.model, nn::resolvePlacement("auto", "fp32"));
            it = m_scorers.emplace(st.model + "\n" + st.tokenizer, std::move(loaded)).first;
        }
        const auto scored = gen::scoreText(*it->second.model, *it->second.tokenizer,
                                           train::defaultPromptFormat().evaluationPrompt(in), " " + x.text);
        return st.meanLogProb ? scored.total() / double(scored.logprobs.size()) : scored.total();
    }

    void perInstance(const store::InstanceRecord& in, const PerInstanceStep& st, std::vector<Candidate>& c)
    {
        if (int64_t(c.size()) <= st.k)
            return;
        std::vector<size_t> order(c.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        switch (st.by) {
        case PerInstanceStep::By::Random:
            std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
                return seededKey(c[a].record->id, st.seed) < seededKey(c[b].record->id, st.seed);
            });
            break;
        case PerInstanceStep::By::Likelihood: {
            std::vector<double> score(c.size());
            for (size_t i = 0; i < c.size(); ++i)
                score[i] = likelihood(in, st, c[i]);
            std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
            break;
        }
        case PerInstanceStep::By::Diversity: {
            std::vector<std::vector<uint64_t>> grams;
            for (auto& x : c)
                grams.push_back(x.trigrams());
            order = farthestPoints(grams, size_t(st.k));
            break;
        }
        }
        order.resize(size_t(st.k));
        std::vector<Candidate> kept;
        for (size_t i : order)
            kept.push_back(std::move(c[i]));
        c = std::move(kept);
    }

    const Recipe& m_recipe;
    std::vector<std::regex> m_regex;
    std::map<std::string, nn::ModelAndTokenizer> m_scorers; // likelihood steps' models, loaded on first use
};

// Decides the instance steps in recipe order over the instances still in: each trace gets the step that removed it.
void decideInstanceSteps(const Recipe& recipe, std::vector<InstanceTrace>& traces)
{
    for (size_t s = 0; s < recipe.steps.size(); ++s) {
        const Step& step = recipe.steps[s];
        if (!isInstanceStep(step))
            continue;
        std::vector<InstanceTrace*> alive;
        for (auto& t : traces)
            if (t.removedAt > s && t.after[s].rationales > 0)
                alive.push_back(&t);
        if (const auto* mc = std::get_if<MinCorrectStep>(&step)) {
            (void)mc;
            for (auto* t : alive)
                if (t->score[s] < 0.5)
                    t->removedAt = s;
            continue;
        }
        double share = 1.0;
        if (const auto* oe = std::get_if<OpenEndednessStep>(&step)) {
            share = oe->keepShare;
            std::stable_sort(alive.begin(), alive.end(),
                             [s](const InstanceTrace* a, const InstanceTrace* b) { return a->score[s] > b->score[s]; });
        } else if (const auto* is = std::get_if<InstanceShareStep>(&step)) {
            share = is->share;
            std::sort(alive.begin(), alive.end(),
                      [s](const InstanceTrace* a, const InstanceTrace* b) { return a->score[s] < b->score[s]; });
        }
        const size_t keep = size_t(std::ceil(share * double(alive.size()) - 1e-9));
        for (size_t k = keep; k < alive.size(); ++k)
            alive[k]->removedAt = s;
    }
}

} // namespace

store::BuiltCorpus buildCorpus(store::Database& db, const Recipe& recipe, const jobs::ProgressSink& progress,
                               const jobs::StopToken* stop)
{
    InstanceSteps steps(recipe);
    store::RationaleRepository repository(db);
    // A leading scope step that names tasks reads only those.
    std::vector<std::optional<std::string>> tasks{std::nullopt};
    if (!recipe.steps.empty())
        if (const auto* scope = std::get_if<ScopeStep>(&recipe.steps.front()); scope && !scope->tasks.empty())
            tasks.assign(scope->tasks.begin(), scope->tasks.end());
    int64_t total = 0;
    for (const auto& t : tasks)
        total += repository.countInstances(t);

    store::BuiltCorpus out;
    store::CorpusStepCounts store{"store"};
    std::vector<InstanceTrace> traces;
    std::vector<std::vector<store::CorpusMember>> membersOf; // per trace
    int64_t done = 0;
    for (const auto& task : tasks) {
        repository.forEachInstance(task, [&](const store::InstanceRecord& in,
                                             const std::vector<store::RationaleRecord>& stored) {
            if (stop && stop->stopRequested())
                throw jobs::Cancelled();
            // Only the recipe's sources (teacher unless it opts in): copied only when some are left out.
            std::vector<store::RationaleRecord> kept;
            const bool everySource =
                std::all_of(stored.begin(), stored.end(), [&](const auto& r) { return recipe.includes(r.sourceKind); });
            if (!everySource)
                std::copy_if(stored.begin(), stored.end(), std::back_inserter(kept),
                             [&](const auto& r) { return recipe.includes(r.sourceKind); });
            const std::vector<store::RationaleRecord>& rationales = everySource ? stored : kept;
            InstanceTrace trace;
            std::vector<Candidate> left = steps.run(in, rationales, trace);
            store::CorpusStepCounts all;
            for (const auto& r : rationales) {
                ++all.rationales;
                if (r.correct) {
                    ++all.judged;
                    all.correct += *r.correct;
                }
                all.characters += characterCount(r.text);
            }
            all.instances = rationales.empty() ? 0 : 1;
            add(store, all);
            std::vector<store::CorpusMember> members;
            for (auto& x : left)
                members.push_back(
                    {x.record->id, in.id, x.cut ? std::optional<std::string>(std::move(x.text)) : std::nullopt});
            traces.push_back(std::move(trace));
            membersOf.push_back(std::move(members));
            if (progress && (++done % 512 == 0 || done == total))
                progress({"Building the corpus", uint64_t(done), uint64_t(total)});
            return true;
        });
    }
    decideInstanceSteps(recipe, traces);

    out.steps.push_back(store);
    out.removed.resize(recipe.steps.size());
    for (size_t s = 0; s < recipe.steps.size(); ++s) {
        store::CorpusStepCounts c;
        c.step = stepName(recipe.steps[s]);
        const bool instanceStep = isInstanceStep(recipe.steps[s]);
        for (const auto& t : traces) {
            if (t.removedAt > s)
                add(c, t.after[s]);
            if (instanceStep ? t.removedAt == s : t.removedAt > s)
                out.removed[s].insert(out.removed[s].end(), t.ids[s].begin(), t.ids[s].end());
        }
        out.steps.push_back(c);
    }
    for (size_t k = 0; k < traces.size(); ++k)
        if (traces[k].removedAt == std::numeric_limits<size_t>::max())
            for (auto& m : membersOf[k])
                out.members.push_back(std::move(m));
    return out;
}

} // namespace cotlab::corpus
