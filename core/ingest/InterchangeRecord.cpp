#include "ingest/InterchangeRecord.h"

#include "ingest/JsonLine.h"

#include <nlohmann/json.hpp>
#include <simdjson.h>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string_view sview(const element& v)
{
    std::string_view out;
    if (v.get(out) != simdjson::SUCCESS)
        return {};
    return out;
}
int64_t int64Of(const element& v)
{
    int64_t out = 0;
    if (v.get(out) != simdjson::SUCCESS)
        return {};
    return out;
}
double doubleOf(const element& v)
{
    double out = 0;
    if (v.get(out) != simdjson::SUCCESS)
        return {};
    return out;
}
simdjson::dom::object objectOf(const element& v)
{
    simdjson::dom::object out;
    if (v.get(out) != simdjson::SUCCESS)
        return {};
    return out;
}
simdjson::dom::array arrayOf(const element& v)
{
    simdjson::dom::array out;
    if (v.get(out) != simdjson::SUCCESS)
        return {};
    return out;
}

const char* simdTypeName(const element& v)
{
    switch (v.type()) {
    case element_type::ARRAY:
        return "array";
    case element_type::OBJECT:
        return "object";
    case element_type::STRING:
        return "string";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
        return "number";
    case element_type::BOOL:
        return "boolean";
    case element_type::NULL_VALUE:
        return "null";
    }
    return "value";
}

[[noreturn]] void wrongSimdType(std::string_view field, std::string_view expected, const element& v)
{
    throw std::invalid_argument("field '" + std::string(field) + "' must be " + std::string(expected) + ", not " +
                                simdTypeName(v));
}

std::optional<std::string> optString(const element& v, const char* field)
{
    if (v.is_null())
        return std::nullopt;
    if (!v.is_string())
        wrongSimdType(field, "a string", v);
    return std::string(sview(v));
}

std::optional<int64_t> optInt(const element& v, const char* field)
{
    if (v.is_null())
        return std::nullopt;
    if (v.is_int64())
        return int64Of(v);
    if (v.is_uint64())
        throw std::invalid_argument(std::string("field '") + field + "' is too large");
    wrongSimdType(field, "an integer", v);
}

std::optional<double> optNumber(const element& v, const char* field)
{
    if (v.is_null())
        return std::nullopt;
    if (!v.is_number())
        wrongSimdType(field, "a number", v);
    return doubleOf(v);
}

// nlohmann's messages name the column and what was expected; used only to explain a line simdjson rejected.
[[noreturn]] void explainInvalidJson(std::string_view line)
{
    (void)jsonObjectOfLine(line);
    throw std::invalid_argument("invalid JSON");
}

thread_local simdjson::dom::parser tParser;
thread_local std::string tPadded;

} // namespace

// One pass over the line's fields with simdjson, field by field in the format's order: the importer's hot path
// (~10 µs a line), kept whole so that no field is looked up twice.
InterchangeRecord InterchangeRecord::parse(std::string_view line)
{
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse from a padded copy.
    tPadded.assign(line.data(), line.size());
    tPadded.resize(line.size() + simdjson::SIMDJSON_PADDING, '\0');
    element doc;
    if (tParser.parse(tPadded.data(), line.size(), false).get(doc) != simdjson::SUCCESS)
        explainInvalidJson(line);
    if (!doc.is_object())
        throw std::invalid_argument(std::string("expected a JSON object, not ") + simdTypeName(doc));

    InterchangeRecord r;
    bool haveTask = false, haveId = false, haveQuestion = false, haveGold = false;
    std::string metaText;
    json unknown;
    for (const auto field : objectOf(doc)) {
        const std::string_view key = field.key;
        const element& v = field.value;
        auto required = [&](std::string& out, bool& have, const char* name) {
            if (v.is_null())
                return;
            if (!v.is_string())
                wrongSimdType(name, "a string", v);
            out = std::string(sview(v));
            have = true;
        };
        if (key == "task")
            required(r.task, haveTask, "task");
        else if (key == "id")
            required(r.id, haveId, "id");
        else if (key == "question")
            required(r.question, haveQuestion, "question");
        else if (key == "gold")
            required(r.gold, haveGold, "gold");
        else if (key == "correct")
            continue; // derived by CoTLab on every import
        else if (key == "rationale")
            r.rationale = optString(v, "rationale");
        else if (key == "split") {
            if (auto s = optString(v, "split")) {
                if (!isKnownSplit(*s))
                    throw std::invalid_argument("field 'split' is '" + *s + "'; expected train, dev, test or contrast");
                r.split = *s;
            }
        } else if (key == "answer_kind") {
            r.answerKind = optString(v, "answer_kind");
            if (r.answerKind && !answers::answerKindFromString(*r.answerKind))
                throw std::invalid_argument("field 'answer_kind' is '" + *r.answerKind +
                                            "'; expected choice, number, yes_no or text");
        } else if (key == "choices") {
            if (v.is_null())
                continue;
            if (!v.is_array())
                wrongSimdType("choices", "an array of {label, text}", v);
            r.hasChoices = true;
            for (const element c : arrayOf(v)) {
                std::string_view label, text;
                if (!c.is_object() || c["label"].get_string().get(label) != simdjson::SUCCESS ||
                    c["text"].get_string().get(text) != simdjson::SUCCESS)
                    throw std::invalid_argument("field 'choices' must hold objects with string 'label' and 'text'");
                r.choices.push_back({std::string(label), std::string(text)});
            }
        } else if (key == "answer")
            r.answer = optString(v, "answer");
        else if (key == "answer_sentence")
            r.answerSentence = optString(v, "answer_sentence");
        else if (key == "stop") {
            if (v.is_null())
                continue;
            if (v.is_string()) {
                r.stop.emplace_back(sview(v));
                continue;
            }
            if (!v.is_array())
                wrongSimdType("stop", "an array of strings", v);
            for (const element s : arrayOf(v)) {
                if (!s.is_string())
                    throw std::invalid_argument("field 'stop' must hold strings only");
                if (!sview(s).empty())
                    r.stop.emplace_back(sview(s));
            }
        } else if (key == "sample") {
            r.sample = optInt(v, "sample");
            if (r.sample && *r.sample < 0)
                throw std::invalid_argument("field 'sample' is negative");
        } else if (key == "teacher")
            r.teacher = optString(v, "teacher");
        else if (key == "prompt")
            r.prompt = optString(v, "prompt");
        else if (key == "decoding")
            r.decoding = optString(v, "decoding");
        else if (key == "temperature")
            r.temperature = optNumber(v, "temperature");
        else if (key == "logprob")
            r.logprob = optNumber(v, "logprob");
        else if (key == "tokens")
            r.tokens = optInt(v, "tokens");
        else if (key == "source")
            r.source = optString(v, "source");
        else if (key == "source_kind") {
            if (auto s = optString(v, "source_kind")) {
                if (*s != "teacher" && *s != "student" && *s != "human")
                    throw std::invalid_argument("field 'source_kind' is '" + *s +
                                                "'; expected teacher, student or human");
                r.sourceKind = *s;
            }
        } else if (key == "meta") {
            if (v.is_null())
                continue;
            if (!v.is_object())
                wrongSimdType("meta", "an object", v);
            metaText = simdjson::minify(v);
        } else {
            // Unknown fields are kept in meta, never dropped silently.
            if (unknown.is_null())
                unknown = json::object();
            unknown[std::string(key)] = json::parse(simdjson::minify(v));
        }
    }
    if (!haveTask)
        throw std::invalid_argument("missing required field 'task'");
    if (!haveId)
        throw std::invalid_argument("missing required field 'id'");
    if (!haveQuestion)
        throw std::invalid_argument("missing required field 'question'");
    if (!haveGold)
        throw std::invalid_argument("missing required field 'gold'");
    if (r.task.empty())
        throw std::invalid_argument("field 'task' is empty");
    if (r.id.empty())
        throw std::invalid_argument("field 'id' is empty");

    if (!unknown.is_null()) {
        json meta = metaText.empty() ? json::object() : json::parse(metaText);
        for (auto it = unknown.begin(); it != unknown.end(); ++it) {
            if (meta.contains(it.key()))
                throw std::invalid_argument("field '" + it.key() + "' is given both at top level and inside 'meta'");
            meta[it.key()] = it.value();
        }
        r.metaJson = meta.dump();
    } else if (!metaText.empty() && metaText != "{}") {
        r.metaJson = json::parse(metaText).dump(); // canonical key order, as nlohmann writes it
    }
    return r;
}

bool isKnownSplit(std::string_view split)
{
    return split == "train" || split == "dev" || split == "test" || split == "contrast";
}

std::optional<std::string> splitNamed(std::string_view name)
{
    if (name == "validation" || name == "val")
        return "dev";
    if (isKnownSplit(name))
        return std::string(name);
    return std::nullopt;
}

} // namespace cotlab::ingest
