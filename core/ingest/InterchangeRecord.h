#pragma once

#include "answers/AnswerKind.h"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::ingest {

// One line of the rationale interchange format (shared/formats/rationale-interchange.md, version 1).
// Also the in-memory shape every importer produces.
struct InterchangeRecord {
    // Instance fields.
    std::string task;
    std::string id;
    std::string question;
    std::string gold;
    std::string split = "train";
    std::optional<std::string> answerKind;
    bool hasChoices = false;
    std::vector<answers::Choice> choices;

    // Rationale fields; rationale absent means a plain dataset row.
    std::optional<std::string> rationale;
    std::optional<std::string> answer;
    std::optional<std::string> answerSentence;
    std::vector<std::string> stop;
    std::optional<int64_t> sample;
    std::optional<std::string> teacher;
    std::optional<std::string> prompt;
    std::optional<std::string> decoding;
    std::optional<double> temperature;
    std::optional<double> logprob;
    std::optional<int64_t> tokens;
    std::optional<std::string> source;
    std::string sourceKind = "teacher"; // CoTLab extension field "source_kind"
    std::string metaJson;               // "" when empty; else a JSON object with unknown fields merged in

    // Formats without their questions (API outputs joined by custom_id): task and id name an instance already in
    // the workspace, which gives the question, gold, choices and split; the instance fields above are left empty.
    bool joinStored = false;
    // Formats that do not say a question's split (Fine-tune-CoT's completion files): a stored instance keeps its own,
    // a new one gets 'split'.
    bool splitGiven = true;

    // Parses one line. Throws std::invalid_argument with the reason (no file or line: the caller adds them).
    static InterchangeRecord parse(std::string_view line);
};

// One record of a file as an import would read it, for a preview before anything is stored.
struct PreviewRecord {
    std::string place;                       // "line 12" or "element 3"
    std::optional<InterchangeRecord> record; // what would be stored; empty when refused
    std::string error;                       // why it would be refused ("" when it would not)
};

// train, dev, test or contrast.
bool isKnownSplit(std::string_view split);
// A split as published sets name it: "validation" and "val" are dev; nullopt for a name that is no known split.
std::optional<std::string> splitNamed(std::string_view name);

// Serialises a choices list as stored: [{"label": .., "text": ..}, ...].

} // namespace cotlab::ingest
