#pragma once

// The ten workspaces opened last, newest first, kept in the application's settings (File > Open Recent).
#include <QStringList>
#include <functional>

class QMenu;

namespace cotlab::ui::recentWorkspaces {

QStringList list();
void remember(const QString& path);
// Fills the menu with the list (workspaces that no longer exist are greyed out) and "Clear Menu".
void fillMenu(QMenu* menu, const std::function<void(const QString&)>& open);

} // namespace cotlab::ui::recentWorkspaces
