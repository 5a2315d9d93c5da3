#include "ingest/InterchangeRecord.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

const char* typeName(const json& v)
{
    return v.type_name();
}

[[noreturn]] void wrongType(std::string_view field, std::string_view expected, const json& v)
{
    throw std::invalid_argument("field '" + std::string(field) + "' must be " + std::string(expected) + ", not " +
                                typeName(v));
}

std::string requiredString(const json& obj, const char* field)
{
    const auto it = obj.find(field);
    if (it == obj.end() || it->is_null())
        throw std::invalid_argument(std::string("missing required field '") + field + "'");
    if (!it->is_string())
        wrongType(field, "a string", *it);
    return it->get<std::string>();
}

std::optional<std::string> optionalString(const json& v, const char* field)
{
    if (v.is_null())
        return std::nullopt;
    if (!v.is_string())
        wrongType(field, "a string", v);
    return v.get<std::string>();
}

std::optional<int64_t> optionalInt(const json& v, const char* field)
{
    if (v.is_null())
        return std::nullopt;
    if (!v.is_number_integer())
        wrongType(field, "an integer", v);
    return v.get<int64_t>();
}

std::optional<double> optionalNumber(const json& v, const char* field)
{
    if (v.is_null())
        return std::nullopt;
    if (!v.is_number())
        wrongType(field, "a number", v);
    return v.get<double>();
}

} // namespace

InterchangeRecord InterchangeRecord::parse(std::string_view line)
{
    json obj;
    try {
        obj = json::parse(line.begin(), line.end());
    } catch (const json::parse_error& e) {
        // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 1, column 17: ".
        std::string what = e.what();
        const auto colon = what.find("column ");
        throw std::invalid_argument("invalid JSON" + (colon == std::string::npos ? ": " + what
                                                                                   : " at " + what.substr(colon)));
    }
    if (!obj.is_object())
        throw std::invalid_argument(std::string("expected a JSON object, not ") + obj.type_name());

    InterchangeRecord r;
    r.task = requiredString(obj, "task");
    r.id = requiredString(obj, "id");
    r.question = requiredString(obj, "question");
    r.gold = requiredString(obj, "gold");
    if (r.task.empty())
        throw std::invalid_argument("field 'task' is empty");
    if (r.id.empty())
        throw std::invalid_argument("field 'id' is empty");

    json meta = json::object();
    json unknown = json::object();
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const std::string& key = it.key();
        const json& v = it.value();
        if (key == "task" || key == "id" || key == "question" || key == "gold" || key == "correct")
            continue; // "correct" is derived by CoTLab on every import
        if (key == "rationale") {
            r.rationale = optionalString(v, "rationale");
        } else if (key == "split") {
            if (auto s = optionalString(v, "split")) {
                if (*s != "train" && *s != "dev" && *s != "test" && *s != "contrast")
                    throw std::invalid_argument("field 'split' is '" + *s +
                                                "'; expected train, dev, test or contrast");
                r.split = *s;
            }
        } else if (key == "answer_kind") {
            r.answerKind = optionalString(v, "answer_kind");
            if (r.answerKind && !answers::answerKindFromString(*r.answerKind))
                throw std::invalid_argument("field 'answer_kind' is '" + *r.answerKind +
                                            "'; expected choice, number, yes_no or text");
        } else if (key == "choices") {
            if (v.is_null())
                continue;
            if (!v.is_array())
                wrongType("choices", "an array of {label, text}", v);
            r.hasChoices = true;
            for (const json& c : v) {
                if (!c.is_object() || !c.contains("label") || !c.contains("text") || !c["label"].is_string() ||
                    !c["text"].is_string())
                    throw std::invalid_argument("field 'choices' must hold objects with string 'label' and 'text'");
                r.choices.push_back({c["label"].get<std::string>(), c["text"].get<std::string>()});
            }
        } else if (key == "answer") {
            r.answer = optionalString(v, "answer");
        } else if (key == "answer_sentence") {
            r.answerSentence = optionalString(v, "answer_sentence");
        } else if (key == "stop") {
            if (v.is_null())
                continue;
            if (v.is_string()) {
                r.stop.push_back(v.get<std::string>());
                continue;
            }
            if (!v.is_array())
                wrongType("stop", "an array of strings", v);
            for (const json& s : v) {
                if (!s.is_string())
                    throw std::invalid_argument("field 'stop' must hold strings only");
                if (!s.get_ref<const std::string&>().empty())
                    r.stop.push_back(s.get<std::string>());
            }
        } else if (key == "sample") {
            r.sample = optionalInt(v, "sample");
            if (r.sample && *r.sample < 0)
                throw std::invalid_argument("field 'sample' is negative");
        } else if (key == "teacher") {
            r.teacher = optionalString(v, "teacher");
        } else if (key == "prompt") {
            r.prompt = optionalString(v, "prompt");
        } else if (key == "decoding") {
            r.decoding = optionalString(v, "decoding");
        } else if (key == "temperature") {
            r.temperature = optionalNumber(v, "temperature");
        } else if (key == "logprob") {
            r.logprob = optionalNumber(v, "logprob");
        } else if (key == "tokens") {
            r.tokens = optionalInt(v, "tokens");
        } else if (key == "source") {
            r.source = optionalString(v, "source");
        } else if (key == "source_kind") {
            auto s = optionalString(v, "source_kind");
            if (s) {
                if (*s != "teacher" && *s != "student" && *s != "human")
                    throw std::invalid_argument("field 'source_kind' is '" + *s +
                                                "'; expected teacher, student or human");
                r.sourceKind = *s;
            }
        } else if (key == "meta") {
            if (v.is_null())
                continue;
            if (!v.is_object())
                wrongType("meta", "an object", v);
            meta = v;
        } else {
            unknown[key] = v; // kept, never dropped silently
        }
    }
    for (auto it = unknown.begin(); it != unknown.end(); ++it) {
        if (meta.contains(it.key()))
            throw std::invalid_argument("field '" + it.key() + "' is given both at top level and inside 'meta'");
        meta[it.key()] = it.value();
    }
    if (!meta.empty())
        r.metaJson = meta.dump();
    return r;
}

std::string choicesToJson(const std::vector<answers::Choice>& choices)
{
    json arr = json::array();
    for (const auto& c : choices)
        arr.push_back({{"label", c.label}, {"text", c.text}});
    return arr.dump();
}

std::vector<answers::Choice> choicesFromJson(const std::string& text)
{
    std::vector<answers::Choice> out;
    const json arr = json::parse(text, nullptr, false);
    if (!arr.is_array())
        return out;
    for (const json& c : arr)
        if (c.is_object())
            out.push_back({c.value("label", ""), c.value("text", "")});
    return out;
}

} // namespace cotlab::ingest
