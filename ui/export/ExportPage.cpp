#include "export/ExportPage.h"

#include "async/JobRunner.h"
#include "async/PostThen.h"
#include "common/FormWidgets.h"
#include "export/ExportForms.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QTime>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace cotlab::ui {

ExportPage::ExportPage(QWidget* parent)
    : QWidget(parent), m_forms(makeExportForms()), m_kinds(new QListWidget), m_title(new QLabel),
      m_description(new QLabel), m_options(new QStackedWidget), m_target(new QLineEdit),
      m_export(new QPushButton(tr("&Export"))), m_cancel(new QPushButton(tr("Cancel"))), m_progress(new QProgressBar),
      m_message(new QLabel), m_log(new QListWidget), m_jobs(new JobRunner(nullptr))
{
    m_jobs->setParent(this); // no dialog: the page shows the progress itself
    m_kinds->setObjectName("exportKinds");
    m_kinds->setMaximumWidth(260);
    for (ExportForm* form : m_forms) {
        m_kinds->addItem(form->title());
        m_kinds->item(m_kinds->count() - 1)->setToolTip(form->description());
        m_options->addWidget(form);
        connect(form, &ExportForm::choiceChanged, this, &ExportPage::suggestTarget);
    }
    m_title->setObjectName("exportTitle");
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_title->setFont(bold);
    m_description->setWordWrap(true);
    m_target->setObjectName("exportTarget");
    connect(m_target, &QLineEdit::textEdited, this, [this] { m_targetEdited = true; });
    auto* browse = new QToolButton;
    browse->setText("…");
    browse->setToolTip(tr("Choose where to write"));
    connect(browse, &QToolButton::clicked, this, &ExportPage::chooseTarget);
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(m_target, 1);
    targetRow->addWidget(browse);
    m_export->setObjectName("export");
    m_export->setDefault(true);
    m_cancel->setObjectName("cancelExport");
    m_cancel->setEnabled(false);
    m_progress->setObjectName("exportProgress");
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_message->setObjectName("message");
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_export);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress, 1);

    auto* box = new QGroupBox;
    auto* right = new QVBoxLayout(box);
    right->addWidget(m_title);
    right->addWidget(m_description);
    right->addSpacing(8);
    right->addWidget(m_options);
    right->addSpacing(8);
    right->addWidget(new QLabel(tr("Write to")));
    right->addLayout(targetRow);
    right->addLayout(buttons);
    right->addWidget(m_message);
    right->addSpacing(8);
    right->addWidget(new QLabel(tr("Written in this session")));
    m_log->setObjectName("exportLog");
    m_log->setToolTip(tr("Double-click to open the folder that holds it"));
    right->addWidget(m_log, 1);
    connect(m_log, &QListWidget::itemActivated, this, [](QListWidgetItem* item) {
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(item->data(Qt::UserRole).toString()).absolutePath()));
    });
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(m_kinds);
    layout->addWidget(box, 1);

    connect(m_kinds, &QListWidget::currentRowChanged, this, [this](int row) {
        m_options->setCurrentIndex(row);
        m_title->setText(currentForm()->title());
        m_description->setText(currentForm()->description());
        m_targetEdited = false;
        suggestTarget();
    });
    connect(m_export, &QPushButton::clicked, this, &ExportPage::exportNow);
    connect(m_cancel, &QPushButton::clicked, this, &ExportPage::cancel);
    connect(m_jobs, &JobRunner::progressed, this, &ExportPage::onProgress, Qt::QueuedConnection);
    connect(m_jobs, &JobRunner::finished, this, &ExportPage::onFinished);
    m_kinds->setCurrentRow(0);
    showMessage(tr("Open a workspace to export from it."), false);
}

ExportPage::~ExportPage()
{
    m_jobs->cancel();
    m_jobs->waitForIdle();
    m_store.cancelAll();
}

void ExportPage::setWorkspace(const QString& path)
{
    if (path != m_workspace) {
        m_store.cancelAll();
        m_store.setWorkspace(path.toStdString());
        m_targetEdited = false;
    }
    m_workspace = path;
    showMessage(QString(), false);
    refreshChoices();
}

void ExportPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refreshChoices(); // runs, evaluations or corpora may have been added on the other pages
}

void ExportPage::refreshChoices()
{
    if (m_workspace.isEmpty())
        return;
    postThen(
        m_store, this, [](store::Database& db) { return ExportChoices::read(db); },
        [this](const ExportChoices& choices) {
            for (ExportForm* form : m_forms)
                form->setChoices(choices);
            suggestTarget();
            Q_EMIT choicesShown();
        },
        [this](const QString& e) { showMessage(e, true); });
}

void ExportPage::showKind(Kind kind)
{
    m_kinds->setCurrentRow(int(kind));
}

ExportForm* ExportPage::currentForm() const
{
    return m_forms[size_t(std::max(0, m_kinds->currentRow()))];
}

void ExportPage::suggestTarget()
{
    if (m_targetEdited || m_workspace.isEmpty())
        return;
    const QString name = currentForm()->suggestedName();
    m_target->setText(name.isEmpty() ? QString() : QDir(dialogFolder(m_workspace)).filePath(name));
}

void ExportPage::chooseTarget()
{
    const QString start = m_target->text().isEmpty() ? dialogFolder(m_workspace) : m_target->text();
    const QString path = currentForm()->target() == ExportForm::Target::Folder
                             ? QFileDialog::getExistingDirectory(this, tr("Export to Folder"), start)
                             : QFileDialog::getSaveFileName(this, tr("Export"), start, currentForm()->fileFilter());
    if (!path.isEmpty())
        setTarget(path);
}

void ExportPage::setTarget(const QString& path)
{
    m_target->setText(path);
    m_targetEdited = true;
}

QString ExportPage::target() const
{
    return m_target->text().trimmed();
}

void ExportPage::exportNow()
{
    if (m_workspace.isEmpty())
        return showMessage(tr("Open a workspace first."), true);
    if (target().isEmpty())
        return showMessage(tr("Write to: choose a file or folder."), true);
    QString problem;
    const auto job = currentForm()->job(m_workspace, target(), &problem);
    if (!job)
        return showMessage(problem, true);
    if (!m_jobs->start(currentForm()->title(), *job))
        return showMessage(tr("An export is still running; wait for it or cancel it."), true);
    m_export->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setRange(0, 0); // busy until the job reports how far it is
    m_progress->setTextVisible(true);
    m_running = {currentForm()->title(), target()};
    showMessage(tr("Exporting %1…").arg(currentForm()->title().toLower()), false);
}

void ExportPage::cancel()
{
    m_jobs->cancel();
}

bool ExportPage::busy() const
{
    return m_jobs->busy();
}

QString ExportPage::message() const
{
    return m_message->text();
}

void ExportPage::onProgress(const QString& stage, quint64 done, quint64 total)
{
    if (total == 0)
        return;
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(1000.0 * double(done) / double(total)));
    m_progress->setFormat(stage + " %p%");
}

void ExportPage::onFinished(bool ok, const QString& message)
{
    m_export->setEnabled(true);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(ok ? 1 : 0);
    m_progress->setFormat("%p%");
    m_progress->setTextVisible(false);
    if (ok) {
        auto* item = new QListWidgetItem(
            tr("%1  %2: %3").arg(QTime::currentTime().toString("HH:mm"), m_running.first, m_running.second));
        item->setData(Qt::UserRole, m_running.second);
        m_log->insertItem(0, item);
    }
    showMessage(ok ? message : tr("Nothing was exported: %1").arg(message), !ok);
    if (ok)
        m_targetEdited = false; // the next export suggests a name of its own
    Q_EMIT exported(ok, message);
}

void ExportPage::showMessage(const QString& text, bool error)
{
    showMessageIn(m_message, text, error);
}

} // namespace cotlab::ui
