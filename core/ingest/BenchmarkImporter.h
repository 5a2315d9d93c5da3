#pragma once

#include "answers/AnswerKind.h"
#include "ingest/InterchangeRecord.h"
#include "jobs/Progress.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::ingest {

class RecordSink;
struct ImportOptions;

// Imports a Fine-tune-CoT benchmark file (a JSON array of {question, answer} with optional human-written
// "rationale" or "reasoning") with its train/test split indices from splits/<task>__default.json. Choices
// written inline ("... Answer choices: (A) ignore, (B) enforce.") become the instance's choices.
class BenchmarkImporter {
public:
    static int64_t run(const std::string& path, const ImportOptions& options, RecordSink& sink,
                       const jobs::ProgressSink& progress, const jobs::StopToken* stop);
    static std::vector<PreviewRecord> preview(const std::string& path, const ImportOptions& options,
                                              size_t maxRecords); // Importer::preview

    // Task name from a file name: "gsm8k_test_only.json" -> "gsm8k".
    static std::string taskFromPath(const std::string& path);
    // The answer kind of a known benchmark task, or nullopt.
    static std::optional<answers::AnswerKind> knownAnswerKind(std::string_view task);
    // A benchmark element's instance as the import stores it: id "<task>-<index>", choices split off the question,
    // a yes/no gold lower-cased. Fine-tune-CoT's completion files name the same instances.
    static InterchangeRecord instanceOf(const std::string& question, const std::string& gold, const std::string& task,
                                        std::optional<answers::AnswerKind> kind, int64_t index);
    // Index -> split from a Fine-tune-CoT split file ({"train": [i...], "test": [j...]}); Error naming the file.
    static std::map<int64_t, std::string> readSplitFile(const std::string& path);
    // Splits "stem Answer choices: (A) x, (B) y." into stem and choices; false when there are no choices.
    static bool splitInlineChoices(std::string_view question, std::string& stem, std::vector<answers::Choice>& choices);
};

} // namespace cotlab::ingest
