#include "CommandLine.h"

#include "util/Error.h"

namespace cotlab::cli {

CLI::App* CommandLine::add(const std::string& name, const std::string& description, std::function<int()> run,
                           CLI::App* parent)
{
    CLI::App* command = (parent ? parent : &m_app)->add_subcommand(name, description);
    m_commands.emplace_back(command, std::move(run));
    return command;
}

CLI::App* CommandLine::group(const std::string& name, const std::string& description)
{
    CLI::App* command = m_app.add_subcommand(name, description);
    command->require_subcommand(1);
    return command;
}

const std::string& CommandLine::workspace() const
{
    if (m_workspace.empty())
        throw Error("no workspace: pass --workspace FILE (or set COTLAB_WORKSPACE)");
    return m_workspace;
}

int CommandLine::runChosen() const
{
    // A group's own runner (evals) runs only when none of its sub-commands was chosen: look at the deepest first.
    for (auto it = m_commands.rbegin(); it != m_commands.rend(); ++it)
        if (it->first->parsed())
            return it->second();
    return 0;
}

} // namespace cotlab::cli
