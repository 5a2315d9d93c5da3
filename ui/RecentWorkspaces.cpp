#include "RecentWorkspaces.h"

#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace cotlab::ui::recentWorkspaces {

namespace {

const char* const kKey = "workspace/recent";

} // namespace

QStringList list()
{
    return QSettings().value(kKey).toStringList();
}

void remember(const QString& path)
{
    QStringList recent = list();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > 10)
        recent.removeLast();
    QSettings().setValue(kKey, recent);
}

void fillMenu(QMenu* menu, const std::function<void(const QString&)>& open)
{
    menu->clear();
    const QStringList recent = list();
    for (int k = 0; k < recent.size(); ++k) {
        const QString path = recent[k];
        QAction* a = menu->addAction(QString("&%1 %2").arg((k + 1) % 10).arg(path), [open, path] { open(path); });
        a->setEnabled(QFileInfo::exists(path));
    }
    if (recent.isEmpty()) {
        menu->addAction(QObject::tr("(none yet)"))->setEnabled(false);
        return;
    }
    menu->addSeparator();
    menu->addAction(QObject::tr("Clear Menu"), [] { QSettings().remove(kKey); });
}

} // namespace cotlab::ui::recentWorkspaces
