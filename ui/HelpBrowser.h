#pragma once

// Help > User Guide: the documentation that ships with CoTLab (share/cotlab/docs beside the installed program,
// else the source tree's docs/), Markdown rendered in a window with Back, Forward and Contents; links between
// pages follow. Help > Keyboard Shortcuts: every menu action with its shortcut, read from the menus themselves.
#include <QDialog>

class QMenuBar;
class QTextBrowser;

namespace cotlab::ui {

class HelpBrowser : public QDialog {
    Q_OBJECT

public:
    explicit HelpBrowser(QWidget* parent = nullptr);
    // The docs folder, or '' when neither the installed nor the source tree's is there.
    static QString docsFolder();
    void showPage(const QString& page); // e.g. "user-guide.md"
    QTextBrowser* browser() const { return m_text; }

private:
    QTextBrowser* m_text;
};

// A dialog listing the menus' actions that have a shortcut: menu, action, keys.
void showShortcuts(QWidget* parent, const QMenuBar* menus);

} // namespace cotlab::ui
