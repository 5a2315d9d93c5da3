#pragma once

// Prompt/target templates that turn a stored instance and rationale into a training example (no torch, no Qt).
#include "store/Records.h"

#include <string>

namespace cotlab::train {

enum class TargetFormat {
    ChainOfThought, // " {rationale} So the answer is {answer}." (Fine-tune-CoT, SCoTD, Socratic sub-questions)
    LabelOnly,      // " The answer is {gold}." (the no-CoT baseline)
};

TargetFormat targetFormatFromName(const std::string& name); // "cot" or "label"; Error otherwise
std::string targetFormatName(TargetFormat format);

struct Example {
    std::string prompt; // the question (and its choices) as the student sees it; no loss on it
    std::string target; // what the student learns to write after the prompt
};

// "Q: {question}\nAnswer Choices: (A) ... (B) ...\nA:" (the choices line only for multiple choice).
std::string formatPrompt(const store::InstanceRecord& instance);

// The answer as written after "the answer is": "(B)" for a choice, the text otherwise.
std::string formatAnswer(const store::InstanceRecord& instance, const std::string& answer);

// A training example. ChainOfThought needs a rationale: its text, then "So the answer is X." unless the text
// already ends by stating the answer (codex samples do); X is the rationale's answer, else the gold answer.
Example formatExample(const store::InstanceRecord& instance, const store::RationaleRecord* rationale,
                      TargetFormat format);

} // namespace cotlab::train
