#include "review/ReviewPage.h"

#include "async/PostThen.h"
#include "common/FormWidgets.h"
#include "report/StudySheets.h"
#include "review/LabelingView.h"
#include "review/NewStudyDialog.h"
#include "review/StudyResults.h"
#include "store/Database.h"
#include "store/ReviewRepository.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

QString spreadsheetFilter()
{
    return QObject::tr("Spreadsheets (*.xlsx *.csv);;Excel workbook (*.xlsx);;CSV (*.csv)");
}

} // namespace

template <class Task, class OnResult> void ReviewPage::post(Task task, OnResult onResult, bool urgent)
{
    WorkspaceTaskOptions options;
    options.urgent = urgent;
    postThen(
        m_store, this, std::move(task), std::move(onResult), [this](const QString& e) { fail(e); }, std::move(options));
}

void ReviewPage::fail(const QString& message)
{
    showMessage(message, true);
    Q_EMIT failed(message);
}

ReviewPage::ReviewPage(QWidget* parent)
    : QWidget(parent), m_stack(new QStackedWidget), m_studies(new QListWidget), m_annotator(new QComboBox),
      m_start(new QPushButton(tr("Start &Labelling"))),
      m_report(new StudyResults([this] { return dialogFolder(m_workspace); },
                                [this](const QString& text, bool error) { showMessage(text, error); })),
      m_message(new QLabel), m_labeling(new LabelingView)
{
    m_stack->addWidget(buildOverview());
    m_stack->addWidget(m_labeling);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    connectLabelling();
}

// Each label, comment and position is stored the moment it is given.
void ReviewPage::connectLabelling()
{
    connect(m_labeling, &LabelingView::labelGiven, this,
            [this](qint64 item, qint64 annotator, const QString& criterion, const QString& value) {
                ++m_pendingLabels;
                post(
                    [this, item, annotator, c = criterion.toStdString(), v = value.toStdString()](store::Database& db) {
                        store::ReviewRepository(db).setLabel(item, annotator, c, v);
                        --m_pendingLabels;
                    },
                    [this] { Q_EMIT labelStored(); }, true);
            });
    connect(m_labeling, &LabelingView::commentGiven, this,
            [this](qint64 item, qint64 annotator, const QString& comment) {
                post([item, annotator, c = comment.toStdString()](
                         store::Database& db) { store::ReviewRepository(db).setComment(item, annotator, c); },
                     [] {}, true);
            });
    connect(m_labeling, &LabelingView::positionChanged, this, [this](qint64 annotator, qint64 position) {
        post([annotator,
              position](store::Database& db) { store::ReviewRepository(db).setPosition(annotator, position); },
             [] {});
    });
    connect(m_labeling, &LabelingView::backToOverview, this, &ReviewPage::showOverview);
}

ReviewPage::~ReviewPage() = default;

QWidget* ReviewPage::buildOverview()
{
    m_studies->setObjectName("studies");
    auto* newStudy = new QPushButton(tr("&New Study…"));
    newStudy->setObjectName("newStudy");
    connect(newStudy, &QPushButton::clicked, this, &ReviewPage::openNewStudyDialog);
    auto* remove = new QPushButton(tr("Delete"));
    remove->setObjectName("deleteStudy");
    connect(remove, &QPushButton::clicked, this, [this] {
        const QString name = currentStudy();
        if (!name.isEmpty() &&
            QMessageBox::question(this, tr("Delete Study"),
                                  tr("Delete the study '%1' and every label given in it?").arg(name)) ==
                QMessageBox::Yes)
            deleteStudy(name);
    });
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(new QLabel(tr("<b>Studies</b>")));
    leftLayout->addWidget(m_studies, 1);
    auto* leftButtons = new QHBoxLayout;
    leftButtons->addWidget(newStudy);
    leftButtons->addWidget(remove);
    leftLayout->addLayout(leftButtons);

    m_message->setObjectName("message");
    m_message->setWordWrap(true);
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->addWidget(buildActions());
    rightLayout->addWidget(m_report, 1);
    rightLayout->addWidget(m_message);
    m_needsStudy << remove;

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({240, 1000});
    connect(m_studies, &QListWidget::currentTextChanged, this, [this] { loadReport(); });
    for (QWidget* w : m_needsStudy)
        w->setEnabled(false);
    return split;
}

// The annotator, Start Labelling, and the study's exports and imports.
QWidget* ReviewPage::buildActions()
{
    m_annotator->setObjectName("annotator");
    m_annotator->setEditable(true);
    m_annotator->setMinimumWidth(160);
    m_annotator->lineEdit()->setPlaceholderText(tr("your name"));
    m_start->setObjectName("startLabelling");
    connect(m_start, &QPushButton::clicked, this, [this] { startLabelling(m_annotator->currentText().trimmed()); });
    connect(m_annotator->lineEdit(), &QLineEdit::returnPressed, m_start, &QPushButton::click);
    auto folder = [this] { return dialogFolder(m_workspace); };
    auto* exportXlsx = new QPushButton(tr("Export &Spreadsheet…"));
    exportXlsx->setObjectName("exportStudy");
    connect(exportXlsx, &QPushButton::clicked, this, [this, folder] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export Study"), folder() + "/" + currentStudy() + ".xlsx", spreadsheetFilter());
        if (!path.isEmpty())
            exportStudy(path);
    });
    auto* blank = new QPushButton(tr("&Blank Sheet…"));
    blank->setObjectName("blankSheet");
    blank->setToolTip(tr("A label sheet for an annotator working outside CoTLab (blind, their own sides)"));
    connect(blank, &QPushButton::clicked, this, [this, folder] {
        QString who = m_annotator->currentText().trimmed();
        if (who.isEmpty())
            who = QInputDialog::getText(this, tr("Blank Label Sheet"), tr("Annotator's name:"));
        if (who.isEmpty())
            return;
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Blank Label Sheet"),
                                         folder() + "/" + currentStudy() + " - " + who + ".xlsx", spreadsheetFilter());
        if (!path.isEmpty())
            exportBlankSheet(path, who);
    });
    auto* import = new QPushButton(tr("&Import Sheets…"));
    import->setObjectName("importSheets");
    connect(import, &QPushButton::clicked, this, [this, folder] {
        const QStringList paths =
            QFileDialog::getOpenFileNames(this, tr("Import Filled Label Sheets"), folder(), spreadsheetFilter());
        if (!paths.isEmpty())
            importSheets(paths, m_annotator->currentText().trimmed());
    });
    auto* box = new QWidget;
    auto* actions = new QHBoxLayout(box);
    actions->setContentsMargins(0, 0, 0, 0);
    actions->addWidget(new QLabel(tr("Annotator:")));
    actions->addWidget(m_annotator);
    actions->addWidget(m_start);
    actions->addStretch();
    actions->addWidget(exportXlsx);
    actions->addWidget(blank);
    actions->addWidget(import);
    m_needsStudy = {m_annotator, m_start, exportXlsx, blank, import};
    return box;
}

void ReviewPage::setWorkspace(const QString& path, const QStringList& tasks)
{
    m_tasks = tasks;
    if (path == m_workspace) { // the same workspace changed (an evaluation, an import): labelling goes on
        refresh();
        return;
    }
    if (isLabelling())
        showOverview();
    m_workspace = path;
    m_store.cancelAll();
    m_store.setWorkspace(path.toStdString());
    refresh();
}

void ReviewPage::refresh()
{
    struct Lists {
        QStringList names;
        review::StudySources sources;
    };
    post(
        [](store::Database& db) {
            Lists lists;
            for (const auto& s : store::ReviewRepository(db).list())
                lists.names << fromStd(s.name);
            lists.sources = review::studySources(db);
            return lists;
        },
        [this, selected = currentStudy()](const Lists& lists) {
            m_sources = lists.sources;
            const QSignalBlocker block(m_studies);
            m_studies->clear();
            m_studies->addItems(lists.names);
            const auto found = m_studies->findItems(selected, Qt::MatchExactly);
            m_studies->setCurrentRow(found.isEmpty() ? (lists.names.isEmpty() ? -1 : 0)
                                                     : m_studies->row(found.first()));
            loadReport();
            Q_EMIT studiesChanged();
        });
}

QStringList ReviewPage::studyNames() const
{
    QStringList out;
    for (int i = 0; i < m_studies->count(); ++i)
        out << m_studies->item(i)->text();
    return out;
}

void ReviewPage::selectStudy(const QString& name)
{
    const auto found = m_studies->findItems(name, Qt::MatchExactly);
    if (!found.isEmpty())
        m_studies->setCurrentItem(found.first());
}

QString ReviewPage::currentStudy() const
{
    return m_studies->currentItem() ? m_studies->currentItem()->text() : QString();
}

void ReviewPage::openNewStudyDialog()
{
    NewStudyDialog dialog(m_sources, m_tasks, this);
    QPointer<NewStudyDialog> open(&dialog);
    connect(&dialog, &NewStudyDialog::createRequested, this, [this, open](const review::StudySpec& spec) {
        // Created in the background; a refusal (a taken name, nothing to sample) shows in the dialog.
        createStudy(spec, [open](const QString& error) {
            if (!open)
                return;
            if (error.isEmpty())
                open->accept();
            else
                open->showError(error);
        });
    });
    dialog.exec();
}

void ReviewPage::createStudy(const review::StudySpec& spec, std::function<void(const QString&)> done)
{
    showMessage(tr("Sampling the study '%1'…").arg(fromStd(spec.name)), false);
    postThen(
        m_store, this,
        [spec](store::Database& db) {
            const int64_t id = review::createStudy(db, spec);
            return qint64(store::ReviewRepository(db).items(id).size());
        },
        [this, name = fromStd(spec.name), done](qint64 items) {
            showMessage(tr("Created the study '%1' with %2 items.").arg(name).arg(items), false);
            refresh();
            connect(
                this, &ReviewPage::studiesChanged, this, [this, name] { selectStudy(name); }, Qt::SingleShotConnection);
            if (done)
                done({});
        },
        [this, done](const QString& e) {
            if (done) // the dialog shows it, beside what was typed
                return done(e);
            fail(e);
        });
}

void ReviewPage::deleteStudy(const QString& name)
{
    post([name](store::Database& db) { store::ReviewRepository(db).remove(name.toStdString()); },
         [this, name] {
             showMessage(tr("Deleted the study '%1'.").arg(name), false);
             refresh();
         });
}

void ReviewPage::loadReport()
{
    const QString name = currentStudy();
    for (QWidget* w : m_needsStudy)
        w->setEnabled(!name.isEmpty());
    if (name.isEmpty())
        return m_report->clear(m_studies->count() == 0);
    post(
        [name](store::Database& db) {
            return std::make_shared<const review::StudyReport>(
                review::studyReport(db, review::findStudy(db, name.toStdString()).id));
        },
        [this, name](const std::shared_ptr<const review::StudyReport>& report) {
            if (name == currentStudy())
                showReport(*report);
        });
}

void ReviewPage::showReport(const review::StudyReport& report)
{
    const QString current = m_annotator->currentText();
    m_annotator->clear();
    for (const auto& a : report.annotators)
        m_annotator->addItem(fromStd(a.name));
    m_annotator->setCurrentText(current);
    m_report->show(report);
    Q_EMIT reportShown();
}

void ReviewPage::startLabelling(const QString& annotator)
{
    const QString name = currentStudy();
    if (name.isEmpty())
        return showMessage(tr("Pick a study first."), true);
    if (annotator.isEmpty()) {
        showMessage(tr("Type your name as annotator first: labels are kept per annotator."), true);
        m_annotator->setFocus();
        return;
    }
    post(
        [name, annotator](store::Database& db) {
            return std::make_shared<review::AnnotatorSession>(
                review::openSession(db, review::findStudy(db, name.toStdString()).id, annotator.toStdString()));
        },
        [this](const std::shared_ptr<review::AnnotatorSession>& session) {
            m_labeling->start(std::move(*session));
            m_stack->setCurrentWidget(m_labeling);
            m_labeling->setFocus();
            showMessage({}, false);
            Q_EMIT sessionStarted();
        });
}

void ReviewPage::showOverview()
{
    m_stack->setCurrentIndex(0);
    loadReport();
}

bool ReviewPage::isLabelling() const
{
    return m_stack->currentWidget() == m_labeling;
}

void ReviewPage::exportStudy(const QString& path)
{
    post(
        [name = currentStudy(), path](store::Database& db) {
            const auto files = report::writeSheets(
                path.toStdString(), report::studySheets(db, review::findStudy(db, name.toStdString()).id));
            return files.size() == 1
                       ? tr("Wrote %1.").arg(fromStd(files.front()))
                       : tr("Wrote %1 CSV files beside %2.").arg(files.size()).arg(fromStd(files.front()));
        },
        [this](const QString& text) {
            showMessage(text, false);
            Q_EMIT exported();
        });
}

void ReviewPage::exportBlankSheet(const QString& path, const QString& annotator)
{
    post(
        [name = currentStudy(), path, annotator](store::Database& db) {
            const auto study = review::findStudy(db, name.toStdString());
            report::writeSheets(path.toStdString(), {report::blankLabelSheet(db, study.id, annotator.toStdString())});
        },
        [this, path, annotator] {
            showMessage(tr("Wrote %1's label sheet to %2.").arg(annotator, path), false);
            Q_EMIT exported();
        });
}

void ReviewPage::importSheets(const QStringList& paths, const QString& annotator)
{
    post(
        [name = currentStudy(), paths, annotator](store::Database& db) {
            const auto study = review::findStudy(db, name.toStdString());
            QStringList lines;
            for (const QString& path : paths) {
                const auto done = report::importLabelSheet(db, study.id, path.toStdString(), annotator.toStdString());
                lines << tr("%1: %2 labels, %3 comments")
                             .arg(QFileInfo(path).fileName())
                             .arg(done.labels)
                             .arg(done.comments);
            }
            return lines;
        },
        [this](const QStringList& lines) {
            showMessage(tr("Imported ") + lines.join("; ") + ".", false);
            loadReport();
            Q_EMIT imported();
        });
}

QCustomPlot* ReviewPage::plot(const QString& name) const
{
    return m_report->plot(name);
}

QTableWidget* ReviewPage::resultsTable() const
{
    return m_report->resultsTable();
}

QTableWidget* ReviewPage::agreementTable() const
{
    return m_report->agreementTable();
}

QTableWidget* ReviewPage::annotatorTable() const
{
    return m_report->annotatorTable();
}

QString ReviewPage::message() const
{
    return m_message->text();
}

void ReviewPage::showMessage(const QString& text, bool error)
{
    showMessageIn(m_message, text, error);
}

} // namespace cotlab::ui
