#include "ingest/BenchmarkImporter.h"

#include "ingest/Importer.h"
#include "ingest/InterchangeRecord.h"
#include "ingest/JsonDocument.h"
#include "ingest/RecordSink.h"
#include "util/Error.h"
#include "util/Text.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace cotlab::ingest {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Index -> split from a Fine-tune-CoT split file ({"train": [i...], "test": [j...]}).
std::map<int64_t, std::string> readSplits(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw Error(path + ": cannot open split file");
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        throw Error(path + ": invalid JSON: " + e.what());
    }
    if (!doc.is_object())
        throw Error(path + ": a split file must be an object {\"train\": [...], \"test\": [...]}");
    std::map<int64_t, std::string> out;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        const auto split = splitNamed(it.key());
        if (!split)
            throw Error(path + ": unknown split '" + it.key() + "'");
        if (!it->is_array())
            throw Error(path + ": split '" + it.key() + "' must be an array of indices");
        for (const json& i : *it) {
            if (!i.is_number_integer())
                throw Error(path + ": split '" + it.key() + "' holds a non-integer index");
            out[i.get<int64_t>()] = *split;
        }
    }
    return out;
}

std::string stringField(const json& obj, const char* field, const std::string& where, bool required)
{
    const auto it = obj.find(field);
    if (it == obj.end() || it->is_null()) {
        if (required)
            throw Error(where + ": missing required field '" + field + "'");
        return {};
    }
    if (it->is_string())
        return it->get<std::string>();
    if (it->is_number() || it->is_boolean())
        return it->dump();
    throw Error(where + ": field '" + field + "' must be a string, not " + it->type_name());
}

} // namespace

std::string BenchmarkImporter::taskFromPath(const std::string& path)
{
    std::string stem = fs::path(path).stem().string();
    for (std::string_view suffix : {"_test_only", "_test", "_train"})
        if (stem.size() > suffix.size() && stem.ends_with(suffix))
            return stem.substr(0, stem.size() - suffix.size());
    return stem;
}

std::optional<answers::AnswerKind> BenchmarkImporter::knownAnswerKind(std::string_view task)
{
    using K = answers::AnswerKind;
    static const std::map<std::string_view, K> kKinds = {
        {"commonsense_qa", K::Choice},
        {"date_understanding", K::Choice},
        {"tracking_shuffled_objects", K::Choice},
        {"aqua", K::Choice},
        {"strategy_qa", K::YesNo},
        {"coin_flip", K::YesNo},
        {"multiarith", K::Number},
        {"addsub", K::Number},
        {"single_eq", K::Number},
        {"svamp", K::Number},
        {"gsm8k", K::Number},
        {"last_letter_concatenation", K::Text},
    };
    const auto it = kKinds.find(task);
    if (it == kKinds.end())
        return std::nullopt;
    return it->second;
}

bool BenchmarkImporter::splitInlineChoices(std::string_view question, std::string& stem,
                                           std::vector<answers::Choice>& choices)
{
    const size_t at = text::rfindIgnoreCase(question, "Answer choices:");
    if (at == std::string_view::npos)
        return false;
    std::string_view head = text::trim(question.substr(0, at));
    constexpr std::string_view kPrompt = "Which choice is true?";
    if (head.size() >= kPrompt.size() && head.ends_with(kPrompt))
        head = text::trim(head.substr(0, head.size() - kPrompt.size()));
    std::string_view rest = question.substr(at + std::string_view("Answer choices:").size());

    // "(A) text, (B) text, ... (E) text." -- a label is "(X)" at the start or after ", ".
    std::vector<std::pair<size_t, size_t>> marks; // (position of '(', position after ')')
    for (size_t i = 0; i + 2 < rest.size(); ++i) {
        if (rest[i] != '(' || rest[i + 2] != ')')
            continue;
        const char c = rest[i + 1];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            continue;
        const std::string_view before = text::trim(rest.substr(0, i));
        if (!marks.empty() && !before.ends_with(','))
            continue;
        marks.emplace_back(i, i + 3);
    }
    if (marks.empty())
        return false;
    choices.clear();
    for (size_t k = 0; k < marks.size(); ++k) {
        const size_t end = k + 1 < marks.size() ? marks[k + 1].first : rest.size();
        std::string_view t = text::trim(rest.substr(marks[k].second, end - marks[k].second));
        if (k + 1 < marks.size() && t.ends_with(','))
            t.remove_suffix(1);
        else if (k + 1 == marks.size() && t.ends_with('.'))
            t.remove_suffix(1);
        choices.push_back({std::string(1, rest[marks[k].first + 1]), std::string(text::trim(t))});
    }
    stem = std::string(head);
    return true;
}

InterchangeRecord BenchmarkImporter::instanceOf(const std::string& question, const std::string& gold,
                                                const std::string& task, std::optional<answers::AnswerKind> kind,
                                                int64_t index)
{
    InterchangeRecord r;
    r.task = task;
    r.id = task + "-" + std::to_string(index);
    r.gold = gold;
    if (kind)
        r.answerKind = std::string(answers::toString(*kind));
    if (kind == answers::AnswerKind::YesNo)
        r.gold = text::toLower(text::trim(r.gold));
    std::string stem;
    if ((!kind || kind == answers::AnswerKind::Choice) && splitInlineChoices(question, stem, r.choices)) {
        r.question = stem;
        r.hasChoices = true;
    } else {
        r.question = question;
    }
    return r;
}

std::map<int64_t, std::string> BenchmarkImporter::readSplitFile(const std::string& path)
{
    return readSplits(path);
}

namespace {

// The split of each element by index, from the split file given or found beside the benchmark (Fine-tune-CoT's
// splits/<task>__default.json); empty, with a warning, when there is none.
std::map<int64_t, std::string> splitsFor(const std::string& path, const std::string& task, const ImportOptions& options,
                                         RecordSink& sink, std::string& splitsPath)
{
    if (options.splitsFile) {
        splitsPath = *options.splitsFile;
    } else {
        const fs::path candidate = fs::path(path).parent_path() / "splits" / (task + "__default.json");
        std::error_code ec;
        if (fs::exists(candidate, ec))
            splitsPath = candidate.string();
    }
    if (!splitsPath.empty())
        return readSplits(splitsPath);
    sink.report().warnings.push_back(path + ": no split file (splits/" + task +
                                     "__default.json); all instances are marked 'train'");
    return {};
}

// One element {question, answer[, rationale | reasoning]} as an instance record (choices split off an inline
// "Answer Choices:" list), and the human rationales it ships with.
std::vector<InterchangeRecord> recordsOf(const json& element, const std::string& task,
                                         std::optional<answers::AnswerKind> kind, int64_t index,
                                         const std::string& where, const std::string& fileName)
{
    if (!element.is_object())
        throw Error(where + ": expected an object {question, answer}, not " + element.type_name());
    const InterchangeRecord r = BenchmarkImporter::instanceOf(
        stringField(element, "question", where, true), stringField(element, "answer", where, true), task, kind, index);
    std::vector<InterchangeRecord> out{r};
    // Human-written rationales shipped with the benchmark (StrategyQA facts, GSM8K solutions).
    for (const char* field : {"rationale", "reasoning"}) {
        const std::string human = stringField(element, field, where, false);
        if (text::trim(human).empty())
            continue;
        InterchangeRecord h = r;
        h.rationale = human;
        h.sourceKind = "human";
        h.sample = 0;
        h.source = "benchmark file " + fileName + " field '" + field + "'";
        out.push_back(std::move(h));
    }
    return out;
}

} // namespace

std::vector<PreviewRecord> BenchmarkImporter::preview(const std::string& path, const ImportOptions& options,
                                                      size_t maxRecords)
{
    const std::string task = options.task.value_or(taskFromPath(path));
    const auto kind = knownAnswerKind(task);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {{"", std::nullopt, path + ": cannot open"}};
    std::vector<PreviewRecord> out;
    int64_t index = 0;
    bool topLevelArray = false;
    struct Enough {};
    json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth == 0 && event == json::parse_event_t::array_start)
            topLevelArray = true;
        const bool elementEnd = event == json::parse_event_t::object_end || event == json::parse_event_t::array_end ||
                                (event == json::parse_event_t::value && !parsed.is_structured());
        if (depth != 1 || !topLevelArray || !elementEnd)
            return true;
        const std::string place = "element " + std::to_string(index + 1);
        try {
            for (auto& r : recordsOf(parsed, task, kind, index, place, fs::path(path).filename().string()))
                out.push_back({place, std::move(r), {}});
        } catch (const Error& e) {
            out.push_back({place, std::nullopt, e.what()});
        }
        ++index;
        if (out.size() >= maxRecords)
            throw Enough{};
        return false;
    };
    try {
        const json ignored = json::parse(in, cb);
        (void)ignored;
        if (!topLevelArray)
            out.push_back({"", std::nullopt, "a benchmark file must be a JSON array of {question, answer} objects"});
    } catch (const Enough&) {
    } catch (const json::exception& e) {
        out.push_back({"", std::nullopt, "invalid JSON: " + jsonParseErrorText(e)});
    }
    return out;
}

int64_t BenchmarkImporter::run(const std::string& path, const ImportOptions& options, RecordSink& sink,
                               const jobs::ProgressSink& progress, const jobs::StopToken* stop)
{
    const std::string task = options.task.value_or(taskFromPath(path));
    const auto kind = knownAnswerKind(task);
    std::string splitsPath;
    const auto splits = splitsFor(path, task, options, sink, splitsPath);
    // A "_test_only" file holds just the test part of a benchmark whose split file indexes the whole of it.
    const bool testOnly = fs::path(path).stem().string().ends_with("_test_only");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open");
    const auto fileSize = fs::file_size(path);
    int64_t index = 0;
    bool topLevelArray = false;

    auto handle = [&](const json& element) {
        const std::string where = path + ": element " + std::to_string(index + 1);
        std::string split;
        if (testOnly)
            split = "test";
        else if (const auto it = splits.find(index); it != splits.end())
            split = it->second;
        else if (!splits.empty())
            sink.report().warnings.push_back(where + ": index " + std::to_string(index) + " is in no split of " +
                                             splitsPath + "; marked 'train'");
        std::vector<InterchangeRecord> records;
        try {
            records = recordsOf(element, task, kind, index, where, fs::path(path).filename().string());
        } catch (const Error& e) {
            if (!sink.keepsGoodRecords())
                throw;
            const std::string reason = e.what();
            sink.refuse(where, reason.rfind(where + ": ", 0) == 0 ? reason.substr(where.size() + 2) : reason);
        }
        for (auto& r : records) {
            if (!split.empty())
                r.split = split;
            sink.tryAdd(r, where);
        }
        ++index;
        if ((index & 1023) == 0) {
            if (stop && stop->stopRequested())
                throw jobs::Cancelled();
            if (progress)
                progress({"Importing " + path, static_cast<uint64_t>(in.tellg()), fileSize});
        }
    };

    // Streams the array: each element is handled and discarded as soon as it is complete.
    json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth == 0 && event == json::parse_event_t::array_start)
            topLevelArray = true;
        const bool elementEnd = event == json::parse_event_t::object_end || event == json::parse_event_t::array_end ||
                                (event == json::parse_event_t::value && !parsed.is_structured());
        if (depth == 1 && topLevelArray && elementEnd) {
            handle(parsed);
            return false;
        }
        return true;
    };
    try {
        const json rest = json::parse(in, cb);
        if (!topLevelArray)
            throw Error(path + ": a benchmark file must be a JSON array of {question, answer} objects");
        (void)rest;
    } catch (const json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        throw Error(path + ": invalid JSON: " + jsonParseErrorText(e));
    }
    if (progress)
        progress({"Importing " + path, fileSize, fileSize});
    return index;
}

} // namespace cotlab::ingest
