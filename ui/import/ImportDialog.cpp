#include "import/ImportDialog.h"

#include "async/JobRunner.h"
#include "import/FieldMappingDialog.h"
#include "ingest/FieldMapping.h"
#include "ingest/Importer.h"
#include "store/Database.h"
#include "store/Workspace.h"
#include "text/ReasoningParts.h"
#include "util/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <memory>

namespace cotlab::ui {

namespace {

QString shortened(QString s, int n = 160)
{
    s = s.simplified();
    return s.size() > n ? s.left(n) + "…" : s;
}

constexpr int kPreviewColumns = 8;

} // namespace

QList<ImportDialog::PreviewLine> ImportDialog::previewLines(const QString& path, const ingest::ImportOptions& options,
                                                            int maxRecords, const QString& workspace)
{
    std::unique_ptr<store::Database> db;
    if (!workspace.isEmpty()) {
        try {
            db = std::make_unique<store::Database>(workspace.toStdString(), /*readOnly=*/true);
        } catch (const Error&) { // not created yet, or unreadable: the preview without the join
        }
    }
    QList<PreviewLine> out;
    for (const auto& p : ingest::Importer::preview(path.toStdString(), options, size_t(maxRecords), db.get())) {
        PreviewLine line;
        line.place = QString::fromStdString(p.place);
        line.error = QString::fromStdString(p.error);
        if (p.record) {
            const auto& r = *p.record;
            line.task = QString::fromStdString(r.task);
            line.id = QString::fromStdString(r.id);
            line.question = shortened(QString::fromStdString(r.question));
            line.answer = QString::fromStdString(r.gold);
            const std::string rationale = r.rationale.value_or("");
            const text::ReasoningParts parts = text::splitReasoning(rationale);
            line.thinking = shortened(QString::fromUtf8(parts.thinking.data(), qsizetype(parts.thinking.size())));
            line.rationale = shortened(QString::fromUtf8(parts.answer.data(), qsizetype(parts.answer.size())));
        }
        out << line;
    }
    return out;
}

ImportDialog::ImportDialog(const QString& workspace, QWidget* parent)
    : QDialog(parent), m_workspace(workspace), m_files(new QListWidget), m_format(new QLabel),
      m_preview(new QTableWidget), m_formatOverride(new QComboBox), m_task(new QLineEdit), m_teacher(new QLineEdit),
      m_fields(new QLineEdit), m_pickFields(new QPushButton(tr("&Pick Fields…"))), m_progress(new QProgressBar),
      m_status(new QLabel), m_error(new QPlainTextEdit), m_import(new QPushButton(tr("&Import"))),
      m_cancel(new QPushButton(tr("Cancel Import"))), m_add(new QPushButton(tr("&Add Files…"))),
      m_remove(new QPushButton(tr("&Remove"))), m_buttons(new QDialogButtonBox(QDialogButtonBox::Close)),
      m_job(new JobRunner(nullptr))
{
    m_job->setParent(this);
    setWindowTitle(tr("Import into %1").arg(QFileInfo(workspace).fileName()));
    m_files->setObjectName("files");
    m_files->setMaximumHeight(130);
    m_format->setObjectName("format");
    m_preview->setObjectName("preview");
    m_error->setObjectName("error");
    m_status->setObjectName("status");
    m_import->setObjectName("import");
    m_cancel->setObjectName("cancelImport");
    m_formatOverride->setObjectName("formatOverride");
    m_task->setObjectName("taskName");
    m_teacher->setObjectName("teacher");
    m_fields->setObjectName("fields");
    m_fields->setPlaceholderText(
        tr("a JSONL of its own shape: question=problem,gold=answer,thinking=thinking_trajectories[0],"
           "rationale=attempt (keys: question, gold, id, split, model, rationale, thinking)"));

    m_preview->setColumnCount(kPreviewColumns);
    m_preview->setHorizontalHeaderLabels({tr("Where"), tr("Task"), tr("Id"), tr("Question"), tr("Gold"), tr("Thinking"),
                                          tr("Rationale (answer part)"), tr("Problem")});
    m_preview->verticalHeader()->hide();
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setWordWrap(false);
    m_preview->horizontalHeader()->setStretchLastSection(true);
    m_formatOverride->addItem(tr("detect"));
    for (const auto format : ingest::importFormats())
        m_formatOverride->addItem(QString::fromStdString(std::string(ingest::toString(format))));
    m_task->setPlaceholderText(
        tr("default: from the file (ThoughtSource's datasets, Fine-tune-CoT's metadata) or its name; batch output, "
           "Faithful-CoT predictions, SCoTD pools: the task whose instance ids they name"));
    m_teacher->setPlaceholderText(tr("the model that wrote the file's rationales, where the file names none"));
    m_error->setReadOnly(true);
    m_error->setMaximumHeight(110);
    m_error->setStyleSheet("color: #b00020");
    m_error->hide();
    m_status->setWordWrap(true);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_import->setDefault(true);

    auto* fileButtons = new QVBoxLayout;
    fileButtons->addWidget(m_add);
    fileButtons->addWidget(m_remove);
    fileButtons->addStretch(1);
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_files, 1);
    fileRow->addLayout(fileButtons);

    auto* options = new QFormLayout;
    options->addRow(tr("Detected format:"), m_format);
    options->addRow(tr("&Format:"), m_formatOverride);
    options->addRow(tr("&Task name:"), m_task);
    options->addRow(tr("T&eacher model:"), m_teacher);
    auto* fieldsRow = new QHBoxLayout;
    fieldsRow->addWidget(m_fields, 1);
    fieldsRow->addWidget(m_pickFields);
    auto* fieldsLabel = new QLabel(tr("Fie&lds:"));
    fieldsLabel->setBuddy(m_fields);
    options->addRow(fieldsLabel, fieldsRow);
    m_keepGood = new QCheckBox(tr("Import the valid records and list the invalid ones (default: a file is imported "
                                  "whole or not at all)"));
    m_keepGood->setObjectName("keepGood");
    options->addRow(QString(), m_keepGood);

    auto* run = new QHBoxLayout;
    run->addWidget(m_progress, 1);
    run->addWidget(m_import);
    run->addWidget(m_cancel);

    auto* layout = new QVBoxLayout(this);
    auto* filesLabel =
        new QLabel(tr("Files (rationale interchange JSONL, benchmark JSON, CommonsenseQA JSONL, conversation JSONL or "
                      "saved requests and responses, OpenAI Batch output, ThoughtSource, Fine-tune-CoT completions, "
                      "Faithful-CoT predictions, SCoTD data pools):"));
    filesLabel->setWordWrap(true);
    layout->addWidget(filesLabel);
    layout->addLayout(fileRow);
    layout->addLayout(options);
    layout->addWidget(new QLabel(tr("First records of the selected file:")));
    layout->addWidget(m_preview, 1);
    layout->addLayout(run);
    m_openReport = new QPushButton(tr("Open the List of &Refused Records"));
    m_openReport->setObjectName("openReport");
    m_openReport->hide();
    connect(m_openReport, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_reportPath)); });
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_openReport);
    layout->addLayout(statusRow);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    resize(980, 640);

    connect(m_add, &QPushButton::clicked, this, &ImportDialog::chooseFiles);
    connect(m_remove, &QPushButton::clicked, this, [this] {
        delete m_files->currentItem();
        updateButtons();
        showPreview();
    });
    connect(m_files, &QListWidget::currentRowChanged, this, &ImportDialog::showPreview);
    connect(m_formatOverride, &QComboBox::currentIndexChanged, this, &ImportDialog::showPreview);
    connect(m_task, &QLineEdit::editingFinished, this, &ImportDialog::showPreview);
    connect(m_teacher, &QLineEdit::editingFinished, this, &ImportDialog::showPreview);
    connect(m_fields, &QLineEdit::editingFinished, this, &ImportDialog::showPreview);
    connect(m_pickFields, &QPushButton::clicked, this, &ImportDialog::pickFields);
    connect(m_import, &QPushButton::clicked, this, &ImportDialog::startImport);
    connect(m_cancel, &QPushButton::clicked, m_job, &JobRunner::cancel);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ImportDialog::reject);
    connect(m_job, &JobRunner::progressed, this, [this](const QString& stage, quint64 done, quint64 total) {
        m_status->setText(stage);
        m_progress->setValue(total ? int(1000.0 * double(done) / double(total)) : 0);
    });
    connect(m_job, &JobRunner::finished, this, &ImportDialog::onFinished);
    updateButtons();
}

FieldMappingDialog* ImportDialog::pickFields()
{
    const QListWidgetItem* item = m_files->currentItem();
    if (!item)
        return nullptr;
    QStringList paths;
    try {
        for (const std::string& p : ingest::FieldMapping::pathsOfFirstRecord(item->text().toStdString()))
            paths << QString::fromStdString(p);
    } catch (const std::exception& e) {
        m_error->setPlainText(tr("Cannot pick fields: %1").arg(QString::fromStdString(e.what())));
        m_error->show();
        return nullptr;
    }
    ingest::FieldMapping initial;
    try { // the mapping typed so far, else what the fields' names suggest
        initial = ingest::FieldMapping::parse(m_fields->text().trimmed().toStdString());
    } catch (const std::exception&) {
        std::vector<std::string> names;
        for (const QString& p : paths)
            names.push_back(p.toStdString());
        initial = ingest::FieldMapping::suggest(names);
    }
    auto* dialog = new FieldMappingDialog(paths, initial, this);
    dialog->setObjectName("fieldMapping");
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_fields->setText(dialog->mapping());
        showPreview();
    });
    dialog->open();
    return dialog;
}

void ImportDialog::chooseFiles()
{
    const QStringList chosen = QFileDialog::getOpenFileNames(
        this, tr("Import Files"), QSettings().value("import/dir").toString(),
        tr("Rationales and datasets (*.jsonl *.json);;Parquet, to convert (*.parquet);;All files (*)"));
    if (chosen.isEmpty())
        return;
    QSettings().setValue("import/dir", QFileInfo(chosen.first()).absolutePath());
    addFiles(chosen);
}

void ImportDialog::addFiles(const QStringList& files)
{
    for (const QString& f : files)
        if (m_files->findItems(f, Qt::MatchExactly).isEmpty())
            m_files->addItem(f);
    if (m_files->currentRow() < 0 && m_files->count())
        m_files->setCurrentRow(0);
    updateButtons();
}

QStringList ImportDialog::files() const
{
    QStringList out;
    for (int k = 0; k < m_files->count(); ++k)
        out << m_files->item(k)->text();
    return out;
}

QString ImportDialog::detectedFormat() const
{
    return m_format->text();
}

void ImportDialog::showPreview()
{
    m_preview->setRowCount(0);
    m_format->clear();
    const QListWidgetItem* item = m_files->currentItem();
    if (!item)
        return;
    const QString path = item->text();
    try {
        m_format->setText(
            QString::fromStdString(std::string(ingest::toString(ingest::Importer::detectFormat(path.toStdString())))));
        m_format->setStyleSheet({});
    } catch (const std::exception& e) {
        m_format->setText(QString::fromStdString(e.what()));
        m_format->setStyleSheet("color: #b00020");
    }
    const auto lines = previewLines(path, chosenOptions(), 20, m_workspace);
    m_preview->setRowCount(int(lines.size()));
    for (int r = 0; r < lines.size(); ++r) {
        const PreviewLine& p = lines[r];
        const QString cells[kPreviewColumns] = {p.place,  p.task,     p.id,        p.question,
                                                p.answer, p.thinking, p.rationale, p.error};
        for (int c = 0; c < kPreviewColumns; ++c) {
            auto* cell = new QTableWidgetItem(cells[c]);
            if (c == kPreviewColumns - 1)
                cell->setForeground(QColor(176, 0, 32));
            m_preview->setItem(r, c, cell);
        }
    }
    m_preview->resizeColumnsToContents();
    for (int c = 3; c < kPreviewColumns - 1; ++c)
        m_preview->setColumnWidth(c, std::min(m_preview->columnWidth(c), 260));
}

bool ImportDialog::importing() const
{
    return m_job->busy();
}

QString ImportDialog::errorText() const
{
    return m_error->toPlainText();
}

QString ImportDialog::resultText() const
{
    return m_status->text();
}

QString ImportDialog::reportPathFor() const
{
    const QFileInfo workspace(m_workspace);
    return workspace.absoluteDir().filePath(workspace.completeBaseName() + "-refused-" +
                                            QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss") + ".csv");
}

ingest::ImportOptions ImportDialog::chosenOptions() const
{
    ingest::ImportOptions options;
    if (m_formatOverride->currentIndex() > 0)
        options.format = *ingest::importFormatFromString(m_formatOverride->currentText().toStdString());
    if (!m_task->text().trimmed().isEmpty())
        options.task = m_task->text().trimmed().toStdString();
    if (!m_teacher->text().trimmed().isEmpty())
        options.teacher = m_teacher->text().trimmed().toStdString();
    if (!m_fields->text().trimmed().isEmpty())
        options.fields = m_fields->text().trimmed().toStdString();
    return options;
}

bool ImportDialog::startImport()
{
    const QStringList paths = files();
    if (paths.isEmpty() || m_job->busy())
        return false;
    ingest::ImportOptions options = chosenOptions();
    options.rollbackJournalWhenAlone = false; // the pages read the workspace meanwhile
    options.keepGoodRecords = m_keepGood->isChecked();
    m_reportPath = reportPathFor();
    m_openReport->hide();
    const std::string report = m_reportPath.toStdString();
    std::vector<std::string> files;
    for (const QString& p : paths)
        files.push_back(p.toStdString());
    const std::string ws = m_workspace.toStdString();
    m_error->clear();
    m_error->hide();
    m_status->setText(tr("Importing…"));
    m_progress->setValue(0);
    m_job->start(tr("Importing"), [ws, files, options, report](const jobs::ProgressSink& progress,
                                                               const jobs::StopToken& stop) {
        store::Workspace workspace(ws);
        QStringList done;
        std::vector<ingest::ImportReport> refused;
        for (const auto& path : files) {
            const QString name = QFileInfo(QString::fromStdString(path)).fileName();
            try {
                const auto r = ingest::Importer::importFile(workspace.db(), path, options, progress, &stop);
                done << QObject::tr("%1 (%2): %3 instances and %4 rationales added, %5 already stored")
                                .arg(name, QString::fromStdString(r.format))
                                .arg(r.instancesAdded)
                                .arg(r.rationalesAdded)
                                .arg(r.rationalesAlreadyStored) +
                            (r.refusedCount > 0 ? QObject::tr(", %1 records refused").arg(r.refusedCount) : QString());
                if (r.refusedCount > 0)
                    refused.push_back(r);
            } catch (const jobs::Cancelled&) {
                throw Error(QObject::tr("Cancelled: nothing was imported from %1.%2")
                                .arg(name, done.isEmpty() ? QString()
                                                          : "\n" + QObject::tr("Imported before: ") + done.join("; "))
                                .toStdString());
            } catch (const std::exception& e) {
                throw Error(
                    QObject::tr("Nothing was imported from %1:\n%2%3")
                        .arg(name, QString::fromStdString(e.what()),
                             done.isEmpty() ? QString() : "\n" + QObject::tr("Imported before it: ") + done.join("; "))
                        .toStdString());
            }
        }
        if (!refused.empty()) // the list is read by a person: file, line and reason of each
            ingest::writeRefusedReport(report, refused);
        return done.join("\n");
    });
    updateButtons();
    return true;
}

void ImportDialog::onFinished(bool ok, const QString& message)
{
    m_progress->setValue(ok ? 1000 : 0);
    if (ok) {
        m_status->setText(message);
        m_openReport->setVisible(QFileInfo::exists(m_reportPath));
        m_files->clear();
        m_preview->setRowCount(0);
        m_format->clear();
    } else {
        m_status->clear();
        m_error->setPlainText(message);
        m_error->show();
    }
    updateButtons();
    Q_EMIT imported();
    Q_EMIT finished(ok);
}

void ImportDialog::updateButtons()
{
    const bool busy = m_job->busy();
    m_import->setEnabled(!busy && m_files->count() > 0);
    m_cancel->setEnabled(busy);
    m_add->setEnabled(!busy);
    m_remove->setEnabled(!busy && m_files->currentItem());
    m_files->setEnabled(!busy);
}

void ImportDialog::reject()
{
    if (m_job->busy()) {
        m_job->cancel(); // the file being imported rolls back
        m_job->waitForIdle();
    }
    QDialog::reject();
}

} // namespace cotlab::ui
