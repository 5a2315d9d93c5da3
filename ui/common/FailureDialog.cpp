#include "common/FailureDialog.h"

#include <QMessageBox>

namespace cotlab::ui {

void showFailureDialog(QWidget* parent, const QString& title, const QString& reason)
{
    auto* box = new QMessageBox(QMessageBox::Warning, title, title, QMessageBox::Ok, parent);
    box->setObjectName("failureDialog");
    box->setAttribute(Qt::WA_DeleteOnClose);
    // The first line is the reason; anything after it (a stack of causes) goes under "Show Details".
    const QString first = reason.section('\n', 0, 0).trimmed();
    box->setInformativeText(first.isEmpty() ? QObject::tr("No reason was given.") : first);
    if (reason.contains('\n'))
        box->setDetailedText(reason);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Wide enough for a path and its reason on a few lines (QMessageBox sizes itself to its labels).
    box->setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 32em; }");
    box->setWindowModality(Qt::WindowModal);
    box->open();
}

} // namespace cotlab::ui
