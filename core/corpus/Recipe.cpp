#include "corpus/Recipe.h"

#include "corpus/RecipeSchema.h"
#include "util/Error.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cotlab::corpus {

using nlohmann::json;

namespace {

template <class T> struct Kind;
#define COTLAB_STEP_KIND(Type, name)                                                                                   \
    template <> struct Kind<Type> {                                                                                    \
        static constexpr const char* value = name;                                                                     \
    };
COTLAB_STEP_KIND(ScopeStep, "scope")
COTLAB_STEP_KIND(CorrectnessStep, "correctness")
COTLAB_STEP_KIND(CleanStep, "clean")
COTLAB_STEP_KIND(DedupeStep, "dedupe")
COTLAB_STEP_KIND(LengthStep, "length")
COTLAB_STEP_KIND(MatchStep, "match")
COTLAB_STEP_KIND(PerInstanceStep, "per_instance")
COTLAB_STEP_KIND(OpenEndednessStep, "open_endedness")
COTLAB_STEP_KIND(MinCorrectStep, "min_correct")
COTLAB_STEP_KIND(InstanceShareStep, "instance_share")
#undef COTLAB_STEP_KIND

// Reads the fields of one step, naming the step in errors.
class StepReader {
public:
    StepReader(const json& j, size_t index) : m_j(j), m_where("recipe step " + std::to_string(index + 1)) {}

    [[noreturn]] void fail(const std::string& field, const std::string& what) const
    {
        throw Error(m_where + " (" + m_j.value("step", std::string("?")) + "): '" + field + "' " + what);
    }
    std::vector<std::string> strings(const char* field) const
    {
        std::vector<std::string> out;
        if (!m_j.contains(field))
            return out;
        if (!m_j[field].is_array())
            fail(field, "must be a list of strings");
        for (const auto& v : m_j[field]) {
            if (!v.is_string())
                fail(field, "must be a list of strings");
            out.push_back(v.get<std::string>());
        }
        return out;
    }
    bool boolean(const char* field, bool fallback) const
    {
        if (!m_j.contains(field))
            return fallback;
        if (!m_j[field].is_boolean())
            fail(field, "must be true or false");
        return m_j[field].get<bool>();
    }
    std::optional<int64_t> integer(const char* field, int64_t min) const
    {
        if (!m_j.contains(field) || m_j[field].is_null())
            return std::nullopt;
        if (!m_j[field].is_number_integer() || m_j[field].get<int64_t>() < min)
            fail(field, "must be a whole number of at least " + std::to_string(min));
        return m_j[field].get<int64_t>();
    }
    double number(const char* field, double fallback, double min, double max) const
    {
        if (!m_j.contains(field))
            return fallback;
        if (!m_j[field].is_number() || m_j[field].get<double>() < min || m_j[field].get<double>() > max)
            fail(field, "must be a number from " + json(min).dump() + " to " + json(max).dump());
        return m_j[field].get<double>();
    }
    std::string text(const char* field, const std::string& fallback) const
    {
        if (!m_j.contains(field))
            return fallback;
        if (!m_j[field].is_string())
            fail(field, "must be a string");
        return m_j[field].get<std::string>();
    }
    // One of `names` (RecipeSchema.h), as the enumerator of the same index.
    template <class E> E choice(const char* field, E fallback, const std::vector<std::string>& names) const
    {
        if (!m_j.contains(field))
            return fallback;
        const std::string value = text(field, "");
        for (size_t k = 0; k < names.size(); ++k)
            if (value == names[k])
                return E(k);
        std::string list;
        for (const auto& name : names)
            list += (list.empty() ? "" : ", ") + name;
        fail(field, "must be one of " + list + " (not '" + value + "')");
    }

private:
    const json& m_j;
    std::string m_where;
};

Step readStep(const json& j, size_t index)
{
    StepReader r(j, index);
    const std::string kind = j.value("step", std::string());
    if (kind == "scope")
        return ScopeStep{r.strings("tasks"), r.strings("splits"), r.strings("sources"), r.strings("models")};
    if (kind == "correctness")
        return CorrectnessStep{r.choice("keep", CorrectnessStep::Keep::Correct, kKeepNames)};
    if (kind == "clean")
        return CleanStep{r.strings("stop"), r.boolean("drop_empty", true), r.boolean("drop_unanswered", false)};
    if (kind == "dedupe")
        return DedupeStep{r.choice("mode", DedupeStep::Mode::Exact, kDedupeModeNames),
                          r.number("threshold", 0.8, 0.0, 1.0)};
    if (kind == "length") {
        LengthStep s{r.integer("min", 0), r.integer("max", 0)};
        if (s.min && s.max && *s.min > *s.max)
            r.fail("min", "is larger than 'max'");
        return s;
    }
    if (kind == "match") {
        MatchStep s{r.text("pattern", ""), r.boolean("regex", false), r.boolean("exclude", false)};
        if (s.pattern.empty())
            r.fail("pattern", "is missing or empty");
        return s;
    }
    if (kind == "per_instance") {
        PerInstanceStep s;
        s.by = r.choice("by", PerInstanceStep::By::Random, kPerInstanceByNames);
        const auto k = r.integer("k", 1);
        if (!k)
            r.fail("k", "is missing (the most rationales to keep per instance)");
        s.k = *k;
        s.seed = uint64_t(r.integer("seed", 0).value_or(0));
        s.meanLogProb = r.choice("likelihood", 0, kLikelihoodNames) == 0; // 0: mean, 1: total
        s.model = r.text("model", "");
        s.tokenizer = r.text("tokenizer", "");
        if (!s.model.empty() && s.by != PerInstanceStep::By::Likelihood)
            r.fail("model", "is only used with \"by\": \"likelihood\"");
        return s;
    }
    if (kind == "open_endedness")
        return OpenEndednessStep{r.choice("measure", OpenEndednessStep::Measure::Entropy, kOpenEndednessNames),
                                 r.number("keep_share", 0.5, 0.0, 1.0)};
    if (kind == "min_correct")
        return MinCorrectStep{r.integer("count", 0).value_or(1)};
    if (kind == "instance_share")
        return InstanceShareStep{r.number("share", 1.0, 0.0, 1.0), uint64_t(r.integer("seed", 0).value_or(0))};
    std::string names;
    for (const auto& schema : recipeSchema())
        names += (names.empty() ? "" : ", ") + schema.name;
    throw Error("recipe step " + std::to_string(index + 1) + ": unknown step '" + kind + "' (" + names + ")");
}

json writeStep(const Step& step)
{
    return std::visit(
        [](const auto& s) -> json {
            using T = std::decay_t<decltype(s)>;
            json j{{"step", Kind<T>::value}};
            if constexpr (std::is_same_v<T, ScopeStep>) {
                j["tasks"] = s.tasks;
                j["splits"] = s.splits;
                j["sources"] = s.sources;
                j["models"] = s.models;
            } else if constexpr (std::is_same_v<T, CorrectnessStep>) {
                j["keep"] = kKeepNames[size_t(s.keep)];
            } else if constexpr (std::is_same_v<T, CleanStep>) {
                j["stop"] = s.stop;
                j["drop_empty"] = s.dropEmpty;
                j["drop_unanswered"] = s.dropUnanswered;
            } else if constexpr (std::is_same_v<T, DedupeStep>) {
                j["mode"] = kDedupeModeNames[size_t(s.mode)];
                j["threshold"] = s.threshold;
            } else if constexpr (std::is_same_v<T, LengthStep>) {
                j["min"] = s.min ? json(*s.min) : json(nullptr);
                j["max"] = s.max ? json(*s.max) : json(nullptr);
            } else if constexpr (std::is_same_v<T, MatchStep>) {
                j["pattern"] = s.pattern;
                j["regex"] = s.regex;
                j["exclude"] = s.exclude;
            } else if constexpr (std::is_same_v<T, PerInstanceStep>) {
                j["by"] = kPerInstanceByNames[size_t(s.by)];
                j["k"] = s.k;
                j["seed"] = s.seed;
                j["likelihood"] = kLikelihoodNames[s.meanLogProb ? 0 : 1];
                j["model"] = s.model;
                j["tokenizer"] = s.tokenizer;
            } else if constexpr (std::is_same_v<T, OpenEndednessStep>) {
                j["measure"] = kOpenEndednessNames[size_t(s.measure)];
                j["keep_share"] = s.keepShare;
            } else if constexpr (std::is_same_v<T, MinCorrectStep>) {
                j["count"] = s.count;
            } else if constexpr (std::is_same_v<T, InstanceShareStep>) {
                j["share"] = s.share;
                j["seed"] = s.seed;
            }
            return j;
        },
        step);
}

} // namespace

Recipe recipeFromJson(const std::string& text)
{
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Error("the recipe is not a JSON object");
    const json version = j.value("version", json(0));
    if (!version.is_number_integer() || version.get<int64_t>() != Recipe::kVersion)
        throw Error("recipe version " + version.dump() + " is not supported (this CoTLab reads version " +
                    std::to_string(Recipe::kVersion) + ")");
    if (!j.contains("steps") || !j["steps"].is_array())
        throw Error("the recipe has no 'steps' list");
    Recipe recipe;
    if (j.contains("sources")) {
        if (!j["sources"].is_array() || j["sources"].empty())
            throw Error("the recipe's 'sources' must be a list of teacher, student, human");
        recipe.sources.clear();
        for (const auto& s : j["sources"]) {
            if (!s.is_string() || (s != "teacher" && s != "student" && s != "human"))
                throw Error("the recipe's 'sources' must be a list of teacher, student, human (not " + s.dump() + ")");
            recipe.sources.push_back(s.get<std::string>());
        }
    }
    for (size_t k = 0; k < j["steps"].size(); ++k) {
        if (!j["steps"][k].is_object())
            throw Error("recipe step " + std::to_string(k + 1) + " is not a JSON object");
        try {
            recipe.steps.push_back(readStep(j["steps"][k], k));
        } catch (const json::exception& e) {
            throw Error("recipe step " + std::to_string(k + 1) + " has a field of the wrong type (" + e.what() +
                        "); docs/corpus.md lists each step's fields");
        }
    }
    return recipe;
}

std::string recipeToJson(const Recipe& recipe)
{
    json steps = json::array();
    for (const auto& s : recipe.steps)
        steps.push_back(writeStep(s));
    return json{{"version", Recipe::kVersion}, {"sources", recipe.sources}, {"steps", steps}}.dump(2);
}

std::string stepName(const Step& step)
{
    return std::visit([](const auto& s) { return std::string(Kind<std::decay_t<decltype(s)>>::value); }, step);
}

bool Recipe::includes(const std::string& sourceKind) const
{
    return std::find(sources.begin(), sources.end(), sourceKind) != sources.end();
}

bool isInstanceStep(const Step& step)
{
    return std::holds_alternative<OpenEndednessStep>(step) || std::holds_alternative<MinCorrectStep>(step) ||
           std::holds_alternative<InstanceShareStep>(step);
}

} // namespace cotlab::corpus
