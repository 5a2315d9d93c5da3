#pragma once

#include "ingest/JsonDocument.h"

#include <istream>
#include <optional>
#include <string>

namespace cotlab::ingest {

// ThoughtSource JSON (OpenBioLink/ThoughtSource, libs/cot): {dataset: {split: [item]}}, each item a question
// ({id, question, type, choices, context, answer: [..], cot: [..]}) with its `generated_cot` list, one entry per
// generated chain of thought ({cot, answers: [{answer}], model, cot_trigger, author, ...}). The item becomes an
// instance (choices labelled A, B, ... in their order; the gold is the label of the answer's choice; `bool` items are
// yes/no), each generated CoT a teacher rationale (its extracted answer sentence kept as the answer sentence, its
// model's name as the teacher), the human-written `cot` sentences a human rationale.
class ThoughtSourceImporter {
public:
    // True for the first item of a ThoughtSource document (sniffJsonDocument): it has a `generated_cot` list.
    static bool isThoughtSource(const JsonDocumentSniff& sniff);
    // 'task' replaces the dataset names when given.
    static void read(std::istream& in, const std::optional<std::string>& task, const std::string& fileName,
                     const DocumentSink& sink);
};

} // namespace cotlab::ingest
