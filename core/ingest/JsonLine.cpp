#include "ingest/JsonLine.h"

#include <stdexcept>

namespace cotlab::ingest {

nlohmann::json jsonObjectOfLine(std::string_view line)
{
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(line.begin(), line.end());
    } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        const std::string what = e.what();
        const auto column = what.find("column ");
        throw std::invalid_argument("invalid JSON" +
                                    (column == std::string::npos ? ": " + what : " at " + what.substr(column)));
    }
    if (!value.is_object())
        throw std::invalid_argument("expected a JSON object, not " + jsonTypeName(value));
    return value;
}

void throwFieldError(const std::string& field, const std::string& what)
{
    throw std::invalid_argument("field '" + field + "' " + what);
}

std::string jsonTypeName(const nlohmann::json& value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::object:
        return "an object";
    case nlohmann::json::value_t::array:
        return "an array";
    case nlohmann::json::value_t::string:
        return "a string";
    case nlohmann::json::value_t::boolean:
        return "a boolean";
    case nlohmann::json::value_t::null:
        return "null";
    default:
        return "a number";
    }
}

std::optional<std::string> textField(const nlohmann::json& object, const char* key, const std::string& field)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return std::nullopt;
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_number() || it->is_boolean())
        return it->dump();
    throwFieldError(field, "must be a string, not " + jsonTypeName(*it));
}

} // namespace cotlab::ingest
