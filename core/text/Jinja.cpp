#include "text/Jinja.h"

#include "util/Error.h"

#include <ctime>
#include <minja/minja.hpp>

namespace cotlab::text {

JinjaTemplate::JinjaTemplate(const std::string& source, std::string origin, JinjaOptions options)
    : m_source(source), m_origin(std::move(origin)), m_strftimeNow(options.strftimeNow)
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
        auto values = minja::Value(context);
        if (m_strftimeNow)
            values.set("strftime_now",
                       minja::Value::callable([](const std::shared_ptr<minja::Context>&, minja::ArgumentsValue& args) {
                           args.expectArgs("strftime_now", {1, 1}, {0, 0});
                           const std::time_t now = std::time(nullptr);
                           std::tm local{};
                           localtime_r(&now, &local);
                           char text[256];
                           const size_t n =
                               std::strftime(text, sizeof text, args.args[0].get<std::string>().c_str(), &local);
                           return minja::Value(std::string(text, n));
                       }));
        return m_root->render(minja::Context::make(std::move(values), kBuiltins));
    } catch (const std::exception& e) {
        throw Error(m_origin + ": " + e.what());
    }
}

} // namespace cotlab::text
