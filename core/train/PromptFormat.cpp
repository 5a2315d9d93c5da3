#include "train/PromptFormat.h"

#include "text/Jinja.h"
#include "text/ReasoningParts.h"
#include "util/Error.h"
#include "util/Text.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace cotlab::train {

// cmake/EmbedPromptFormats.cmake: (file name, contents) of every resources/templates/*.json, sorted by name.
const std::vector<std::pair<std::string, std::string>>& embeddedPromptFormatFiles();

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Sub-questions of a least-to-most / Socratic rationale: lines "Q1. ...", "Q2. ..." (or "Final Answer: ...", the
// last question restated), each followed by its answer lines.
struct SubQuestion {
    std::string question, answer;
};

std::vector<SubQuestion> subQuestions(const std::string& text)
{
    std::vector<SubQuestion> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string line(text::trim(std::string_view(text).substr(start, end - start)));
        size_t body = std::string::npos;
        if (line.size() > 3 && line[0] == 'Q' && std::isdigit(static_cast<unsigned char>(line[1]))) {
            const size_t dot = line.find_first_not_of("0123456789", 1);
            if (dot != std::string::npos && (line[dot] == '.' || line[dot] == ':'))
                body = dot + 1;
        } else if (!out.empty() && line.rfind("Final Answer:", 0) == 0) {
            body = 13;
        }
        if (body != std::string::npos)
            out.push_back({std::string(text::trim(std::string_view(line).substr(body))), {}});
        else if (!out.empty() && !line.empty())
            out.back().answer += (out.back().answer.empty() ? "" : " ") + line;
        start = end + 1;
    }
    return out;
}

// True when the text's last sentence already says "the answer is ..." (case-insensitive).
bool statesAnswer(const std::string& text)
{
    const size_t lastBreak = text.find_last_of(".\n", text.size() >= 2 ? text.size() - 2 : 0);
    const std::string last = text.substr(lastBreak == std::string::npos ? 0 : lastBreak);
    return text::toLower(last).find("answer is") != std::string::npos;
}

// The variables a format's templates see (docs/prompt-formats.md lists them).
ordered_json variables(const store::InstanceRecord& instance, const store::RationaleRecord* rationale)
{
    ordered_json choices = ordered_json::array();
    if (instance.choicesJson) {
        const auto parsed = json::parse(*instance.choicesJson, nullptr, false);
        if (parsed.is_array())
            for (const auto& c : parsed)
                if (c.is_object())
                    choices.push_back({{"label", c.value("label", std::string())}, {"text", c.value("text", "")}});
    }
    const std::string text = rationale ? std::string(text::trim(rationale->text)) : std::string();
    const std::string answer =
        rationale && rationale->answer && !rationale->answer->empty() ? *rationale->answer : instance.gold;
    const text::ReasoningParts parts = text::splitReasoning(text);
    ordered_json subs = ordered_json::array();
    if (hasSubQuestions(text))
        for (const auto& s : subQuestions(text))
            subs.push_back({{"question", s.question}, {"answer", s.answer}});
    return {{"task", instance.task},
            {"question", instance.question},
            {"choices", std::move(choices)},
            {"answer_kind", instance.answerKind},
            {"gold", formatAnswer(instance, instance.gold)},
            {"gold_label", instance.gold},
            {"rationale", text},
            {"thinking", std::string(parts.thinking)},
            {"answer_text", std::string(parts.answer)},
            {"answer", formatAnswer(instance, answer)},
            {"answer_label", answer},
            {"states_answer", statesAnswer(std::string(parts.answer))},
            {"sub_questions", std::move(subs)}};
}

bool isSet(const ordered_json& v)
{
    if (v.is_boolean())
        return v.get<bool>();
    if (v.is_string() || v.is_array() || v.is_object())
        return !v.empty();
    return !v.is_null();
}

// A question and rationale that exercise every variable: each template is rendered on it when the file is read,
// so a misspelt variable is reported then, not in the middle of a run.
const std::pair<store::InstanceRecord, store::RationaleRecord>& probe()
{
    static const auto kProbe = [] {
        store::InstanceRecord i;
        i.task = "probe";
        i.question = "Which is heavier?";
        i.choicesJson = R"([{"label":"A","text":"a brick"},{"label":"B","text":"a feather"}])";
        i.gold = "A";
        i.answerKind = "choice";
        store::RationaleRecord r;
        r.text = "Q1. What does a brick weigh?\nAbout 2 kg.\nQ2. And a feather?\nA gram. So the answer is (A).";
        r.answer = "A";
        return std::make_pair(i, r);
    }();
    return kProbe;
}

class FieldReader {
public:
    FieldReader(const json& object, std::string where, std::string origin)
        : m_object(object), m_where(std::move(where)), m_origin(std::move(origin))
    {
        if (!m_object.is_object())
            fail("", "expected a JSON object");
    }
    [[noreturn]] void fail(const std::string& field, const std::string& what) const
    {
        const std::string path = m_where + (m_where.empty() || field.empty() ? "" : ".") + field;
        throw Error(m_origin + (path.empty() ? "" : ": " + path) + ": " + what);
    }
    void allow(std::initializer_list<const char*> fields) const
    {
        const std::set<std::string> known(fields.begin(), fields.end());
        for (const auto& [key, value] : m_object.items())
            if (!known.count(key)) {
                std::string list;
                for (const auto& k : known)
                    list += (list.empty() ? "" : ", ") + k;
                fail(key, "unknown field (expected " + list + ")");
            }
    }
    bool has(const char* field) const { return m_object.contains(field); }
    std::string text(const char* field, bool required, const std::string& fallback = {}) const
    {
        if (!m_object.contains(field)) {
            if (required)
                fail(field, "missing (a string is required)");
            return fallback;
        }
        if (!m_object[field].is_string())
            fail(field, "expected a string");
        return m_object[field].get<std::string>();
    }
    bool flag(const char* field, bool fallback) const
    {
        if (!m_object.contains(field))
            return fallback;
        if (!m_object[field].is_boolean())
            fail(field, "expected true or false");
        return m_object[field].get<bool>();
    }
    const json& at(const char* field) const { return m_object.at(field); }
    std::shared_ptr<const text::JinjaTemplate> jinja(const char* field, bool required,
                                                     const std::string& fallback = {}) const
    {
        const std::string source = text(field, required, fallback);
        const std::string path = m_where + (m_where.empty() ? "" : ".") + field;
        return std::make_shared<const text::JinjaTemplate>(source, m_origin + ": " + path);
    }

private:
    const json& m_object;
    std::string m_where, m_origin;
};

} // namespace

PromptFormat PromptFormat::fromJson(const std::string& definition, const std::string& origin)
{
    json j;
    try {
        j = json::parse(definition);
    } catch (const json::exception& e) { // parse_error, and out_of_range for a number too large for a double
        throw Error(origin + ": not valid JSON (" + e.what() + ")");
    }
    const FieldReader top(j, "", origin);
    top.allow({"name", "title", "description", "source", "uses_rationales", "loss", "chat_template", "system",
               "examples", "evaluation"});
    PromptFormat f;
    f.m_origin = origin;
    f.m_definition = definition;
    f.m_name = top.text("name", true);
    if (f.m_name.empty() || !std::all_of(f.m_name.begin(), f.m_name.end(), [](unsigned char c) {
            return std::islower(c) || std::isdigit(c) || c == '-';
        }))
        top.fail("name", "'" + f.m_name + "' must be lower-case letters, digits and '-'");
    f.m_title = top.text("title", false, f.m_name);
    f.m_description = top.text("description", true);
    f.m_source = top.text("source", true);
    f.m_usesRationales = top.flag("uses_rationales", true);
    const std::string loss = top.text("loss", false, "target");
    if (loss != "target" && loss != "prompt and target")
        top.fail("loss", "'" + loss + "': expected \"target\" (the default) or \"prompt and target\"");
    f.m_lossOnPrompt = loss == "prompt and target";
    f.m_chat = top.flag("chat_template", false);
    if (top.has("system")) {
        if (!f.m_chat)
            top.fail("system", "a system message needs \"chat_template\": true");
        f.m_system = top.jinja("system", true);
    }
    if (!top.has("examples") || !top.at("examples").is_array() || top.at("examples").empty())
        top.fail("examples", "expected a list of one or more {\"prompt\", \"target\"} templates");
    const auto known = variables(probe().first, &probe().second);
    for (size_t k = 0; k < top.at("examples").size(); ++k) {
        const FieldReader e(top.at("examples")[k], "examples[" + std::to_string(k) + "]", origin);
        e.allow({"prompt", "target", "when"});
        ExampleTemplate t{e.jinja("prompt", true), e.jinja("target", true), e.text("when", false)};
        if (!t.when.empty() && !known.contains(t.when))
            e.fail("when", "'" + t.when + "' is not a variable (docs/prompt-formats.md lists them)");
        f.m_examples.push_back(std::move(t));
    }
    json evaluation = top.has("evaluation") ? top.at("evaluation") : json::object();
    const FieldReader e(evaluation, "evaluation", origin);
    e.allow({"prompt", "stop", "answer_after", "max_new_tokens"});
    f.m_evaluationPrompt = e.has("prompt") ? e.jinja("prompt", true) : f.m_examples.front().prompt;
    f.m_stop = {"\nQ:", "\n\n"};
    if (e.has("stop")) {
        const auto& stop = evaluation["stop"];
        if (!stop.is_array() || !std::all_of(stop.begin(), stop.end(), [](const json& s) {
                return s.is_string() && !s.get<std::string>().empty();
            }))
            e.fail("stop", "expected a list of non-empty strings");
        f.m_stop = stop.get<std::vector<std::string>>();
    }
    f.m_answerAfter = e.text("answer_after", false);
    if (e.has("max_new_tokens")) {
        const auto& n = evaluation["max_new_tokens"];
        if (!n.is_number_integer() || n.get<int64_t>() < 0 || n.get<int64_t>() > 1'000'000)
            e.fail("max_new_tokens", "expected a whole number from 0 (automatic) to 1000000");
        f.m_maxNewTokens = n.get<int64_t>();
    }
    // Render every template once: an unknown variable or a filter error is the file's fault, said now.
    f.examples(probe().first, &probe().second);
    f.evaluationPrompt(probe().first);
    return f;
}

PromptFormat PromptFormat::fromFile(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error("cannot read the prompt format " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return fromJson(text.str(), file.string());
}

std::vector<Example> PromptFormat::examples(const store::InstanceRecord& instance,
                                            const store::RationaleRecord* rationale) const
{
    if (m_usesRationales && !rationale)
        throw Error("the prompt format '" + m_name + "' needs a rationale (question " + instance.extId + ")");
    const auto vars = variables(instance, m_usesRationales ? rationale : nullptr);
    std::vector<Example> out;
    for (const auto& t : m_examples) {
        if (!t.when.empty() && !isSet(vars[t.when]))
            continue;
        Example e{t.prompt->render(vars), t.target->render(vars), m_lossOnPrompt};
        e.chat = m_chat;
        if (m_system)
            e.system = m_system->render(vars);
        out.push_back(std::move(e));
    }
    return out;
}

std::string PromptFormat::systemMessage(const store::InstanceRecord& instance) const
{
    return m_system ? m_system->render(variables(instance, nullptr)) : std::string();
}

std::string PromptFormat::evaluationPrompt(const store::InstanceRecord& instance) const
{
    return m_evaluationPrompt->render(variables(instance, nullptr));
}

std::string PromptFormat::answerSentence(const std::string& generated) const
{
    if (m_answerAfter.empty())
        return {};
    const size_t at = generated.rfind(m_answerAfter);
    return at == std::string::npos ? std::string() : generated.substr(at + m_answerAfter.size());
}

const std::vector<PromptFormat>& builtInPromptFormats()
{
    static const std::vector<PromptFormat> kAll = [] {
        std::vector<PromptFormat> all;
        for (const auto& [file, text] : embeddedPromptFormatFiles()) {
            auto f = PromptFormat::fromJson(text, "resources/templates/" + file);
            f.m_origin = "built-in";
            all.push_back(std::move(f));
        }
        std::stable_partition(all.begin(), all.end(), [](const PromptFormat& f) { return f.name() == "cot"; });
        if (all.empty() || all.front().name() != "cot")
            throw std::logic_error("resources/templates has no cot.json");
        return all;
    }();
    return kAll;
}

const PromptFormat& defaultPromptFormat()
{
    return builtInPromptFormats().front();
}

PromptFormat findPromptFormat(const std::string& nameOrFile)
{
    for (const auto& f : builtInPromptFormats())
        if (f.name() == nameOrFile)
            return f;
    if (nameOrFile.ends_with(".json"))
        return PromptFormat::fromFile(nameOrFile);
    std::string names;
    for (const auto& f : builtInPromptFormats())
        names += (names.empty() ? "" : ", ") + f.name();
    throw Error("prompt format '" + nameOrFile + "': expected one of " + names +
                " (cotlab-cli formats lists them) or a format file ending in .json");
}

PromptFormat recordedPromptFormat(const std::string& name, const std::string& definition)
{
    if (definition.empty())
        return findPromptFormat(name.empty() ? "cot" : name);
    return PromptFormat::fromJson(definition, "the prompt format '" + name + "' recorded with the run");
}

std::string formatAnswer(const store::InstanceRecord& instance, const std::string& answer)
{
    if (instance.answerKind == "choice" && answer.size() <= 2 && !answer.empty() && answer.front() != '(')
        return "(" + answer + ")";
    return answer;
}

bool hasSubQuestions(const std::string& rationale)
{
    const auto subs = subQuestions(rationale);
    return !subs.empty() && !subs.front().answer.empty();
}

} // namespace cotlab::train
