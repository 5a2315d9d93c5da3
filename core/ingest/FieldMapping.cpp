#include "ingest/FieldMapping.h"

#include "ingest/ChatImporter.h"
#include "ingest/JsonLine.h"
#include "text/ReasoningParts.h"
#include "util/Error.h"
#include "util/LineReader.h"
#include "util/Text.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

// The value at a path ("a.b[0].c"); nullptr when the line does not have it. std::invalid_argument for a path that
// indexes something that is not a list.
const json* valueAt(const json& root, const std::string& path)
{
    const json* at = &root;
    size_t k = 0;
    while (k < path.size()) {
        if (path[k] == '.') {
            ++k;
            continue;
        }
        if (path[k] == '[') {
            const size_t close = path.find(']', k);
            const std::string digits = path.substr(k + 1, close - k - 1);
            if (!at->is_array())
                throwFieldError(path, "indexes " + jsonTypeName(*at) + ", not a list");
            const size_t index = std::stoul(digits);
            if (index >= at->size())
                return nullptr;
            at = &(*at)[index];
            k = close + 1;
            continue;
        }
        const size_t end = path.find_first_of(".[", k);
        const std::string key = path.substr(k, end == std::string::npos ? std::string::npos : end - k);
        if (!at->is_object())
            return nullptr;
        const auto it = at->find(key);
        if (it == at->end())
            return nullptr;
        at = &*it;
        k = end == std::string::npos ? path.size() : end;
    }
    return at;
}

// A mapped text value: strings as they are, numbers written out; null or absent is nullopt.
std::optional<std::string> textAt(const json& root, const FieldMapping& mapping, const std::string& key)
{
    const auto path = mapping.paths.find(key);
    if (path == mapping.paths.end())
        return std::nullopt;
    const json* v = valueAt(root, path->second);
    if (!v || v->is_null())
        return std::nullopt;
    if (v->is_string())
        return v->get<std::string>();
    if (v->is_number_integer())
        return std::to_string(v->get<int64_t>());
    if (v->is_number())
        return v->dump();
    throwFieldError(path->second, "(" + key + ") must be a string or a number, not " + jsonTypeName(*v));
}

bool validPath(const std::string& path)
{
    if (path.empty() || path.front() == '.' || path.back() == '.')
        return false;
    for (size_t k = 0; k < path.size(); ++k) {
        if (path[k] != '[')
            continue;
        const size_t close = path.find(']', k);
        if (close == std::string::npos || close == k + 1)
            return false;
        for (size_t d = k + 1; d < close; ++d)
            if (path[d] < '0' || path[d] > '9')
                return false;
        k = close;
    }
    return true;
}

} // namespace

std::string FieldMapping::toString() const
{
    std::string out;
    for (const std::string& key : keys())
        if (const auto it = paths.find(key); it != paths.end())
            out += (out.empty() ? "" : ",") + key + "=" + it->second;
    return out;
}

namespace {

void collectPaths(const nlohmann::ordered_json& value, const std::string& at, int depth, std::vector<std::string>& out)
{
    if (value.is_object()) {
        if (depth >= 4)
            return;
        for (const auto& [key, child] : value.items()) {
            // a key a mapping cannot name (empty, with a path's or a mapping's punctuation, or spaces around it)
            if (key.empty() || key.find_first_of(".[],=") != std::string::npos || text::trim(key) != key)
                continue;
            collectPaths(child, at.empty() ? key : at + "." + key, depth + 1, out);
        }
    } else if (value.is_array()) {
        if (depth < 4 && !value.empty() && !at.empty())
            collectPaths(value[0], at + "[0]", depth + 1, out);
    } else if (!value.is_null() && !at.empty()) {
        out.push_back(at);
    }
}

} // namespace

std::vector<std::string> FieldMapping::pathsOf(const nlohmann::ordered_json& record)
{
    std::vector<std::string> out;
    collectPaths(record, "", 0, out);
    return out;
}

std::vector<std::string> FieldMapping::pathsOfFirstRecord(const std::string& file)
{
    LineReader reader(file);
    std::string_view line;
    while (reader.next(line)) {
        if (text::trim(line).empty())
            continue;
        try {
            (void)jsonObjectOfLine(line); // the line formats' messages for what is not an object
            return pathsOf(nlohmann::ordered_json::parse(line.begin(), line.end())); // the record's own order
        } catch (const std::invalid_argument& e) {
            throw Error(file + ":" + std::to_string(reader.lineNumber()) + ": " + e.what());
        }
    }
    throw Error(file + ": holds no records");
}

FieldMapping FieldMapping::suggest(const std::vector<std::string>& paths)
{
    // The names datasets give each field, most telling first.
    static const std::vector<std::pair<std::string, std::vector<std::string>>> kNames = {
        {"question", {"question", "problem", "prompt", "input", "query", "instruction"}},
        {"gold", {"gold", "answer", "final_answer", "gold_answer", "ground_truth", "label", "solution"}},
        {"id", {"id", "uuid", "problem_id", "question_id", "idx"}},
        {"split", {"split"}},
        {"model", {"model", "teacher", "generator"}},
        {"thinking", {"thinking", "reasoning", "reasoning_content", "thinking_trajectories[0]", "thought"}},
        {"rationale", {"rationale", "attempt", "response", "output", "completion", "cot", "explanation", "solution"}},
    };
    FieldMapping m;
    std::vector<std::string> taken;
    for (const auto& [key, names] : kNames)
        for (const std::string& name : names) {
            // a top-level path of that name, else a nested one ending in it
            auto found = std::find(paths.begin(), paths.end(), name);
            if (found == paths.end())
                found = std::find_if(paths.begin(), paths.end(),
                                     [&](const std::string& p) { return p.ends_with("." + name); });
            if (found == paths.end() || std::find(taken.begin(), taken.end(), *found) != taken.end())
                continue;
            m.paths[key] = *found;
            taken.push_back(*found);
            break;
        }
    if (!m.paths.count("question"))
        return {};
    return m;
}

const std::vector<std::string>& FieldMapping::keys()
{
    static const std::vector<std::string> kKeys = {"question", "gold", "id", "split", "model", "rationale", "thinking"};
    return kKeys;
}

FieldMapping FieldMapping::parse(std::string_view spec)
{
    FieldMapping m;
    size_t start = 0;
    while (start <= spec.size()) {
        const size_t comma = std::min(spec.find(',', start), spec.size());
        const std::string_view part = text::trim(spec.substr(start, comma - start));
        start = comma + 1;
        if (part.empty())
            continue;
        const size_t eq = part.find('=');
        if (eq == std::string_view::npos)
            throw Error("field mapping '" + std::string(part) + "': expected key=path (for example question=problem)");
        const std::string key(text::trim(part.substr(0, eq)));
        const std::string path(text::trim(part.substr(eq + 1)));
        if (std::find(keys().begin(), keys().end(), key) == keys().end())
            throw Error("field mapping '" + std::string(part) + "': unknown key '" + key + "'; the keys are " +
                        text::joined(keys(), ", "));
        if (!validPath(path))
            throw Error("field mapping '" + std::string(part) + "': '" + path +
                        "' is not a path (keys joined by '.', list positions as [n])");
        m.paths[key] = path;
    }
    if (!m.paths.count("question"))
        throw Error("field mapping '" + std::string(spec) + "': no question=... (which field holds the question)");
    return m;
}

void parseMappedLine(std::string_view line, const FieldMapping& mapping, const LineDefaults& options,
                     std::vector<InterchangeRecord>& out)
{
    const json object = jsonObjectOfLine(line);
    InterchangeRecord r;
    r.task = options.task;
    const auto question = textAt(object, mapping, "question");
    if (!question || text::trim(*question).empty())
        throwFieldError(mapping.paths.at("question"), "(the question) is missing or empty");
    r.question = *question;
    r.id = textAt(object, mapping, "id").value_or(questionId(r.question));
    r.gold = textAt(object, mapping, "gold").value_or("");
    // GSM8K's published answer is the worked solution and "#### 18": the number is the gold, the solution a human
    // rationale.
    std::optional<std::string> solution;
    if (const size_t hashes = r.gold.rfind("#### ");
        hashes != std::string::npos && (hashes == 0 || r.gold[hashes - 1] == '\n')) {
        solution = std::string(text::trim(std::string_view(r.gold).substr(0, hashes)));
        std::string number(text::trim(std::string_view(r.gold).substr(hashes + 5)));
        number.erase(std::remove(number.begin(), number.end(), ','), number.end());
        r.gold = number;
        char* end = nullptr;
        (void)std::strtod(number.c_str(), &end);
        if (!number.empty() && end && *end == '\0')
            r.answerKind = "number";
    }
    r.split = textAt(object, mapping, "split").value_or(options.split);
    if (!isKnownSplit(r.split))
        throwFieldError(mapping.paths.count("split") ? mapping.paths.at("split") : "split",
                        "is '" + r.split + "': expected train, dev, test or contrast");
    const auto rationale = textAt(object, mapping, "rationale");
    const auto thinking = textAt(object, mapping, "thinking");
    if (thinking && !text::trim(*thinking).empty())
        r.rationale = text::joinReasoning(*thinking, rationale.value_or(""));
    else if (rationale && !text::trim(*rationale).empty())
        r.rationale = *rationale;
    if (r.rationale) {
        r.teacher = textAt(object, mapping, "model").value_or(options.teacher);
        if (r.teacher->empty())
            r.teacher.reset();
        if (!options.source.empty())
            r.source = options.source;
    }
    if (solution && !solution->empty()) {
        InterchangeRecord human = r;
        human.rationale = *solution;
        human.teacher.reset();
        human.sourceKind = "human";
        human.source = "the gold answer's worked solution (before ####)";
        out.push_back(std::move(r));
        out.push_back(std::move(human));
        return;
    }
    out.push_back(std::move(r));
}

} // namespace cotlab::ingest
