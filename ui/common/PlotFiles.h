#pragma once

// Saving the pages' QCustomPlot plots as PNG or PDF.
#include <QString>
#include <functional>

class QCustomPlot;
class QPushButton;
class QWidget;

namespace cotlab::ui {

// Writes the plot as PDF when the path ends in .pdf, else as PNG; false when the file cannot be written.
bool savePlot(QCustomPlot* plot, const QString& path);

// A "Save plot…" button (object name save-<name>) that asks for a PNG or PDF file, starting at
// <folder()>/<name>.png, saves the plot there and reports the outcome (message, error).
QPushButton* savePlotButton(QCustomPlot* plot, const QString& name, std::function<QString()> folder,
                            std::function<void(const QString&, bool)> report);

} // namespace cotlab::ui
