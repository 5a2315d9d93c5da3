#pragma once

// A trained student out of CoTLab (the Export page; cotlab-cli convert and merge do the same from the command
// line): a Hugging Face folder that transformers, vLLM and llama.cpp's converter read (a LoRA adapter folded into
// its base), or a LoRA run's PEFT adapter folder as it is. Torch-free header: the GUI includes it.
#include <string>

namespace cotlab::train {

enum class StudentExportKind { HfFolder, Adapter };

// `student` is a run's final/ folder (a Hugging Face folder, or a PEFT adapter naming its base); `out` must be
// new or empty. Returns a one-line summary of what was written. Error naming the folder when `out` is not empty,
// when an adapter is asked of a run that fine-tuned every weight, or when the student cannot be read.
std::string exportStudent(const std::string& student, const std::string& out, StudentExportKind kind);

} // namespace cotlab::train
