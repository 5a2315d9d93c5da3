#include "text/ChatTemplate.h"

#include "text/TokenizerJson.h"
#include "util/Error.h"

#include <fstream>
#include <sstream>

namespace cotlab::text {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

std::optional<std::string> readFile(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// tokenizer_config.json's chat_template: a string, or a list of {"name", "template"} of which "default" is the chat
// template (the others are for tool use or retrieval).
std::optional<std::string> templateOf(const json& value, const fs::path& file)
{
    if (value.is_null())
        return std::nullopt;
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_array()) {
        for (const auto& t : value)
            if (t.is_object() && t.value("name", json()).is_string() && t["name"] == "default" &&
                t.value("template", json()).is_string())
                return t["template"].get<std::string>();
        throw Error(file.string() + ": chat_template: a list of templates without one named \"default\"");
    }
    throw Error(file.string() + ": chat_template: expected a string or a list of {\"name\", \"template\"}");
}

const char* kProbeReasoning = "PROBE-REASONING-7f3a";
const char* kProbeReasoning2 = "PROBE-REASONING-2c9d";

} // namespace

std::optional<ChatTemplate> ChatTemplate::fromFolder(const fs::path& path)
{
    const fs::path folder = fs::is_directory(path) ? path : path.parent_path();
    std::string bos, eos;
    std::optional<std::string> source;
    fs::path origin;
    const fs::path configFile = folder / "tokenizer_config.json";
    if (const json config = readOptionalJsonFile(configFile.string()); !config.is_null()) {
        if (!config.is_object())
            throw Error(configFile.string() + ": expected a JSON object");
        bos = specialTokenText(config, "bos_token");
        eos = specialTokenText(config, "eos_token");
        if (config.contains("chat_template")) {
            source = templateOf(config["chat_template"], configFile);
            origin = configFile;
        }
    }
    // Newer folders keep the template in a file of its own, which wins over tokenizer_config.json's.
    if (const auto text = readFile(folder / "chat_template.jinja")) {
        source = *text;
        origin = folder / "chat_template.jinja";
    } else if (const json j = readOptionalJsonFile((folder / "chat_template.json").string()); !j.is_null()) {
        if (!j.is_object() || !j.contains("chat_template"))
            throw Error((folder / "chat_template.json").string() + ": expected {\"chat_template\": ...}");
        source = templateOf(j["chat_template"], folder / "chat_template.json");
        origin = folder / "chat_template.json";
    }
    if (!source)
        return std::nullopt;
    return ChatTemplate(*source, bos, eos, origin.string());
}

ChatTemplate::ChatTemplate(const std::string& source, std::string bosToken, std::string eosToken,
                           const std::string& origin)
    : m_template(source, origin, {.trimBlocks = true, .lstripBlocks = true, .strftimeNow = true}),
      m_bos(std::move(bosToken)), m_eos(std::move(eosToken))
{
    m_reasoning = probeReasoning();
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt,
                                 const ordered_json& extra) const
{
    ordered_json context = ordered_json::object();
    ordered_json list = ordered_json::array();
    for (const auto& m : messages)
        list.push_back({{"role", m.role}, {"content", m.content}});
    context["messages"] = std::move(list);
    context["add_generation_prompt"] = addGenerationPrompt;
    context["bos_token"] = m_bos;
    context["eos_token"] = m_eos;
    if (extra.is_object())
        for (const auto& [key, value] : extra.items())
            context[key] = value;
    return m_template.render(context);
}

ChatTemplate::Reasoning ChatTemplate::probeReasoning() const
{
    const auto thought = [](const char* probe, const char* answer) {
        return "<think>\n" + std::string(probe) + "\n</think>\n\n" + answer;
    };
    std::string twoTurns;
    try {
        twoTurns = render({{"user", "What is 1 + 1?"},
                           {"assistant", thought(kProbeReasoning, "2")},
                           {"user", "And 2 + 2?"},
                           {"assistant", thought(kProbeReasoning2, "4")}},
                          false);
    } catch (const Error&) {
        return Reasoning::Kept; // a template that refuses the probe: nothing known to be dropped
    }
    const bool first = twoTurns.find(kProbeReasoning) != std::string::npos;
    const bool last = twoTurns.find(kProbeReasoning2) != std::string::npos;
    if (!last)
        return Reasoning::Dropped;
    return first ? Reasoning::Kept : Reasoning::DroppedBeforeLastUser;
}

std::string reasoningName(ChatTemplate::Reasoning reasoning)
{
    switch (reasoning) {
    case ChatTemplate::Reasoning::Dropped:
        return "dropped";
    case ChatTemplate::Reasoning::DroppedBeforeLastUser:
        return "dropped before the last user turn";
    default:
        return "kept";
    }
}

} // namespace cotlab::text
