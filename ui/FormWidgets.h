#pragma once

// Small pieces the pages' forms and plots share.
#include <QColor>

class QLineEdit;
class QSpinBox;
class QWidget;

namespace cotlab::ui {

QSpinBox* spinBox(int min, int max, int value);

// The line edit with a "…" button beside it that picks a folder (or a file) into it.
QWidget* pathField(QLineEdit* edit, bool folder, QWidget* dialogParent);

// The k-th colour of the plots' series (matplotlib's tab10, cycling).
QColor seriesColor(int k);

} // namespace cotlab::ui
