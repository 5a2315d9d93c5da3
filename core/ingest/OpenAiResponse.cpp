#include "ingest/OpenAiResponse.h"

#include "ingest/JsonLine.h"
#include "text/ReasoningParts.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

std::string optText(const json& object, const char* key, const std::string& at)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return {};
    if (!it->is_string())
        throwFieldError(at + "." + key, "must be a string or null, not " + jsonTypeName(*it));
    return it->get<std::string>();
}

std::optional<int64_t> optCount(const json& object, const char* key, const std::string& at)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return std::nullopt;
    if (!it->is_number_integer())
        throwFieldError(at + "." + key, "must be an integer, not " + jsonTypeName(*it));
    return it->get<int64_t>();
}

// Completions: logprobs.token_logprobs (the first may be null); chat: logprobs.content[].logprob.
void readLogprobs(const json& logprobs, const std::string& at, ResponseChoice& c)
{
    if (logprobs.is_null())
        return;
    if (!logprobs.is_object())
        throwFieldError(at, "must be an object or null, not " + jsonTypeName(logprobs));
    double sum = 0;
    int64_t n = 0;
    auto add = [&](const json& v, const std::string& field) {
        if (v.is_null())
            return;
        if (!v.is_number())
            throwFieldError(field, "must be a number, not " + jsonTypeName(v));
        sum += v.get<double>();
        ++n;
    };
    if (const auto t = logprobs.find("token_logprobs"); t != logprobs.end() && t->is_array()) {
        for (size_t k = 0; k < t->size(); ++k)
            add((*t)[k], at + ".token_logprobs[" + std::to_string(k) + "]");
    } else if (const auto content = logprobs.find("content"); content != logprobs.end() && content->is_array()) {
        for (size_t k = 0; k < content->size(); ++k) {
            const json& token = (*content)[k];
            const std::string field = at + ".content[" + std::to_string(k) + "]";
            if (!token.is_object() || !token.contains("logprob"))
                throwFieldError(field, "must be an object with a logprob");
            add(token["logprob"], field + ".logprob");
        }
    }
    if (n > 0) {
        c.logprob = sum;
        c.tokens = n;
    }
}

} // namespace

ResponseBody readResponseBody(const json& body)
{
    if (!body.is_object())
        throw std::invalid_argument("the response body must be a JSON object, not " + jsonTypeName(body));
    const auto choices = body.find("choices");
    if (choices == body.end() || !choices->is_array())
        throw std::invalid_argument("the response body has no 'choices' list");
    ResponseBody out;
    out.model = optText(body, "model", "body");
    if (const auto usage = body.find("usage"); usage != body.end() && usage->is_object()) {
        out.promptTokens = optCount(*usage, "prompt_tokens", "usage");
        out.completionTokens = optCount(*usage, "completion_tokens", "usage");
    }
    for (size_t k = 0; k < choices->size(); ++k) {
        const json& choice = (*choices)[k];
        const std::string at = "choices[" + std::to_string(k) + "]";
        if (!choice.is_object())
            throwFieldError(at, "must be an object, not " + jsonTypeName(choice));
        ResponseChoice c;
        c.index = optCount(choice, "index", at).value_or(int64_t(k));
        const auto message = choice.find("message");
        if (message != choice.end()) {
            if (!message->is_object())
                throwFieldError(at + ".message", "must be an object, not " + jsonTypeName(*message));
            out.chat = true;
            c.text = optText(*message, "content", at + ".message");
            c.reasoning = optText(*message, "reasoning_content", at + ".message");
            if (c.reasoning.empty())
                c.reasoning = optText(*message, "reasoning", at + ".message");
        } else {
            c.text = optText(choice, "text", at);
        }
        c.finishReason = optText(choice, "finish_reason", at);
        if (const auto logprobs = choice.find("logprobs"); logprobs != choice.end())
            readLogprobs(*logprobs, at + ".logprobs", c);
        out.choices.push_back(std::move(c));
    }
    if (out.choices.size() == 1 && !out.choices[0].tokens && out.completionTokens)
        out.choices[0].tokens = out.completionTokens;
    return out;
}

ResponseBody readSavedResponse(const json& body, const std::string& field)
{
    ResponseBody read;
    try {
        read = readResponseBody(body);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("in '" + field + "': " + e.what());
    }
    if (read.choices.empty())
        throwFieldError(field + ".choices", "is empty: no completion");
    return read;
}

void appendChoiceRecords(const ResponseBody& response, const InterchangeRecord& base,
                         std::vector<InterchangeRecord>& out)
{
    for (const ResponseChoice& c : response.choices) {
        InterchangeRecord r = base;
        r.rationale = text::joinReasoning(c.reasoning, c.text);
        if (!response.model.empty())
            r.teacher = response.model;
        if (r.teacher && r.teacher->empty())
            r.teacher.reset();
        r.logprob = c.logprob;
        r.tokens = c.tokens;
        if (!c.finishReason.empty() && c.finishReason != "stop") { // "length": cut off by max_tokens
            json meta = r.metaJson.empty() ? json::object() : json::parse(r.metaJson);
            meta["finish_reason"] = c.finishReason;
            r.metaJson = meta.dump();
        }
        out.push_back(std::move(r));
    }
}

} // namespace cotlab::ingest
