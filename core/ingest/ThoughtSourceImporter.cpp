#include "ingest/ThoughtSourceImporter.h"

#include "ingest/JsonLine.h"
#include "util/Text.h"

#include <cstdlib>
#include <set>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

// A value of a Python dict written as text ("{'name': 'gpt-4', 'temperature': 0}", how ThoughtSource stores the
// model): the quoted string or the number after 'key': ; empty when absent.
std::string pythonDictValue(std::string_view dict, std::string_view key)
{
    const std::string quotedKey = "'" + std::string(key) + "':";
    const size_t at = dict.find(quotedKey);
    if (at == std::string_view::npos)
        return {};
    std::string_view rest = text::trim(dict.substr(at + quotedKey.size()));
    if (!rest.empty() && (rest.front() == '\'' || rest.front() == '"')) {
        const size_t end = rest.find(rest.front(), 1);
        return end == std::string_view::npos ? std::string() : std::string(rest.substr(1, end - 1));
    }
    const size_t end = rest.find_first_of(",}");
    return std::string(text::trim(rest.substr(0, end)));
}

// The model's name and temperature: an object {name, temperature}, a Python dict as text, or a plain name.
void readModel(const json& model, InterchangeRecord& r, const std::string& field)
{
    std::string name;
    std::string temperature;
    if (model.is_object()) {
        name = textField(model, "name", field + ".name").value_or("");
        temperature = textField(model, "temperature", field + ".temperature").value_or("");
    } else if (model.is_string()) {
        const std::string s = model.get<std::string>();
        if (text::trim(s).starts_with("{")) {
            name = pythonDictValue(s, "name");
            temperature = pythonDictValue(s, "temperature");
        } else {
            name = s;
        }
    } else if (!model.is_null()) {
        throwFieldError(field, "must be a model name or {name, temperature}, not " + jsonTypeName(model));
    }
    if (!text::trim(name).empty())
        r.teacher = std::string(text::trim(name));
    if (!temperature.empty()) {
        char* end = nullptr;
        const double t = std::strtod(temperature.c_str(), &end);
        if (end && *end == '\0')
            r.temperature = t;
    }
}

// The first value of a field the ThoughtSource versions spell with '_' or '-' ("cot_trigger", "cot-trigger").
const json* eitherSpelling(const json& object, const std::string& snake)
{
    if (const auto it = object.find(snake); it != object.end())
        return &*it;
    std::string kebab = snake;
    for (char& c : kebab)
        if (c == '_')
            c = '-';
    if (const auto it = object.find(kebab); it != object.end())
        return &*it;
    return nullptr;
}

std::vector<InterchangeRecord> recordsOf(const json& item, const std::string& task, const std::string& split,
                                         const std::string& fileName)
{
    if (!item.is_object())
        throw std::invalid_argument("expected an item object {id, question, ...}, not " + jsonTypeName(item));
    InterchangeRecord instance;
    instance.task = task;
    instance.split = split;
    const auto id = textField(item, "id", "id");
    if (!id || text::trim(*id).empty())
        throwFieldError("id", "is missing or empty");
    instance.id = *id;
    const auto question = textField(item, "question", "question");
    if (!question || text::trim(*question).empty())
        throwFieldError("question", "is missing or empty");
    const std::string context = textField(item, "context", "context").value_or("");
    instance.question = text::trim(context).empty() ? *question : context + "\n\n" + *question;

    const std::string type = textField(item, "type", "type").value_or("text");
    const auto answers = item.find("answer");
    if (answers == item.end() || !answers->is_array() || answers->empty())
        throwFieldError("answer", "must be a non-empty list of answers");
    const json& first = (*answers)[0];
    if (!first.is_string() && !first.is_number() && !first.is_boolean())
        throwFieldError("answer[0]", "must be a string, not " + jsonTypeName(first));
    const std::string answer = first.is_string() ? first.get<std::string>() : first.dump();

    if (type == "multiplechoice") {
        const auto choices = item.find("choices");
        if (choices == item.end() || !choices->is_array() || choices->empty())
            throwFieldError("choices", "must be a non-empty list for a multiplechoice item");
        if (choices->size() > 26)
            throwFieldError("choices", "has more than 26 choices");
        for (size_t k = 0; k < choices->size(); ++k) {
            const json& c = (*choices)[k];
            if (!c.is_string())
                throwFieldError("choices[" + std::to_string(k) + "]", "must be a string, not " + jsonTypeName(c));
            const std::string label(1, static_cast<char>('A' + k));
            instance.choices.push_back({label, c.get<std::string>()});
            if (c.get<std::string>() == answer && instance.gold.empty())
                instance.gold = label;
        }
        if (instance.gold.empty())
            throwFieldError("answer[0]", "('" + answer + "') is none of the item's choices");
        instance.hasChoices = true;
        instance.answerKind = "choice";
    } else if (type == "bool") {
        const std::string a = text::toLower(text::trim(answer));
        if (a == "true" || a == "yes")
            instance.gold = "yes";
        else if (a == "false" || a == "no")
            instance.gold = "no";
        else
            throwFieldError("answer[0]", "('" + answer + "') must be True or False for a bool item");
        instance.answerKind = "yes_no";
    } else {
        instance.gold = answer;
        instance.answerKind = type == "number" ? "number" : "text";
    }

    std::vector<InterchangeRecord> out{instance};
    out.front().metaJson = json{{"thoughtsource_type", type}}.dump();

    // The dataset's own explanation, a list of sentences (WorldTree facts, ECQA explanations).
    if (const auto cot = item.find("cot"); cot != item.end() && cot->is_array() && !cot->empty()) {
        std::vector<std::string> sentences;
        for (size_t k = 0; k < cot->size(); ++k) {
            if (!(*cot)[k].is_string())
                throwFieldError("cot[" + std::to_string(k) + "]", "must be a string, not " + jsonTypeName((*cot)[k]));
            sentences.push_back((*cot)[k].get<std::string>());
        }
        InterchangeRecord human = instance;
        human.rationale = text::joined(sentences, " ");
        human.sourceKind = "human";
        human.source = "ThoughtSource " + fileName + " field 'cot'";
        out.push_back(std::move(human));
    }

    const auto generated = item.find("generated_cot");
    if (generated == item.end() || generated->is_null())
        return out;
    if (!generated->is_array())
        throwFieldError("generated_cot", "must be a list, not " + jsonTypeName(*generated));
    for (size_t k = 0; k < generated->size(); ++k) {
        const json& g = (*generated)[k];
        const std::string at = "generated_cot[" + std::to_string(k) + "]";
        if (!g.is_object())
            throwFieldError(at, "must be an object {cot, answers, model, ...}, not " + jsonTypeName(g));
        InterchangeRecord r = instance;
        const auto cotText = textField(g, "cot", at + ".cot");
        if (!cotText)
            throwFieldError(at + ".cot", "is missing");
        r.rationale = *cotText;
        if (const auto a = g.find("answers"); a != g.end() && !a->is_null()) {
            if (!a->is_array())
                throwFieldError(at + ".answers", "must be a list, not " + jsonTypeName(*a));
            if (!a->empty()) {
                if (!(*a)[0].is_object())
                    throwFieldError(at + ".answers[0]", "must be an object {answer, ...}");
                const auto sentence = textField((*a)[0], "answer", at + ".answers[0].answer");
                if (sentence && !text::trim(*sentence).empty())
                    r.answerSentence = std::string(text::trim(*sentence));
            }
        }
        if (text::trim(*r.rationale).empty() && !r.answerSentence)
            continue; // nothing generated (a request that failed)
        if (const json* model = eitherSpelling(g, "model"))
            readModel(*model, r, at + ".model");
        json meta = json::object();
        for (const char* field : {"cot_trigger", "instruction", "author", "api_service", "date"})
            if (const json* v = eitherSpelling(g, field); v && v->is_string() && !v->get<std::string>().empty())
                meta[field] = *v;
        if (const auto gid = textField(g, "id", at + ".id"))
            meta["generated_cot_id"] = *gid;
        if (meta.contains("cot_trigger"))
            r.prompt = "ThoughtSource cot_trigger " + meta["cot_trigger"].get<std::string>();
        r.metaJson = meta.empty() ? "" : meta.dump();
        r.source = "ThoughtSource " + fileName;
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace

bool ThoughtSourceImporter::isThoughtSource(const JsonDocumentSniff& sniff)
{
    if (sniff.keys.size() != 2 || !sniff.firstElement.is_object())
        return false;
    const json& item = sniff.firstElement;
    if (item.contains("generated_cot"))
        return true;
    // A dataset as ThoughtSource converts it, before any CoT was generated: its schema's question, type and cot.
    const auto type = item.find("type");
    static const std::set<std::string> kTypes{"multiplechoice", "bool", "number", "text", "collection"};
    return item.contains("question") && item.contains("cot") && type != item.end() && type->is_string() &&
           kTypes.contains(type->get<std::string>());
}

void ThoughtSourceImporter::read(std::istream& in, const std::optional<std::string>& task, const std::string& fileName,
                                 const DocumentSink& sink)
{
    const json rest = streamDocumentRecords(in, 3, sink, [&](const std::vector<std::string>& keys, json& item) {
        const auto split = splitNamed(keys[1]);
        if (!split)
            throw std::invalid_argument("split '" + keys[1] + "' is none of train, validation, dev or test");
        return std::optional(recordsOf(item, task.value_or(keys[0]), *split, fileName));
    });
    // What is left is {dataset: {split: []}}: anything else is not ThoughtSource.
    if (!rest.is_object())
        throw std::invalid_argument("a ThoughtSource file is an object {dataset: {split: [items]}}, not " +
                                    jsonTypeName(rest));
    for (const auto& [dataset, splits] : rest.items()) {
        if (!splits.is_object())
            throw std::invalid_argument("'" + dataset + "' must be an object {split: [items]}, not " +
                                        jsonTypeName(splits));
        for (const auto& [split, items] : splits.items())
            if (!items.is_array())
                throw std::invalid_argument("'" + dataset + "." + split + "' must be a list of items, not " +
                                            jsonTypeName(items));
    }
}

} // namespace cotlab::ingest
