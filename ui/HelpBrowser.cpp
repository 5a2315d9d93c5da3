#include "HelpBrowser.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace cotlab::ui {

HelpBrowser::HelpBrowser(QWidget* parent) : QDialog(parent), m_text(new QTextBrowser)
{
    setWindowTitle(tr("CoTLab User Guide"));
    resize(900, 760);
    m_text->setObjectName("helpText");
    m_text->setOpenExternalLinks(true); // http links go to the browser; .md links stay here
    m_text->setSearchPaths({docsFolder()});
    auto* back = new QPushButton(tr("Back"));
    auto* forward = new QPushButton(tr("Forward"));
    auto* contents = new QPushButton(tr("Contents"));
    back->setEnabled(false);
    forward->setEnabled(false);
    connect(back, &QPushButton::clicked, m_text, &QTextBrowser::backward);
    connect(forward, &QPushButton::clicked, m_text, &QTextBrowser::forward);
    connect(contents, &QPushButton::clicked, this, [this] { showPage("user-guide.md"); });
    connect(m_text, &QTextBrowser::backwardAvailable, back, &QPushButton::setEnabled);
    connect(m_text, &QTextBrowser::forwardAvailable, forward, &QPushButton::setEnabled);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(back);
    buttons->addWidget(forward);
    buttons->addWidget(contents);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_text, 1);
}

QString HelpBrowser::docsFolder()
{
    const QStringList candidates{QCoreApplication::applicationDirPath() + "/../share/cotlab/docs",
                                 QStringLiteral(COTLAB_SOURCE_DOCS_DIR)};
    for (const QString& c : candidates)
        if (QFileInfo::exists(c + "/user-guide.md"))
            return QDir(c).canonicalPath();
    return {};
}

void HelpBrowser::showPage(const QString& page)
{
    if (docsFolder().isEmpty()) {
        m_text->setMarkdown(tr("# User guide not found\n\nThe documentation is installed with CoTLab in "
                               "`share/cotlab/docs` beside the program; it was not found there. Reinstall CoTLab, "
                               "or read the docs folder of its sources."));
        return;
    }
    m_text->setSource(QUrl::fromLocalFile(docsFolder() + "/" + page), QTextDocument::MarkdownResource);
}

void showShortcuts(QWidget* parent, const QMenuBar* menus)
{
    auto* table = new QTableWidget(0, 3);
    table->setObjectName("shortcuts");
    table->setHorizontalHeaderLabels({QObject::tr("Menu"), QObject::tr("Command"), QObject::tr("Keys")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (const QAction* menuAction : menus->actions()) {
        const QMenu* menu = menuAction->menu();
        if (!menu)
            continue;
        for (const QAction* a : menu->actions()) {
            if (a->shortcut().isEmpty())
                continue;
            const int row = table->rowCount();
            table->insertRow(row);
            table->setItem(row, 0, new QTableWidgetItem(menuAction->text().remove('&')));
            table->setItem(row, 1, new QTableWidgetItem(a->text().remove('&').remove("...").remove(QChar(0x2026))));
            table->setItem(row, 2, new QTableWidgetItem(a->shortcut().toString(QKeySequence::NativeText)));
        }
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    auto* dialog = new QDialog(parent); // beside the window, not in its way: a list to look things up in
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QObject::tr("Keyboard Shortcuts"));
    dialog->resize(520, 560);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(close, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(table);
    auto* note = new QLabel(QObject::tr("On the Review page, labelling is by keyboard too: each criterion's choices "
                                        "show their keys."));
    note->setWordWrap(true);
    layout->addWidget(note);
    layout->addWidget(close);
    dialog->show();
}

} // namespace cotlab::ui
