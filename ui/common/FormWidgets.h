#pragma once

// Small pieces the pages' forms and plots share.
#include <QColor>
#include <QStringList>
#include <string>

class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QString;
class QTableWidget;
class QWidget;

namespace cotlab::ui {

QSpinBox* spinBox(int min, int max, int value);
// A read-only table of results: whole rows selected, no row numbers, alternating row colours, the last column
// stretched; named for tests when a name is given.
QTableWidget* readOnlyTable(const QStringList& headers, const QString& name);

// A page's settings form in a scroll area, where the mouse wheel scrolls the form: spin boxes and combo boxes take
// the wheel only once clicked or tabbed into (a wheel passing over them no longer changes a setting).
QScrollArea* formScrollArea(QWidget* form);

// Saves the value of every named spin box, combo box (its text), line edit and check box under `form` to QSettings
// group `group`, but for the names in `skip`; restoreFormSettings puts saved values back (a combo box text only when
// it is still one of its items), so that a page opens with the settings of its last use.
void saveFormSettings(const QWidget* form, const QString& group, const QStringList& skip = {});
void restoreFormSettings(QWidget* form, const QString& group, const QStringList& skip = {});

// The folder a file dialog about a workspace starts in: the workspace's own folder, or the home folder when the
// workspace lives in CoTLab's hidden data folder (the demo's), which a user would not look for.
QString dialogFolder(const QString& workspacePath);

// The store's UTC timestamp ("2026-12-01T18:59:47Z" or "2026-12-01 18:59:47") in this machine's time zone, to the
// minute.
QString localTime(const std::string& utc);

// The line edit with a "…" button beside it that picks a folder (or a file) into it.
QWidget* pathField(QLineEdit* edit, bool folder, QWidget* dialogParent);

// The Start, Stop and "Resume selected" buttons of a page's background job (object names start, stop, resume; Start
// is the default button) in a row, and the message line shown below them (object name message), together in widget.
struct JobControls {
    QPushButton* start = nullptr;
    QPushButton* stop = nullptr;
    QPushButton* resume = nullptr;
    QLabel* message = nullptr;
    QWidget* widget = nullptr;
};
JobControls jobControls(const QString& startText);

// Shows text in a message line, in red for an error.
void showMessageIn(QLabel* line, const QString& text, bool error);

// The k-th colour of the plots' series (matplotlib's tab10, cycling).
QColor seriesColor(int k);

} // namespace cotlab::ui
