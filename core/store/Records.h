#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cotlab::store {

// An instance as stored: a question of a task with its gold answer.
struct InstanceRecord {
    int64_t id = 0;
    std::string task;
    std::string extId;
    std::string split = "train";
    std::string question;
    std::optional<std::string> choicesJson; // JSON array of {label, text}
    std::string gold;
    std::string answerKind;
    std::optional<std::string> metaJson;
    int64_t importId = 0; // the import that added it (0 when unknown)
};

// A rationale as stored. Field meanings are those of db/migrations/0001_initial.sql.
struct RationaleRecord {
    int64_t id = 0;
    std::string sourceKind = "teacher";
    std::string model;
    int64_t sampleIndex = 0;
    std::string text;
    std::optional<std::string> textTail;
    uint64_t textHash = 0;
    std::optional<std::string> stopJson;
    std::optional<std::string> answerSentence;
    std::optional<std::string> answer;
    std::optional<std::string> extractedAnswer;
    std::optional<int64_t> correct;
    std::optional<int64_t> tokenCount;
    std::optional<double> logprob;
    std::optional<std::string> prompt;
    std::optional<std::string> decoding;
    std::optional<double> temperature;
    std::optional<std::string> provenance;
    std::optional<std::string> metaJson;
};

} // namespace cotlab::store
