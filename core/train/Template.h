#pragma once

// Prompt/target templates that turn a stored instance and rationale into a training example (no torch, no Qt).
#include "store/Records.h"

#include <string>
#include <vector>

namespace cotlab::train {

enum class TargetFormat {
    ChainOfThought, // " {rationale} So the answer is {answer}." (Fine-tune-CoT, SCoTD)
    LabelOnly,      // " The answer is {gold}." (the no-CoT baseline)
    // Socratic CoT: a rationale written as sub-questions ("Q1. ...", then its answer) becomes
    // " Sub-question 1: ... Sub-answer 1: ... So the answer is X."; rationales without sub-questions are left out.
    Socratic,
    // Distilling step-by-step: each rationale gives two examples, "[label] " + prompt -> the answer and
    // "[rationale] " + prompt -> the rationale; the student is evaluated on "[label] " + prompt.
    StepByStep,
};

// "cot", "label", "socratic" or "step-by-step"; Error otherwise.
TargetFormat targetFormatFromName(const std::string& name);
std::string targetFormatName(TargetFormat format);

struct Example {
    std::string prompt; // the question (and its choices) as the student sees it; no loss on it
    std::string target; // what the student learns to write after the prompt
};

// "Q: {question}\nAnswer Choices: (A) ... (B) ...\nA:" (the choices line only for multiple choice).
std::string formatPrompt(const store::InstanceRecord& instance);

// The answer as written after "the answer is": "(B)" for a choice, the text otherwise.
std::string formatAnswer(const store::InstanceRecord& instance, const std::string& answer);

// The prompt a student trained with 'format' is evaluated on.
std::string evaluationPrompt(const store::InstanceRecord& instance, TargetFormat format);

// True when the rationale is written as numbered sub-questions ("Q1. ...") with their answers.
bool hasSubQuestions(const std::string& rationale);

// The training examples of one rationale (of an instance, for LabelOnly: pass nullptr): one for each format,
// two for StepByStep, none for a Socratic rationale without sub-questions.
std::vector<Example> formatExamples(const store::InstanceRecord& instance, const store::RationaleRecord* rationale,
                                    TargetFormat format);

// A training example. ChainOfThought needs a rationale: its text, then "So the answer is X." unless the text
// already ends by stating the answer (codex samples do); X is the rationale's answer, else the gold answer.
Example formatExample(const store::InstanceRecord& instance, const store::RationaleRecord* rationale,
                      TargetFormat format);

} // namespace cotlab::train
