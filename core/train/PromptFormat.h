#pragma once

// Prompt formats: how a stored question and rationale become a training example (prompt, then target) and what
// the trained student is asked at evaluation. A format is data, a JSON file of Jinja templates: the built-in ones
// are resources/templates/*.json (embedded at build time), and any file of the same shape can be chosen per run,
// per evaluation and per corpus export. docs/prompt-formats.md documents the shape, the variables and each
// built-in format's source. No torch, no Qt.
#include "store/Records.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace cotlab::text {
class JinjaTemplate;
}

namespace cotlab::train {

struct Example {
    std::string prompt;        // the question (and its choices) as the student sees it
    std::string target;        // what the student learns to write after the prompt
    bool lossOnPrompt = false; // the format's "loss": "prompt and target" (default: the target only)
    // A chat format's example is a conversation: prompt and target are the user and the assistant message (and
    // system the system message, '' for none) until applyChatTemplate lays them out with the student's chat
    // template; then 'templated' says that they are the template's text, special tokens written out.
    bool chat = false;
    std::string system;
    bool templated = false;
};

class PromptFormat {
public:
    // Parses a format definition; any error (not JSON, a missing or unknown field, a template Jinja cannot parse)
    // throws Error naming 'origin' (a file) and the field.
    static PromptFormat fromJson(const std::string& definition, const std::string& origin);
    static PromptFormat fromFile(const std::filesystem::path& file);

    const std::string& name() const { return m_name; }               // "cot"
    const std::string& title() const { return m_title; }             // "Chain of thought"
    const std::string& description() const { return m_description; } // one line: what the target holds
    const std::string& source() const { return m_source; }           // the paper or code it follows
    const std::string& definition() const { return m_definition; }   // the JSON text it was read from
    const std::string& origin() const { return m_origin; }           // "built-in" or the file
    bool builtIn() const { return m_origin == "built-in"; }

    // False for formats whose target is the gold answer alone (label only): one example per question.
    bool usesRationales() const { return m_usesRationales; }
    // True for formats whose prompt and target are a user and an assistant message laid out by the student's chat
    // template ("chat_template": true); the evaluation prompt is then the user message.
    bool usesChatTemplate() const { return m_chat; }
    // The system message of a chat format ('' : none).
    std::string systemMessage(const store::InstanceRecord& instance) const;

    // The training examples of one rationale (of a question, when the format does not use rationales: pass
    // nullptr): one per entry of the format's "examples" whose "when" variable is set (a Socratic format skips
    // rationales without sub-questions, Distilling step-by-step gives two).
    std::vector<Example> examples(const store::InstanceRecord& instance, const store::RationaleRecord* rationale) const;

    // What a student trained with this format is asked at evaluation, and where its answer is.
    std::string evaluationPrompt(const store::InstanceRecord& instance) const;
    const std::vector<std::string>& stopStrings() const { return m_stop; }
    // The part of a generated text the answer is read from: after the last "answer_after" marker when the format
    // has one and the text holds it; "" otherwise (the extractor then reads the whole text).
    std::string answerSentence(const std::string& generated) const;
    // Tokens to generate at evaluation: the format's "max_new_tokens", 0 for automatic (the longest rationale).
    int64_t maxNewTokens() const { return m_maxNewTokens; }

private:
    friend const std::vector<PromptFormat>& builtInPromptFormats();
    struct ExampleTemplate {
        std::shared_ptr<const text::JinjaTemplate> prompt, target;
        std::string when; // a variable that must be non-empty for the example to be made ('' : always)
    };
    std::string m_name, m_title, m_description, m_source, m_definition, m_origin;
    bool m_usesRationales = true;
    bool m_lossOnPrompt = false;
    bool m_chat = false;
    std::shared_ptr<const text::JinjaTemplate> m_system;
    std::vector<ExampleTemplate> m_examples;
    std::shared_ptr<const text::JinjaTemplate> m_evaluationPrompt;
    std::vector<std::string> m_stop;
    std::string m_answerAfter;
    int64_t m_maxNewTokens = 0;
};

// The formats of resources/templates, by name: cot first (the default), then in the order of their files.
const std::vector<PromptFormat>& builtInPromptFormats();

// The default format, cot (the built-in chain-of-thought format).
const PromptFormat& defaultPromptFormat();

// A built-in format by name, or a format file (a path ending in .json); Error names the built-ins otherwise.
PromptFormat findPromptFormat(const std::string& nameOrFile);

// The format a run or an evaluation recorded: its definition when recorded (so a run is evaluated with the format
// it was trained with even if the file changed), else the built-in of that name (runs before formats were data).
PromptFormat recordedPromptFormat(const std::string& name, const std::string& definition);

// The answer as written after "the answer is": "(B)" for a choice, the text otherwise.
std::string formatAnswer(const store::InstanceRecord& instance, const std::string& answer);

// True when the rationale is written as numbered sub-questions ("Q1. ...") with their answers.
bool hasSubQuestions(const std::string& rationale);

} // namespace cotlab::train
