#include "ingest/JsonDocument.h"

#include <fstream>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

bool endsValue(json::parse_event_t event, const json& parsed)
{
    return event == json::parse_event_t::object_end || event == json::parse_event_t::array_end ||
           (event == json::parse_event_t::value && !parsed.is_structured());
}

} // namespace

std::string jsonParseErrorText(const json::exception& e)
{
    const std::string what = e.what();
    const auto pos = what.find("parse error");
    return pos == std::string::npos ? what : what.substr(pos);
}

json streamJsonArrayElements(
    std::istream& in, int elementDepth,
    const std::function<void(const std::vector<std::string>& keys, int64_t index, json& element)>& handle)
{
    // Containers by depth: whether the one at depth d is an array; keys by depth.
    std::vector<bool> isArray(static_cast<size_t>(elementDepth) + 1, false);
    std::vector<std::string> keys(static_cast<size_t>(elementDepth - 1));
    int64_t index = 0;
    json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::key) {
            if (depth >= 1 && depth < elementDepth)
                keys[static_cast<size_t>(depth - 1)] = parsed.get<std::string>();
            return true;
        }
        if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
            depth < elementDepth) {
            isArray[static_cast<size_t>(depth)] = event == json::parse_event_t::array_start;
            if (depth == elementDepth - 1)
                index = 0;
            return true;
        }
        if (depth == elementDepth && isArray[static_cast<size_t>(depth - 1)] && endsValue(event, parsed)) {
            // keys deeper than the path of this array are stale from an earlier branch: only elementDepth - 1 count
            handle(keys, index++, parsed);
            return false;
        }
        return true;
    };
    try {
        return json::parse(in, cb);
    } catch (const json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        throw std::invalid_argument("invalid JSON: " + jsonParseErrorText(e));
    }
}

json streamDocumentRecords(std::istream& in, int elementDepth, const DocumentSink& sink,
                           const ElementRecords& recordsOf)
{
    std::vector<InterchangeRecord> none;
    return streamJsonArrayElements(in, elementDepth,
                                   [&](const std::vector<std::string>& keys, int64_t index, json& element) {
                                       std::optional<std::vector<InterchangeRecord>> records;
                                       std::string error;
                                       try {
                                           records = recordsOf(keys, element);
                                           if (!records)
                                               return;
                                       } catch (const std::invalid_argument& e) {
                                           error = e.what();
                                       }
                                       sink(jsonPlace(keys, index), records ? *records : none, error);
                                   });
}

std::string jsonPlace(const std::vector<std::string>& keys, int64_t index)
{
    std::string out;
    for (const std::string& k : keys)
        out += (out.empty() ? "" : ".") + k;
    return out + "[" + std::to_string(index) + "]";
}

JsonDocumentSniff sniffJsonDocument(const std::string& path)
{
    JsonDocumentSniff out;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return out;
    struct Found {};
    std::vector<bool> isArray(4, false);
    std::vector<std::string> keys(3);
    json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth == 0 && event == json::parse_event_t::array_start)
            throw Found{}; // a JSON array (benchmark files), not a document of nested arrays
        if (event == json::parse_event_t::key) {
            if (depth >= 1 && depth <= 2)
                keys[static_cast<size_t>(depth - 1)] = parsed.get<std::string>();
            return true;
        }
        if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
            if (depth <= 3)
                isArray[static_cast<size_t>(depth)] = event == json::parse_event_t::array_start;
            return true;
        }
        if ((depth == 2 || depth == 3) && event == json::parse_event_t::object_end &&
            isArray[static_cast<size_t>(depth - 1)] && !isArray[static_cast<size_t>(depth - 2)]) {
            out.keys.assign(keys.begin(), keys.begin() + (depth - 1));
            out.firstElement = parsed;
            throw Found{};
        }
        return true;
    };
    try {
        const json ignored = json::parse(in, cb);
        (void)ignored;
    } catch (const Found&) {
    } catch (const json::exception&) { // JSONL (a second value after the first line), or not JSON at all
    }
    return out;
}

} // namespace cotlab::ingest
