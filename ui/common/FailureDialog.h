#pragma once

// The dialog a failure opens (a training run, an evaluation, an import, opening a workspace): the whole reason, which
// names the file, line or setting and what to do (core's Error messages), where a status line would clip it.
// Window-modal but not blocking (open()), so the page keeps updating behind it; tests find it by its object name,
// "failureDialog".
#include <QString>

class QWidget;

namespace cotlab::ui {

void showFailureDialog(QWidget* parent, const QString& title, const QString& reason);

} // namespace cotlab::ui
