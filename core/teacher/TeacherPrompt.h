#pragma once

// The prompts a teacher is sent: zero-shot-CoT (Kojima et al. 2022), few-shot CoT with a task's exemplars, Socratic
// sub-questions, or a custom text; and zero-shot-CoT's answer trigger per answer kind.
#include "store/Records.h"

#include <map>
#include <string>

namespace cotlab::teacher {

enum class PromptStyle { ZeroShotCot, FewShot, Socratic, Custom };

struct PromptTemplate {
    PromptStyle style = PromptStyle::ZeroShotCot;
    std::string trigger = "Let's think step by step."; // zero-shot-CoT (Kojima et al. 2022)
    std::string custom;                                // Custom: text with {question} and {choices}
    std::string exemplarsFile;                         // FewShot: few_shot_cot_prompts.json ({task: {"prompt": ...}})
    bool extractAnswer = true; // ZeroShotCot: a second, greedy call reads the answer after the rationale
};

PromptStyle parsePromptStyle(const std::string& name); // zero-shot-cot, few-shot, socratic, custom
const char* promptStyleName(PromptStyle style);
// The exact prompt an instance is sent (throws Error when a few-shot task has no exemplars).
std::string buildPrompt(const PromptTemplate& prompt, const store::InstanceRecord& instance);
// Zero-shot-CoT's answer trigger for an answer kind ("Therefore, among A through E, the answer is", ...).
std::string answerTrigger(const store::InstanceRecord& instance);

// Builds prompts for many instances, reading a few-shot task's exemplars once.
class PromptBuilder {
public:
    explicit PromptBuilder(PromptTemplate prompt) : m_prompt(std::move(prompt)) {}
    std::string operator()(const store::InstanceRecord& instance);

private:
    PromptTemplate m_prompt;
    std::map<std::string, std::string> m_exemplars; // task -> few-shot prefix
};

} // namespace cotlab::teacher
