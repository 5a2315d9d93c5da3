#pragma once

#include <QString>

class QWidget;

namespace cotlab::test {

// Saves a grab of the widget as <COTLAB_SCREENSHOT_DIR>/<name> when that variable is set (how docs/screenshots are
// made); true when nothing was asked or the file was written.
bool screenshot(QWidget& widget, const QString& name);

} // namespace cotlab::test
