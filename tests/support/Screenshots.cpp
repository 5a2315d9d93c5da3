#include "support/Screenshots.h"

#include <QPixmap>
#include <QWidget>

namespace cotlab::test {

bool screenshot(QWidget& widget, const QString& name)
{
    const QString dir = qEnvironmentVariable("COTLAB_SCREENSHOT_DIR");
    return dir.isEmpty() || widget.grab().save(dir + "/" + name);
}

} // namespace cotlab::test
