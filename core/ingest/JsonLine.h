#pragma once

// One line of a JSONL file as a JSON object, for the line formats read with nlohmann::json.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cotlab::ingest {

// What a line format's records get where their line says nothing (conversation files, field mappings).
struct LineDefaults {
    std::string task;    // the task the questions go to
    std::string split;   // when the line names no split
    std::string teacher; // when the line names no model
    std::string source;  // provenance recorded with each rationale
};

// The line's object; std::invalid_argument "invalid JSON at column N: ..." (nlohmann's reason) or "expected a JSON
// object, not an array" otherwise.
nlohmann::json jsonObjectOfLine(std::string_view line);

// The JSON type's name as the formats' messages say it ("a string", "an array", ...).
std::string jsonTypeName(const nlohmann::json& value);

// std::invalid_argument "field 'messages[1].content' <what>": how the line formats name what is wrong.
[[noreturn]] void throwFieldError(const std::string& field, const std::string& what);

// The text of object[key]: a string as it is, a number or boolean as JSON writes it; nullopt when missing or null;
// throwFieldError naming 'field' for an array or object.
std::optional<std::string> textField(const nlohmann::json& object, const char* key, const std::string& field);

} // namespace cotlab::ingest
