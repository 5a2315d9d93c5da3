#include "ingest/ChatImporter.h"

#include "ingest/JsonLine.h"
#include "ingest/OpenAiResponse.h"
#include "text/ReasoningParts.h"
#include "util/Text.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

struct Turn {
    std::string role; // system, user, assistant, or another role as written
    std::string content;
    std::string reasoning;
};

// A message's content: a string, or OpenAI's list of parts ({type: "text", text}); null is empty.
std::string textOf(const json& content, const std::string& field)
{
    if (content.is_string())
        return content.get<std::string>();
    if (content.is_null())
        return {};
    if (!content.is_array())
        throwFieldError(field, "must be a string or a list of text parts, not " + jsonTypeName(content));
    std::string out;
    for (size_t k = 0; k < content.size(); ++k) {
        const json& part = content[k];
        const std::string at = field + "[" + std::to_string(k) + "]";
        if (part.is_string()) {
            out += part.get<std::string>();
            continue;
        }
        if (!part.is_object() || !part.contains("text") || !part["text"].is_string())
            throwFieldError(at, "must be a text part {\"type\": \"text\", \"text\": \"...\"}");
        out += part["text"].get<std::string>();
    }
    return out;
}

std::string normalRole(std::string role)
{
    role = text::toLower(role);
    if (role == "human" || role == "user")
        return "user";
    if (role == "gpt" || role == "assistant" || role == "model" || role == "chatgpt" || role == "bing")
        return "assistant";
    return role;
}

std::vector<Turn> turnsOf(const json& object)
{
    const bool openai = object.contains("messages");
    const std::string listField = openai ? "messages" : "conversations";
    const json& list = object[listField];
    if (!list.is_array())
        throwFieldError(listField, "must be a list of turns, not " + jsonTypeName(list));
    const char* roleKey = openai ? "role" : "from";
    const char* contentKey = openai ? "content" : "value";
    std::vector<Turn> turns;
    for (size_t k = 0; k < list.size(); ++k) {
        const json& m = list[k];
        const std::string at = listField + "[" + std::to_string(k) + "]";
        if (!m.is_object())
            throwFieldError(at, "must be an object, not " + jsonTypeName(m));
        // ShareGPT files written with OpenAI's keys (and the reverse) are common: accept either pair.
        const char* rk = m.contains(roleKey) ? roleKey : (m.contains("role") ? "role" : "from");
        const char* ck = m.contains(contentKey) ? contentKey : (m.contains("content") ? "content" : "value");
        if (!m.contains(rk) || !m[rk].is_string())
            throwFieldError(at + "." + roleKey, "is missing or not a string");
        Turn t;
        t.role = normalRole(m[rk].get<std::string>());
        if (!m.contains(ck))
            throwFieldError(at + "." + contentKey, "is missing");
        t.content = textOf(m[ck], at + "." + ck);
        for (const char* r : {"reasoning_content", "reasoning"})
            if (m.contains(r) && !m[r].is_null())
                t.reasoning = textOf(m[r], at + "." + r);
        turns.push_back(std::move(t));
    }
    return turns;
}

// A top-level string (or number) field, the first of 'names' the line has.
std::optional<std::string> firstField(const json& object, std::initializer_list<const char*> names)
{
    for (const char* name : names) {
        const auto it = object.find(name);
        if (it == object.end() || it->is_null())
            continue;
        if (it->is_string())
            return it->get<std::string>();
        if (it->is_number_integer())
            return std::to_string(it->get<int64_t>());
        if (it->is_number())
            return it->dump();
        throwFieldError(name, "must be a string or a number, not " + jsonTypeName(*it));
    }
    return std::nullopt;
}

const std::set<std::string> kReadFields = {"messages",    "conversations", "system",       "id",      "uuid",
                                           "problem_id",  "question_id",   "custom_id",    "gold",    "answer",
                                           "gold_answer", "final_answer",  "ground_truth", "split",   "model",
                                           "teacher",     "generator",     "request",      "response"};

// A saved exchange with an OpenAI-compatible server: {request: {messages | prompt, model, ...}, response: body}.
bool isSavedExchange(const json& object)
{
    return object.contains("request") && object["request"].is_object() && object.contains("response") &&
           object["response"].is_object();
}

// The question's instance as a conversation line or a saved exchange gives it: id, gold and split from the line's
// top-level fields; other top-level values (a set's domain, source, difficulty) kept in meta, as the interchange
// format keeps its unknown fields.
InterchangeRecord instanceOf(const json& object, const std::string& question, const LineDefaults& options)
{
    InterchangeRecord r;
    r.task = options.task;
    r.question = question;
    r.id = firstField(object, {"id", "uuid", "problem_id", "question_id", "custom_id"}).value_or(questionId(question));
    r.gold = firstField(object, {"gold", "answer", "gold_answer", "final_answer", "ground_truth"}).value_or("");
    r.split = firstField(object, {"split"}).value_or(options.split);
    if (!isKnownSplit(r.split))
        throwFieldError("split", "is '" + r.split + "': expected train, dev, test or contrast");
    json meta = json::object();
    for (const auto& [key, value] : object.items())
        if (!kReadFields.count(key) && (value.is_primitive() && !value.is_null()))
            meta[key] = value;
    if (!meta.empty())
        r.metaJson = meta.dump();
    return r;
}

// The system prompt and the one user turn of a conversation; std::invalid_argument when there is not exactly one.
std::pair<std::string, size_t> systemAndQuestion(const std::vector<Turn>& turns, std::string system)
{
    size_t user = turns.size();
    for (size_t k = 0; k < turns.size(); ++k) {
        if (turns[k].role == "system" && user == turns.size())
            system = turns[k].content;
        else if (turns[k].role == "user") {
            if (user != turns.size())
                throw std::invalid_argument("the conversation has more than one user turn (turn " + std::to_string(k) +
                                            "); CoTLab imports one question and its answer per line");
            user = k;
        }
    }
    if (user == turns.size())
        throw std::invalid_argument("the conversation has no user turn (roles 'user' or 'human'): no question");
    if (text::trim(turns[user].content).empty())
        throw std::invalid_argument("the user turn (turn " + std::to_string(user) + ") is empty: no question");
    return {system, user};
}

// A saved request and its response: the request's user turn (or completions prompt) is the question, every choice of
// the response a rationale.
void parseSavedExchange(const json& object, const LineDefaults& options, std::vector<InterchangeRecord>& out)
{
    const json& request = object["request"];
    std::string question, system;
    if (request.contains("messages")) {
        std::vector<Turn> turns;
        try {
            turns = turnsOf(request);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("in 'request': ") + e.what());
        }
        size_t user = 0;
        std::tie(system, user) = systemAndQuestion(turns, "");
        question = turns[user].content;
    } else if (const auto prompt = request.find("prompt"); prompt != request.end() && prompt->is_string()) {
        question = prompt->get<std::string>();
        if (text::trim(question).empty())
            throwFieldError("request.prompt", "is empty: no question");
    } else {
        throwFieldError("request", "has neither 'messages' nor a 'prompt' string: no question");
    }
    const json* body = &object["response"];
    if (!body->contains("choices") && body->contains("body"))
        body = &(*body)["body"]; // saved as the Batch API nests it
    const ResponseBody read = readSavedResponse(*body, "response");
    InterchangeRecord base = instanceOf(object, question, options);
    base.teacher = firstField(request, {"model"}).value_or(options.teacher);
    if (const auto t = request.find("temperature"); t != request.end() && t->is_number())
        base.temperature = t->get<double>();
    if (!system.empty())
        base.prompt = system;
    if (!options.source.empty())
        base.source = options.source;
    appendChoiceRecords(read, base, out);
}

} // namespace

std::string questionId(std::string_view question)
{
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(text::fnv1a64(question)));
    return std::string("q-") + hex;
}

bool ChatImporter::isConversation(const json& object)
{
    return object.is_object() &&
           ((object.contains("messages") && object["messages"].is_array()) ||
            (object.contains("conversations") && object["conversations"].is_array()) || isSavedExchange(object));
}

void ChatImporter::parseLine(std::string_view line, const LineDefaults& options, std::vector<InterchangeRecord>& out)
{
    const json object = jsonObjectOfLine(line);
    if (isSavedExchange(object))
        return parseSavedExchange(object, options, out);
    if (!object.contains("messages") && !object.contains("conversations"))
        throw std::invalid_argument("no 'messages' or 'conversations' list: not a conversation");
    const std::vector<Turn> turns = turnsOf(object);
    const auto [system, user] = systemAndQuestion(turns, firstField(object, {"system"}).value_or(""));
    InterchangeRecord r = instanceOf(object, turns[user].content, options);

    const Turn* reply = nullptr;
    for (size_t k = user + 1; k < turns.size() && !reply; ++k)
        if (turns[k].role == "assistant")
            reply = &turns[k];
    if (reply) {
        r.rationale = reply->reasoning.empty() ? reply->content : text::joinReasoning(reply->reasoning, reply->content);
        if (text::trim(*r.rationale).empty())
            throw std::invalid_argument("the assistant's reply (turn " + std::to_string(reply - turns.data()) +
                                        ") is empty");
        r.teacher = firstField(object, {"model", "teacher", "generator"}).value_or(options.teacher);
        if (r.teacher->empty())
            r.teacher.reset();
        if (!options.source.empty())
            r.source = options.source;
        if (!system.empty())
            r.prompt = system;
    }
    out.push_back(std::move(r));
}

} // namespace cotlab::ingest
