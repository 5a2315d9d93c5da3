#include "MainWindow.h"

#include "DemoExperimentJob.h"
#include "HelpBrowser.h"
#include "OverviewPage.h"
#include "RecentWorkspaces.h"
#include "WorkspaceSummary.h"
#include "async/JobRunner.h"
#include "browse/BrowsePage.h"
#include "browse/BrowsePlots.h"
#include "common/FailureDialog.h"
#include "common/FormWidgets.h"
#include "corpus/CorpusPage.h"
#include "evaluate/EvaluatePage.h"
#include "evaluate/EvaluationJob.h"
#include "export/ExportPage.h"
#include "import/ImportDialog.h"
#include "ingest/DemoBuilder.h"
#include "ingest/Importer.h"
#include "nn/TorchInfo.h"
#include "review/ReviewPage.h"
#include "store/Workspace.h"
#include "teacher/SampleDialog.h"
#include "teacher/TeacherSamplingJob.h"
#include "train/TrainPage.h"
#include "train/TrainingJob.h"
#include "util/Version.h"

#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace cotlab::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_summary(new WorkspaceSummary(this)), m_jobs(new JobRunner(this)),
      m_overview(new OverviewPage(m_summary)), m_counts(new QLabel), m_browse(new BrowsePage), m_corpus(new CorpusPage),
      m_train(new TrainPage), m_evaluate(new EvaluatePage), m_review(new ReviewPage), m_export(new ExportPage),
      m_demoJob(new DemoExperimentJob(this)), m_demoStatus(new QWidget), m_pages(new QTabWidget)
{
    setWindowTitle(tr("CoTLab"));
    setWindowIcon(QIcon(":/icons/cotlab.svg"));
    m_goMenu = new QMenu(tr("&Go"), this);
    addPage(m_overview, tr("Overview"));
    addPage(m_browse, tr("Browse"));
    addPage(m_corpus, tr("Corpus"));
    addPage(m_train, tr("Train"));
    addPage(m_evaluate, tr("Evaluate"));
    addPage(m_review, tr("Review"));
    addPage(m_export, tr("Export"));
    // A finished run is a student to evaluate; its rationales (and an evaluation's) are new rows to browse.
    connect(m_train, &TrainPage::runFinished, this, [this] {
        m_evaluate->setWorkspace(m_path, taskNames());
        refreshAfterChange();
    });
    connect(m_evaluate->job(), &BackgroundJob::finished, this, &MainWindow::refreshAfterChange);
    connect(m_corpus, &CorpusPage::corporaChanged, m_train, &TrainPage::refreshCorpora);
    connect(m_corpus, &CorpusPage::trainRequested, this, [this](const QString& corpus) {
        m_train->trainOnCorpus(corpus);
        m_pages->setCurrentWidget(m_train);
    });
    connect(m_evaluate, &EvaluatePage::browseRationales, this, [this](const QString& model) {
        m_browse->showRationalesOf("student", model);
        showBrowsePage();
    });
    m_pages->setDocumentMode(true);
    setCentralWidget(m_pages);
    statusBar()->addPermanentWidget(m_counts);
    buildDemoStatus();
    connect(m_overview, &OverviewPage::linkChosen, this, &MainWindow::onLinkChosen);

    createActions();
    connect(m_summary, &WorkspaceSummary::loaded, this, &MainWindow::onLoaded);
    connect(m_summary, &WorkspaceSummary::failed, this,
            [this](const QString& message) { showError(tr("Cannot open workspace"), message); });

    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray()))
        resize(1280, 800);
    restoreState(settings.value("window/state").toByteArray());
    if (auto* split = m_browse->findChild<QSplitter*>("browseSplitter"))
        split->restoreState(settings.value("browse/splitter").toByteArray());
    m_pages->setCurrentIndex(settings.value("window/page", 0).toInt()); // a first start: the Overview
}

void MainWindow::addPage(QWidget* page, const QString& title)
{
    const int index = m_pages->addTab(page, title);
    QAction* go = m_goMenu->addAction(title, this, [this, index] { m_pages->setCurrentIndex(index); });
    go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
    m_pages->setTabToolTip(index, tr("%1 (%2)").arg(title, go->shortcut().toString(QKeySequence::NativeText)));
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName("mainToolbar");
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto add = [&](QMenu* menu, const QString& text, QKeySequence key, auto slot, bool onToolbar) {
        QAction* a = menu->addAction(text, this, slot);
        a->setShortcut(key);
        if (onToolbar)
            toolbar->addAction(a);
        return a;
    };
    add(file, tr("&New Workspace..."), QKeySequence::New, &MainWindow::newWorkspace, false);
    add(file, tr("&Open Workspace..."), QKeySequence::Open, &MainWindow::chooseWorkspace, true);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this,
            [this] { recentWorkspaces::fillMenu(m_recentMenu, [this](const QString& path) { openWorkspace(path); }); });
    add(file, tr("Open &Demo Workspace"), QKeySequence(), &MainWindow::openDemoWorkspace, true);
    add(
        file, tr("Run Demo E&xperiment"), QKeySequence(), [this] { startDemoExperiment(); }, false);
    file->addSeparator();
    add(file, tr("&Import Files..."), QKeySequence(Qt::CTRL | Qt::Key_I), &MainWindow::importFiles, true);
    add(file, tr("&Sample from Teacher..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
        &MainWindow::sampleFromTeacher, true);
    add(file, tr("&Export..."), QKeySequence(Qt::CTRL | Qt::Key_E), &MainWindow::showExportPage, false);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* find = add(edit, tr("&Find Rationales..."), QKeySequence::Find, &MainWindow::showBrowsePage, true);
    connect(find, &QAction::triggered, m_browse, &BrowsePage::focusSearch);
    add(
        edit, tr("&Clear Filters"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
        [this] { m_browse->clearFilters(); }, false);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    add(view, tr("&Refresh"), QKeySequence::Refresh, &MainWindow::refreshAfterChange, false);
    add(
        view, tr("Browse &Plots"), QKeySequence(Qt::CTRL | Qt::Key_P),
        [this] {
            showBrowsePage();
            m_browse->showPlots();
        },
        false);
    view->addAction(toolbar->toggleViewAction());
    menuBar()->addMenu(m_goMenu);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    add(help, tr("&User Guide"), QKeySequence::HelpContents, &MainWindow::showUserGuide, false);
    help->addAction(tr("&Keyboard Shortcuts"), this, [this] { showShortcuts(this, menuBar()); });
    help->addSeparator();
    help->addAction(tr("&About CoTLab"), this, &MainWindow::about);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

QStringList MainWindow::recentWorkspaces() const
{
    return recentWorkspaces::list();
}

QStringList MainWindow::tasksInView() const
{
    if (m_pages->currentWidget() == m_browse) {
        const auto task = m_browse->filter().task;
        return task ? QStringList{QString::fromStdString(*task)} : QStringList{};
    }
    return m_pages->currentWidget() == m_overview ? m_overview->selectedTasks() : QStringList{};
}

void MainWindow::sampleFromTeacher()
{
    if (m_path.isEmpty())
        return showError(tr("Sample from Teacher"), tr("Open a workspace first."));
    if (m_sampleDialog && m_sampleDialog->property("workspace").toString() != m_path) {
        if (m_sampleDialog->job()->running()) {
            m_sampleDialog->show();
            m_sampleDialog->raise();
            return; // a job for the other workspace is still running: its dialog stays
        }
        delete m_sampleDialog;
    }
    if (!m_sampleDialog) {
        m_sampleDialog = new SampleDialog(m_path, taskNames(), this);
        m_sampleDialog->setProperty("workspace", m_path);
        connect(m_sampleDialog, &SampleDialog::sampled, this, &MainWindow::refreshAfterChange);
    }
    if (const QStringList tasks = tasksInView(); !tasks.isEmpty() && !m_sampleDialog->job()->running())
        m_sampleDialog->setTasksInView(tasks);
    m_sampleDialog->show();
    m_sampleDialog->raise();
    m_sampleDialog->activateWindow();
}

void MainWindow::refreshAfterChange()
{
    if (m_path.isEmpty())
        return;
    m_summary->reload(m_path);
    m_browse->refresh();
    m_corpus->setWorkspace(m_path);
}

void MainWindow::openWorkspace(const QString& path)
{
    if (path != m_path && m_demoJob->running()) {
        m_demoJob->stop(); // its workspace is being closed; Run Demo Experiment continues it later
        statusBar()->showMessage(tr("The demo experiment stopped; File > Run Demo Experiment continues it."), 10000);
    }
    m_path = path;
    setWindowTitle(tr("%1 - CoTLab").arg(QFileInfo(path).fileName()));
    m_overview->showWorkspace(path);
    statusBar()->showMessage(tr("Loading %1...").arg(path));
    QSettings().setValue("workspace/last", path);
    recentWorkspaces::remember(path);
    m_summary->reload(path);
    m_browse->setWorkspace(path);
    m_corpus->setWorkspace(path);
    m_export->setWorkspace(path);
}

QString MainWindow::demoWorkspacePath() const
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/demo.cotlab";
}

void MainWindow::openDemoWorkspace()
{
    const QString path = demoWorkspacePath();
    // The demo's student: a real tiny pretrained model bundled with the demo data.
    const QString demoModels =
        QString::fromStdString(ingest::DemoBuilder::findDemoData(QApplication::applicationFilePath().toStdString())) +
        "/models/stories260K";
    if (QFileInfo::exists(demoModels + "/stories260K.bin")) {
        m_train->setModelPath(demoModels + "/stories260K.bin", demoModels + "/tok512.bin");
        m_evaluate->setModelPath(demoModels + "/stories260K.bin", demoModels + "/tok512.bin");
    }
    if (QFileInfo::exists(path)) {
        openWorkspace(path);
        return;
    }
    const std::string demoData = ingest::DemoBuilder::findDemoData(QApplication::applicationFilePath().toStdString());
    const std::string target = path.toStdString();
    connect(
        m_jobs, &JobRunner::finished, this,
        [this, path](bool ok, const QString& message) {
            if (ok) {
                m_offerDemoExperiment = true;
                openWorkspace(path);
            } else {
                showError(tr("Cannot build the demo workspace"), message);
            }
        },
        Qt::SingleShotConnection);
    m_jobs->start(tr("Building the demo workspace"),
                  [demoData, target](const jobs::ProgressSink& progress, const jobs::StopToken& stop) {
                      ingest::DemoBuilder::ensure(target, demoData, progress, &stop);
                      return QString();
                  });
}

void MainWindow::chooseWorkspace()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Workspace"), dialogFolder(m_path),
                                                      tr("CoTLab workspaces (*.cotlab);;All files (*)"));
    if (!path.isEmpty())
        openWorkspace(path);
}

void MainWindow::newWorkspace()
{
    QString path = QFileDialog::getSaveFileName(this, tr("New Workspace"), dialogFolder(m_path),
                                                tr("CoTLab workspaces (*.cotlab)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(".cotlab"))
        path += ".cotlab";
    openWorkspace(path);
}

void MainWindow::importFiles()
{
    if (m_path.isEmpty()) {
        showError(tr("Import"), tr("Open or create a workspace first."));
        return;
    }
    ImportDialog* dialog = openImportDialog();
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setModal(true);
    dialog->show();
}

ImportDialog* MainWindow::openImportDialog(const QStringList& files)
{
    auto* dialog = new ImportDialog(m_path, this);
    dialog->addFiles(files);
    connect(dialog, &ImportDialog::imported, this, &MainWindow::refreshAfterChange);
    return dialog;
}

void MainWindow::showExportPage()
{
    m_export->showKind(ExportPage::Rationales);
    m_pages->setCurrentWidget(m_export);
}

void MainWindow::buildDemoStatus()
{
    auto* label = new QLabel;
    label->setObjectName("demoStage");
    auto* bar = new QProgressBar;
    bar->setObjectName("demoProgress");
    bar->setMaximumWidth(180);
    auto* stop = new QToolButton;
    stop->setText(tr("Stop"));
    stop->setToolTip(tr("Stop the demo experiment; what it finished is kept and Run Demo Experiment continues"));
    auto* layout = new QHBoxLayout(m_demoStatus);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label);
    layout->addWidget(bar);
    layout->addWidget(stop);
    m_demoStatus->setVisible(false);
    statusBar()->addWidget(m_demoStatus);
    connect(stop, &QToolButton::clicked, m_demoJob, &BackgroundJob::stop);
    connect(m_demoJob, &DemoExperimentJob::progressed, this,
            [label, bar](const QString& stage, quint64 done, quint64 total) {
                label->setText(tr("Demo experiment: %1").arg(stage));
                bar->setRange(0, total ? 1000 : 0);
                bar->setValue(total ? int(1000.0 * double(done) / double(total)) : 0);
            });
    connect(m_demoJob, &DemoExperimentJob::stageDone, this, &MainWindow::refreshAfterChange);
    connect(m_demoJob, &BackgroundJob::finished, this, [this](bool ok, const QString&, const QString& message) {
        m_demoStatus->setVisible(false);
        refreshAfterChange();
        if (ok)
            statusBar()->showMessage(message, 30000);
        else
            showError(tr("The demo experiment failed"), message);
    });
}

bool MainWindow::startDemoExperiment(std::optional<train::DemoExperimentOptions> options)
{
    const auto refuse = [this](const QString& why) {
        showError(tr("Demo Experiment"), why);
        return false;
    };
    if (m_demoJob->running())
        return refuse(tr("The demo experiment is already running (see the status bar)."));
    if (m_path.isEmpty())
        return refuse(tr("Open the demo workspace first (File > Open Demo Workspace)."));
    if (!options) {
        QString tokenizer;
        const QString model = DemoExperimentJob::demoModel(&tokenizer);
        if (model.isEmpty())
            return refuse(tr("The bundled student (resources/demo/models/stories260K) was not found; reinstall "
                             "CoTLab or set COTLAB_DEMO_DIR to the demo data folder."));
        options.emplace();
        options->modelPath = model.toStdString();
        options->tokenizerPath = tokenizer.toStdString();
    }
    options->workspace = m_path.toStdString();
    if (options->runsFolder.empty())
        options->runsFolder = (QFileInfo(m_path).absolutePath() + "/demo-runs").toStdString();
    if (!m_demoJob->start(*options))
        return refuse(tr("The demo experiment could not start while another one runs."));
    m_demoStatus->findChild<QLabel*>("demoStage")->setText(tr("Demo experiment: starting…"));
    m_demoStatus->findChild<QProgressBar*>("demoProgress")->setRange(0, 0);
    m_demoStatus->setVisible(true);
    return true;
}

void MainWindow::showUserGuide()
{
    if (!m_help) {
        m_help = new HelpBrowser(this);
        m_help->showPage("user-guide.md");
    }
    m_help->show();
    m_help->raise();
    m_help->activateWindow();
}

void MainWindow::onLinkChosen(const QString& link)
{
    const QMap<QString, QWidget*> pages{{"page:browse", m_browse}, {"page:corpus", m_corpus},
                                        {"page:train", m_train},   {"page:evaluate", m_evaluate},
                                        {"page:review", m_review}, {"page:export", m_export}};
    if (QWidget* page = pages.value(link))
        m_pages->setCurrentWidget(page);
    else if (link == "action:demo-experiment")
        startDemoExperiment();
    else if (link == "action:import")
        importFiles();
    else if (link == "action:sample")
        sampleFromTeacher();
}

void MainWindow::onLoaded(qint64 tasks, qint64 instances, qint64 teacherRationales, qint64 otherRationales)
{
    m_counts->setText((tasks == 1 ? tr("1 task") : tr("%1 tasks").arg(QLocale().toString(tasks))) +
                      tr(" · %1 instances · %2 teacher rationales · %3 student and human")
                          .arg(QLocale().toString(instances), QLocale().toString(teacherRationales),
                               QLocale().toString(otherRationales)));
    statusBar()->clearMessage();
    m_overview->showSummary();
    m_train->setWorkspace(m_path, taskNames());
    m_evaluate->setWorkspace(m_path, taskNames());
    m_review->setWorkspace(m_path, taskNames());
    m_corpus->setTasks(taskNames());
    const bool demo = m_path == demoWorkspacePath();
    const bool hasStudents = std::any_of(m_summary->stats().begin(), m_summary->stats().end(),
                                         [](const auto& t) { return t.studentRationales > 0; });
    m_overview->showNextSteps(demo, hasStudents);
    if (std::exchange(m_offerDemoExperiment, false) && demo && !hasStudents && !m_demoJob->running()) {
        m_pages->setCurrentWidget(m_overview);
        if (qEnvironmentVariableIsEmpty("COTLAB_NO_DIALOGS") &&
            QMessageBox::question(this, tr("Demo Experiment"),
                                  tr("Run the demo experiment now? The bundled 260K-parameter student learns the "
                                     "generated last-letter task twice, with chain of thought and with labels "
                                     "only (plus two smaller runs for a learning curve); each student is "
                                     "evaluated and a small blind study is set up, so that every page shows real "
                                     "results. It takes a few minutes on a laptop CPU and runs in the background; "
                                     "File > Run Demo Experiment starts it later.")) == QMessageBox::Yes)
            startDemoExperiment();
    }
    Q_EMIT workspaceLoaded();
}

QStringList MainWindow::taskNames() const
{
    QStringList names;
    for (const auto& t : m_summary->stats())
        names << QString::fromStdString(t.task);
    return names;
}

void MainWindow::showTrainPage()
{
    m_pages->setCurrentWidget(m_train);
}

void MainWindow::showBrowsePage()
{
    m_pages->setCurrentWidget(m_browse);
}

void MainWindow::showEvaluatePage()
{
    m_pages->setCurrentWidget(m_evaluate);
}

void MainWindow::about()
{
    const auto torch = nn::TorchInfo::query();
    QMessageBox::about(
        this, tr("About CoTLab"),
        tr("<h3>CoTLab %1</h3><p>A workbench for chain-of-thought distillation: import teacher "
           "rationales, build corpora, fine-tune and evaluate small students.</p>"
           "<p>Qt %2<br>libtorch %3 (%4)<br>SQLite %5</p><p>BLAS: %6<br>CPU threads: %7</p>")
            .arg(QString::fromStdString(cotlabVersion()), qVersion(), QString::fromStdString(torch.version),
                 torch.cudaAvailable ? tr("CUDA, %1 devices").arg(torch.cudaDevices) : tr("CPU"),
                 QString::fromStdString(sqliteVersion()),
                 torch.blas.empty() ? tr("unknown") : QString::fromStdString(torch.blas).toHtmlEscaped(),
                 torch.blasThreads > 0 ? tr("libtorch %1, OpenBLAS %2").arg(torch.cpuThreads).arg(torch.blasThreads)
                                       : tr("libtorch %1").arg(torch.cpuThreads)));
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message, 15000);
    showFailureDialog(this, title, message);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_train->job()->running()) {
        const bool ask = qEnvironmentVariableIsEmpty("COTLAB_NO_DIALOGS");
        const auto answer =
            ask ? QMessageBox::question(this, tr("Quit CoTLab"),
                                        tr("A training run is in progress. Stop it and quit? It stops after the "
                                           "current step and writes a checkpoint; Resume continues it later."))
                : QMessageBox::Yes;
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_train->stopTraining();
        m_train->job()->waitForIdle();
    }
    if (m_demoJob->running()) {
        // Like a run: it stops after the current step with a checkpoint, and Run Demo Experiment continues it.
        m_demoJob->stop();
        m_demoJob->waitForIdle();
    }
    if (m_evaluate->job()->running()) {
        // A stopped evaluation keeps every stored batch: stopping loses at most the batch being generated.
        m_evaluate->stopEvaluation();
        m_evaluate->job()->waitForIdle();
    }
    if (m_jobs->busy()) {
        const auto answer = QMessageBox::question(this, tr("Quit CoTLab"),
                                                  tr("A job is still running. Stop it and quit? Stopping leaves the "
                                                     "workspace as it was before the job."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_jobs->cancel();
        m_jobs->waitForIdle();
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("window/page", m_pages->currentIndex());
    if (auto* split = m_browse->findChild<QSplitter*>("browseSplitter"))
        settings.setValue("browse/splitter", split->saveState());
    event->accept();
}

} // namespace cotlab::ui
