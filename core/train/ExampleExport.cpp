#include "train/ExampleExport.h"

#include "util/Error.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace cotlab::train {

using nlohmann::json;

ExportShape exportShapeFromName(const std::string& name)
{
    if (name == "prompt-completion")
        return ExportShape::PromptCompletion;
    if (name == "chat")
        return ExportShape::Chat;
    throw Error("unknown export shape '" + name + "' (prompt-completion or chat)");
}

ExportCounts exportExamples(store::Database& db, const TrainingSelection& selection, const std::string& path,
                            ExportShape shape)
{
    SelectionCounts counts;
    const auto examples = collectExamples(db, selection, &counts);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw Error(path + ": cannot be written (check the folder exists and is writable)");
    for (const auto& e : examples) {
        json line;
        if (shape == ExportShape::PromptCompletion) {
            line = {{"prompt", e.prompt}, {"completion", e.target}};
        } else {
            // A chat format's messages as they are (the tool that trains applies the model's chat template).
            json messages = json::array();
            if (!e.system.empty())
                messages.push_back({{"role", "system"}, {"content", e.system}});
            messages.push_back({{"role", "user"}, {"content", e.prompt}});
            messages.push_back({{"role", "assistant"}, {"content", e.target}});
            line = {{"messages", std::move(messages)}};
        }
        out << line.dump() << '\n';
    }
    if (!out.flush())
        throw Error(path + ": write failed (disk full?)");
    return {int64_t(examples.size()), counts.usedInstances};
}

} // namespace cotlab::train
