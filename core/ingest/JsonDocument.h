#pragma once

// Whole-JSON-document formats (ThoughtSource, Fine-tune-CoT's completion files): their records are the elements of
// arrays nested in objects, read one element at a time so that a file of any size is never held whole.
#include "ingest/InterchangeRecord.h"

#include <cstdint>
#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::ingest {

// What a document format gives for each element: its records, or why it is refused ('error' not empty). 'place'
// names the element ("commonsense_qa.validation[3]").
using DocumentSink =
    std::function<void(const std::string& place, std::vector<InterchangeRecord>& records, const std::string& error)>;

// Calls 'handle' with each element of the arrays 'elementDepth' levels down (2: {"key": [elements]}, 3:
// {"key": {"key": [elements]}}), with the object keys on the way, and discards it. Returns what is left of the
// document (the arrays emptied, everything else as it was) for the caller to check the document's shape.
// std::invalid_argument "invalid JSON: parse error at line 3, column 7: ..." when the text is not JSON.
nlohmann::json streamJsonArrayElements(
    std::istream& in, int elementDepth,
    const std::function<void(const std::vector<std::string>& keys, int64_t index, nlohmann::json& element)>& handle);

// streamJsonArrayElements for a document format: 'recordsOf' turns each element into its records (nullopt: not an
// element of the format, skipped; std::invalid_argument: refused with that reason), which go to 'sink' under the
// element's place.
using ElementRecords = std::function<std::optional<std::vector<InterchangeRecord>>(const std::vector<std::string>& keys,
                                                                                   nlohmann::json& element)>;
nlohmann::json streamDocumentRecords(std::istream& in, int elementDepth, const DocumentSink& sink,
                                     const ElementRecords& recordsOf);

// nlohmann's parse error without its "[json.exception.parse_error.101] " prefix: "parse error at line 3, column 7:
// syntax error ...".
std::string jsonParseErrorText(const nlohmann::json::exception& e);

// "data.12[3]": how errors name an element of a document.
std::string jsonPlace(const std::vector<std::string>& keys, int64_t index);

// The first object found as an element of an array two or three levels down, read from the file's start, with the
// keys on its way; for format detection. Empty when the file starts otherwise (JSONL with flat lines, an array).
struct JsonDocumentSniff {
    std::vector<std::string> keys; // object keys down to the array
    nlohmann::json firstElement;   // null when none was found
};
JsonDocumentSniff sniffJsonDocument(const std::string& path);

} // namespace cotlab::ingest
