#include "text/Jinja.h"

#include "util/Error.h"

#include <minja/minja.hpp>

namespace cotlab::text {

JinjaTemplate::JinjaTemplate(const std::string& source, std::string origin, JinjaOptions options)
    : m_source(source), m_origin(std::move(origin))
{
    try {
        m_root = minja::Parser::parse(
            source,
            {.trim_blocks = options.trimBlocks, .lstrip_blocks = options.lstripBlocks, .keep_trailing_newline = false});
    } catch (const std::exception& e) {
        throw Error(m_origin + ": not a valid Jinja template: " + e.what());
    }
}

std::string JinjaTemplate::render(const nlohmann::ordered_json& context) const
{
    try {
        // Jinja's global functions and filters, built once per thread (minja builds them anew on every call to
        // builtins(), which cost ten times the render of a prompt format).
        thread_local const std::shared_ptr<minja::Context> kBuiltins = minja::Context::builtins();
        return m_root->render(minja::Context::make(minja::Value(context), kBuiltins));
    } catch (const std::exception& e) {
        throw Error(m_origin + ": " + e.what());
    }
}

} // namespace cotlab::text
