#pragma once

// Jinja templates (Google's minja, core/third_party/minja): the prompt formats of resources/templates and the
// chat templates of model folders. No torch, no Qt.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace minja {
class TemplateNode;
}

namespace cotlab::text {

struct JinjaOptions {
    // Hugging Face renders chat templates with trim_blocks and lstrip_blocks on; Jinja's defaults (both off) keep
    // every character of a one-line template, which is what prompt formats want.
    bool trimBlocks = false;
    bool lstripBlocks = false;
    // strftime_now(format), the local time as transformers gives it to chat templates (Llama 3's system header).
    bool strftimeNow = false;
};

class JinjaTemplate {
public:
    // Parses 'source'; a syntax error throws Error naming 'origin' (a file, or file and field) and where.
    JinjaTemplate(const std::string& source, std::string origin, JinjaOptions options = {});

    // Renders with the variables of 'context' (a JSON object); an error while rendering (an undefined
    // variable's attribute, raise_exception) throws Error naming the origin.
    std::string render(const nlohmann::ordered_json& context) const;

    const std::string& source() const { return m_source; }
    const std::string& origin() const { return m_origin; }

private:
    std::string m_source;
    std::string m_origin;
    std::shared_ptr<minja::TemplateNode> m_root;
    bool m_strftimeNow = false;
};

} // namespace cotlab::text
