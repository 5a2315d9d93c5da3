#include "MainWindow.h"

#include "EvaluatePage.h"
#include "EvaluationJob.h"
#include "JobRunner.h"
#include "TrainPage.h"
#include "TrainingJob.h"
#include "QCustomPlotInclude.h"
#include "WorkspaceSummary.h"
#include "ingest/DemoBuilder.h"
#include "ingest/Importer.h"
#include "ingest/InterchangeExporter.h"
#include "nn/TorchInfo.h"
#include "store/Workspace.h"
#include "util/Version.h"

#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace cotlab::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_summary(new WorkspaceSummary(this)), m_jobs(new JobRunner(this)), m_table(new QTableView),
      m_plot(new QCustomPlot), m_header(new QLabel), m_counts(new QLabel), m_train(new TrainPage),
      m_evaluate(new EvaluatePage), m_pages(new QTabWidget)
{
    setWindowTitle(tr("CoTLab"));
    setWindowIcon(QIcon(":/icons/cotlab.svg"));

    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setText(tr("No workspace open. File > Open Workspace, or File > Open Demo Workspace."));
    QFont headerFont = m_header->font();
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.15);
    m_header->setFont(headerFont);

    m_table->setModel(m_summary);
    m_table->setSortingEnabled(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);

    m_plot->setMinimumHeight(220);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, tr("Teacher accuracy per task"), QFont()));

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(m_plot);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto* overview = new QWidget;
    auto* layout = new QVBoxLayout(overview);
    layout->addWidget(m_header);
    layout->addWidget(splitter, 1);
    m_pages->addTab(overview, tr("Overview"));
    m_pages->addTab(m_train, tr("Train"));
    m_pages->addTab(m_evaluate, tr("Evaluate"));
    // A finished run is a student to evaluate.
    connect(m_train, &TrainPage::runFinished, this, [this] { m_evaluate->setWorkspace(m_path, taskNames()); });
    m_pages->setDocumentMode(true);
    setCentralWidget(m_pages);
    statusBar()->addPermanentWidget(m_counts);

    createActions();
    connect(m_summary, &WorkspaceSummary::loaded, this, &MainWindow::onLoaded);
    connect(m_summary, &WorkspaceSummary::failed, this,
            [this](const QString& message) { showError(tr("Cannot open workspace"), message); });

    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray()))
        resize(1100, 700);
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName("mainToolbar");
    auto add = [&](const QString& text, QKeySequence key, auto slot, bool onToolbar) {
        QAction* a = file->addAction(text, this, slot);
        a->setShortcut(key);
        if (onToolbar)
            toolbar->addAction(a);
        return a;
    };
    add(tr("&New Workspace..."), QKeySequence::New, &MainWindow::newWorkspace, false);
    add(tr("&Open Workspace..."), QKeySequence::Open, &MainWindow::chooseWorkspace, true);
    add(tr("Open &Demo Workspace"), QKeySequence(), &MainWindow::openDemoWorkspace, true);
    file->addSeparator();
    add(tr("&Import Files..."), QKeySequence(Qt::CTRL | Qt::Key_I), &MainWindow::importFiles, true);
    add(tr("&Export as JSONL..."), QKeySequence(Qt::CTRL | Qt::Key_E), &MainWindow::exportJsonl, false);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About CoTLab"), this, &MainWindow::about);
}

void MainWindow::openWorkspace(const QString& path)
{
    m_path = path;
    setWindowTitle(tr("%1 - CoTLab").arg(QFileInfo(path).fileName()));
    m_header->setText(tr("Workspace <b>%1</b> &nbsp; <span style='color:gray'>%2</span>")
                          .arg(QFileInfo(path).fileName().toHtmlEscaped(), path.toHtmlEscaped()));
    statusBar()->showMessage(tr("Loading %1...").arg(path));
    QSettings().setValue("workspace/last", path);
    m_summary->reload(path);
}

void MainWindow::openDemoWorkspace()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const QString path = dir + "/demo.cotlab";
    // The demo's student: a real tiny pretrained model bundled with the demo data.
    const QString demoModels = QString::fromStdString(
                                   ingest::DemoBuilder::findDemoData(QApplication::applicationFilePath().toStdString())) +
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
            if (ok)
                openWorkspace(path);
            else
                showError(tr("Cannot build the demo workspace"), message);
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
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Workspace"), QString(),
                                                      tr("CoTLab workspaces (*.cotlab);;All files (*)"));
    if (!path.isEmpty())
        openWorkspace(path);
}

void MainWindow::newWorkspace()
{
    QString path =
        QFileDialog::getSaveFileName(this, tr("New Workspace"), QString(), tr("CoTLab workspaces (*.cotlab)"));
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
    const QStringList files =
        QFileDialog::getOpenFileNames(this, tr("Import Files"), QSettings().value("import/dir").toString(),
                                      tr("Rationales and datasets (*.jsonl *.json);;All files (*)"));
    if (files.isEmpty())
        return;
    QSettings().setValue("import/dir", QFileInfo(files.first()).absolutePath());
    const std::string ws = m_path.toStdString();
    std::vector<std::string> paths;
    for (const QString& f : files)
        paths.push_back(f.toStdString());
    connect(
        m_jobs, &JobRunner::finished, this,
        [this](bool ok, const QString& message) {
            m_summary->reload(m_path);
            if (ok)
                statusBar()->showMessage(message, 10000);
            else
                showError(tr("Import failed"), message);
        },
        Qt::SingleShotConnection);
    m_jobs->start(tr("Importing"), [ws, paths](const jobs::ProgressSink& progress, const jobs::StopToken& stop) {
        store::Workspace workspace(ws);
        qint64 rationales = 0, instances = 0;
        for (const auto& p : paths) {
            const auto r = ingest::Importer::importFile(workspace.db(), p, {}, progress, &stop);
            rationales += r.rationalesAdded;
            instances += r.instancesAdded;
        }
        return QObject::tr("Imported %1 files: %2 instances and %3 rationales added")
            .arg(paths.size())
            .arg(instances)
            .arg(rationales);
    });
}

void MainWindow::exportJsonl()
{
    if (m_path.isEmpty())
        return;
    const QString out = QFileDialog::getSaveFileName(this, tr("Export as JSONL"), QString(),
                                                     tr("Rationale interchange JSONL (*.jsonl)"));
    if (out.isEmpty())
        return;
    const std::string ws = m_path.toStdString(), target = out.toStdString();
    connect(
        m_jobs, &JobRunner::finished, this,
        [this](bool ok, const QString& message) {
            if (ok)
                statusBar()->showMessage(message, 10000);
            else
                showError(tr("Export failed"), message);
        },
        Qt::SingleShotConnection);
    m_jobs->start(tr("Exporting"), [ws, target](const jobs::ProgressSink& progress, const jobs::StopToken& stop) {
        store::Workspace workspace(ws);
        const auto r = ingest::InterchangeExporter::exportJsonl(workspace.db(), target, std::nullopt, progress, &stop);
        return QObject::tr("Exported %1 rationales to %2").arg(r.rationales).arg(QString::fromStdString(target));
    });
}

void MainWindow::onLoaded(qint64 tasks, qint64 instances, qint64 rationales)
{
    m_counts->setText(
        tr("%1 tasks · %2 instances · %3 rationales")
            .arg(QLocale().toString(tasks), QLocale().toString(instances), QLocale().toString(rationales)));
    statusBar()->clearMessage();
    m_table->resizeColumnsToContents();
    updatePlot();
    m_train->setWorkspace(m_path, taskNames());
    m_evaluate->setWorkspace(m_path, taskNames());
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

void MainWindow::showEvaluatePage()
{
    m_pages->setCurrentWidget(m_evaluate);
}

void MainWindow::updatePlot()
{
    m_plot->clearPlottables();
    auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    bars->setBrush(QColor(43, 87, 151, 200));
    bars->setPen(Qt::NoPen);
    QVector<double> ticks, values;
    QVector<QString> labels;
    for (const auto& s : m_summary->stats()) {
        if (!s.teacherRationales)
            continue;
        ticks << ticks.size() + 1;
        values << 100.0 * s.teacherAccuracy();
        labels << QString::fromStdString(s.task);
    }
    bars->setData(ticks, values);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(ticks, labels);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setTickLabelRotation(25);
    m_plot->xAxis->setRange(0.3, ticks.size() + 0.7);
    m_plot->yAxis->setRange(0, 100);
    m_plot->yAxis->setLabel(tr("% correct"));
    m_plot->replot();
}

void MainWindow::about()
{
    const auto torch = nn::TorchInfo::query();
    QMessageBox::about(this, tr("About CoTLab"),
                       tr("<h3>CoTLab %1</h3><p>A workbench for chain-of-thought distillation: import teacher "
                          "rationales, build corpora, fine-tune and evaluate small students.</p>"
                          "<p>Qt %2<br>libtorch %3 (%4)<br>SQLite %5</p>")
                           .arg(QString::fromStdString(cotlabVersion()), qVersion(),
                                QString::fromStdString(torch.version),
                                torch.cudaAvailable ? tr("CUDA, %1 devices").arg(torch.cudaDevices) : tr("CPU"),
                                QString::fromStdString(sqliteVersion())));
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message, 15000);
    if (qEnvironmentVariableIsSet("COTLAB_NO_DIALOGS"))
        return; // tests and headless runs
    QMessageBox::warning(this, title, message);
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
    QSettings().setValue("window/geometry", saveGeometry());
    event->accept();
}

} // namespace cotlab::ui
