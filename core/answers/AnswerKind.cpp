#include "answers/AnswerKind.h"

#include "util/Text.h"

#include <nlohmann/json.hpp>

namespace cotlab::answers {

using nlohmann::json;

std::string_view toString(AnswerKind kind)
{
    switch (kind) {
    case AnswerKind::Choice:
        return "choice";
    case AnswerKind::Number:
        return "number";
    case AnswerKind::YesNo:
        return "yes_no";
    case AnswerKind::Text:
        return "text";
    }
    return "text";
}

std::optional<AnswerKind> answerKindFromString(std::string_view name)
{
    if (name == "choice")
        return AnswerKind::Choice;
    if (name == "number")
        return AnswerKind::Number;
    if (name == "yes_no")
        return AnswerKind::YesNo;
    if (name == "text")
        return AnswerKind::Text;
    return std::nullopt;
}

namespace {

// A string as nlohmann::json::dump() writes it (UTF-8 kept, control characters escaped).
void appendJsonString(std::string& out, std::string_view text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

} // namespace

std::string choicesToJson(const std::vector<Choice>& choices)
{
    // Written directly: an import stores one list per instance, and building a json value to dump it was a tenth of
    // the import's time for one-question-per-line files. Text that is not UTF-8 goes through nlohmann, which refuses
    // it.
    for (const auto& c : choices)
        if (text::firstInvalidUtf8(c.label) != std::string_view::npos ||
            text::firstInvalidUtf8(c.text) != std::string_view::npos) {
            json arr = json::array();
            for (const auto& d : choices)
                arr.push_back({{"label", d.label}, {"text", d.text}});
            return arr.dump();
        }
    std::string out = "[";
    for (size_t k = 0; k < choices.size(); ++k) {
        out += k == 0 ? "{\"label\":" : ",{\"label\":";
        appendJsonString(out, choices[k].label);
        out += ",\"text\":";
        appendJsonString(out, choices[k].text);
        out += '}';
    }
    return out + "]";
}

std::vector<Choice> choicesFromJson(const std::string& text)
{
    std::vector<Choice> out;
    const json arr = json::parse(text, nullptr, false);
    if (!arr.is_array())
        return out;
    for (const json& c : arr)
        if (c.is_object())
            out.push_back({c.value("label", ""), c.value("text", "")});
    return out;
}

} // namespace cotlab::answers
