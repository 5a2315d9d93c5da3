// A prompt format file (train/PromptFormat: JSON with Jinja templates), as given to --template FILE or opened on the
// Train, Evaluate and Export pages; what is read is rendered on a question and rationale as a run would.
#include "FuzzInput.h"
#include "train/PromptFormat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto format = cotlab::train::PromptFormat::fromJson(std::string(cotlab::fuzz::text(data, size)), "fuzz");
        cotlab::store::InstanceRecord instance;
        instance.question = "How many legs do 3 spiders have?";
        instance.gold = "24";
        instance.answerKind = "number";
        cotlab::store::RationaleRecord rationale;
        rationale.text = "Each spider has 8 legs, so 3 x 8 = 24.";
        format.examples(instance, &rationale);
        format.evaluationPrompt(instance);
        format.answerSentence(rationale.text);
    } catch (const cotlab::Error&) {
    }
    return 0;
}
