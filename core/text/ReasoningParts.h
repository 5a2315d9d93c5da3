#pragma once

// The thinking and the final answer of a rationale, where its source marks them. Reasoning-era teachers write
// their thinking before the answer between markers, and CoTLab stores the rationale as written (so an export gives
// back the same text) and reads the two parts from the markers whenever it needs them: answer extraction reads the
// answer part, the Browse page shows the thinking apart, the full-text index has a column for each, and prompt
// formats see both. No torch, no Qt.
#include <optional>
#include <string>
#include <string_view>

namespace cotlab::text {

enum class ReasoningMarkers {
    None,    // no markers: the whole text is the answer part
    Think,   // <think>…</think>answer (DeepSeek-R1 and its distilled students, QwQ, Qwen3, OpenThoughts)
    Thought, // <|begin_of_thought|>…<|end_of_thought|> <|begin_of_solution|>…<|end_of_solution|> (Bespoke-Stratos,
             // OpenThoughts-114k, Sky-T1)
    S1,      // <|im_start|>think … <|im_start|>answer …<|im_end|> (s1, s1K)
};

std::string_view toString(ReasoningMarkers markers);

struct ReasoningParts {
    ReasoningMarkers markers = ReasoningMarkers::None;
    std::string_view thinking; // trimmed; "" without markers (and for an empty <think></think>)
    std::string_view answer;   // trimmed; the whole text without markers; "" when the trace stops before it
};

// The parts of a rationale (views into 'text'). Markers are looked for in the order of the enum after None; a
// trace cut off inside its thinking (an opening marker and no closing one) is all thinking and has no answer.
// R1-style students often write only the closing </think> (the chat template opened it): the text before it is
// the thinking.
ReasoningParts splitReasoning(std::string_view text);

// The full-text index's two columns for a rationale (migration 0009): its thinking (nullopt without markers) and
// its answer part (the whole text, as it is, without markers). One definition for the importer and the SQL
// functions the index's triggers call, so a row is always removed with the values it was indexed with.
struct SearchColumns {
    std::optional<std::string_view> thinking;
    std::string_view answer;
};
SearchColumns searchColumns(std::string_view text);

// The text CoTLab stores for a reasoning and an answer given apart (OpenAI-compatible `reasoning_content`, a
// dataset's thinking and answer columns): "<think>\n{thinking}\n</think>\n\n{answer}", which splitReasoning reads
// back to the same two parts (trimmed). An empty thinking gives the answer alone.
std::string joinReasoning(std::string_view thinking, std::string_view answer);

} // namespace cotlab::text
