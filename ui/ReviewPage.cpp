#include "ReviewPage.h"

#include "FormWidgets.h"
#include "LabelingView.h"
#include "NewStudyDialog.h"
#include "PlotFiles.h"
#include "QCustomPlotInclude.h"
#include "ReviewPlots.h"
#include "report/StudySheets.h"
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

void setRow(QTableWidget* t, int row, const QStringList& cells)
{
    for (int c = 0; c < cells.size(); ++c)
        t->setItem(row, c, new QTableWidgetItem(cells[c]));
}

QString percentWithInterval(const review::MeanInterval& m)
{
    if (m.n == 0)
        return QObject::tr("– (no labels yet)");
    return QString("%1% [%2, %3]")
        .arg(100 * m.mean, 0, 'f', 1)
        .arg(100 * m.low, 0, 'f', 1)
        .arg(100 * m.high, 0, 'f', 1);
}

QString number(const std::optional<double>& value)
{
    return value ? QString::number(*value, 'f', 3) : QObject::tr("n/a");
}

QString spreadsheetFilter()
{
    return QObject::tr("Spreadsheets (*.xlsx *.csv);;Excel workbook (*.xlsx);;CSV (*.csv)");
}

} // namespace

ReviewPage::ReviewPage(QWidget* parent)
    : QWidget(parent), m_stack(new QStackedWidget), m_studies(new QListWidget), m_title(new QLabel),
      m_annotator(new QComboBox), m_start(new QPushButton(tr("Start &Labelling"))),
      m_annotators(
          readOnlyTable({tr("Annotator"), tr("Complete items"), tr("Labels"), tr("Resumes at item")}, "annotators")),
      m_results(
          readOnlyTable({tr("Criterion"), tr("A preferred"), tr("Tie"), tr("B preferred"), tr("Items")}, "results")),
      m_agreement(readOnlyTable({tr("Criterion"), tr("Items"), tr("Observed agreement"), tr("Fleiss' kappa"),
                                 tr("Krippendorff's alpha (nominal)"), tr("Krippendorff's alpha (ordinal)"),
                                 tr("Cohen's kappa per pair")},
                                "agreement")),
      m_resultsPlot(new QCustomPlot), m_agreementPlot(new QCustomPlot), m_message(new QLabel),
      m_labeling(new LabelingView)
{
    m_stack->addWidget(buildOverview());
    m_stack->addWidget(m_labeling);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    connect(m_labeling, &LabelingView::labelGiven, this,
            [this](qint64 item, qint64 annotator, const QString& criterion, const QString& value) {
                ++m_pendingLabels;
                post(
                    [this, item, annotator, c = criterion.toStdString(), v = value.toStdString()](store::Database& db) {
                        store::ReviewRepository(db).setLabel(item, annotator, c, v);
                        --m_pendingLabels;
                        QMetaObject::invokeMethod(
                            this, [this] { Q_EMIT labelStored(); }, Qt::QueuedConnection);
                    },
                    true);
            });
    connect(m_labeling, &LabelingView::commentGiven, this,
            [this](qint64 item, qint64 annotator, const QString& comment) {
                post([item, annotator, c = comment.toStdString()](
                         store::Database& db) { store::ReviewRepository(db).setComment(item, annotator, c); },
                     true);
            });
    connect(m_labeling, &LabelingView::positionChanged, this, [this](qint64 annotator, qint64 position) {
        post([annotator, position](store::Database& db) {
            store::ReviewRepository(db).setPosition(annotator, position);
        });
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

    m_title->setObjectName("studyTitle");
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::RichText);
    m_annotator->setObjectName("annotator");
    m_annotator->setEditable(true);
    m_annotator->setMinimumWidth(160);
    m_annotator->lineEdit()->setPlaceholderText(tr("your name"));
    m_start->setObjectName("startLabelling");
    connect(m_start, &QPushButton::clicked, this, [this] { startLabelling(m_annotator->currentText().trimmed()); });
    connect(m_annotator->lineEdit(), &QLineEdit::returnPressed, m_start, &QPushButton::click);
    auto folder = [this] { return QFileInfo(m_workspace).absolutePath(); };
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
    auto* actions = new QHBoxLayout;
    actions->addWidget(new QLabel(tr("Annotator:")));
    actions->addWidget(m_annotator);
    actions->addWidget(m_start);
    actions->addStretch();
    actions->addWidget(exportXlsx);
    actions->addWidget(blank);
    actions->addWidget(import);
    m_needsStudy = {m_annotator, m_start, exportXlsx, blank, import, remove};

    for (QCustomPlot* p : {m_resultsPlot, m_agreementPlot})
        p->setMinimumHeight(240);
    m_resultsPlot->setObjectName("resultsPlot");
    m_agreementPlot->setObjectName("agreementPlot");
    auto report = [this](const QString& text, bool error) { showMessage(text, error); };
    auto tab = [&](QTableWidget* t, QCustomPlot* p, const QString& name) {
        auto* split = new QSplitter(Qt::Vertical);
        split->addWidget(t);
        auto* plotBox = new QWidget;
        auto* plotLayout = new QVBoxLayout(plotBox);
        plotLayout->setContentsMargins(0, 0, 0, 0);
        plotLayout->addWidget(p, 1);
        auto* row = new QHBoxLayout;
        row->addStretch();
        row->addWidget(savePlotButton(p, name, folder, report));
        plotLayout->addLayout(row);
        split->addWidget(plotBox);
        split->setStretchFactor(1, 2);
        return split;
    };
    auto* tabs = new QTabWidget;
    tabs->setObjectName("reviewTabs");
    tabs->addTab(tab(m_results, m_resultsPlot, "study-results"), tr("Results"));
    tabs->addTab(tab(m_agreement, m_agreementPlot, "study-agreement"), tr("Agreement"));
    tabs->addTab(m_annotators, tr("Annotators"));

    m_message->setObjectName("message");
    m_message->setWordWrap(true);
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->addWidget(m_title);
    rightLayout->addLayout(actions);
    rightLayout->addWidget(tabs, 1);
    rightLayout->addWidget(m_message);

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

void ReviewPage::post(WorkspaceThread::Task task, bool urgent)
{
    m_store.post(std::move(task), taskOptions(
                                      [this](const std::string& e) {
                                          QMetaObject::invokeMethod(
                                              this,
                                              [this, m = fromStd(e)] {
                                                  showMessage(m, true);
                                                  Q_EMIT failed(m);
                                              },
                                              Qt::QueuedConnection);
                                      },
                                      urgent));
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
    const QString selected = currentStudy();
    post([this, selected](store::Database& db) {
        store::ReviewRepository repo(db);
        QStringList names, sources, descriptions;
        for (const auto& s : repo.list())
            names << fromStd(s.name);
        for (const auto& s : repo.sources()) {
            const QString label = fromStd(review::Source{s.kind, s.model}.label());
            sources << label;
            descriptions << tr("%1 (%2 instances)").arg(label).arg(s.instances);
        }
        QMetaObject::invokeMethod(
            this,
            [this, names, sources, descriptions, selected] {
                m_sources = sources;
                m_sourceDescriptions = descriptions;
                const QSignalBlocker block(m_studies);
                m_studies->clear();
                m_studies->addItems(names);
                const auto found = m_studies->findItems(selected, Qt::MatchExactly);
                m_studies->setCurrentRow(found.isEmpty() ? (names.isEmpty() ? -1 : 0) : m_studies->row(found.first()));
                loadReport();
                Q_EMIT studiesChanged();
            },
            Qt::QueuedConnection);
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
    NewStudyDialog dialog(m_sources, m_sourceDescriptions, m_tasks, this);
    if (dialog.exec() == QDialog::Accepted)
        createStudy(dialog.spec());
}

void ReviewPage::createStudy(const review::StudySpec& spec)
{
    showMessage(tr("Sampling the study '%1'…").arg(fromStd(spec.name)), false);
    post([this, spec](store::Database& db) {
        const int64_t id = review::createStudy(db, spec);
        const auto items = store::ReviewRepository(db).items(id).size();
        QMetaObject::invokeMethod(
            this,
            [this, name = fromStd(spec.name), items] {
                showMessage(tr("Created the study '%1' with %2 items.").arg(name).arg(items), false);
                refresh();
                connect(
                    this, &ReviewPage::studiesChanged, this, [this, name] { selectStudy(name); },
                    Qt::SingleShotConnection);
            },
            Qt::QueuedConnection);
    });
}

void ReviewPage::deleteStudy(const QString& name)
{
    post([this, name](store::Database& db) {
        store::ReviewRepository(db).remove(name.toStdString());
        QMetaObject::invokeMethod(
            this,
            [this, name] {
                showMessage(tr("Deleted the study '%1'.").arg(name), false);
                refresh();
            },
            Qt::QueuedConnection);
    });
}

void ReviewPage::loadReport()
{
    const QString name = currentStudy();
    for (QWidget* w : m_needsStudy)
        w->setEnabled(!name.isEmpty());
    if (name.isEmpty()) {
        m_title->setText(m_studies->count() ? QString()
                                            : tr("<h3>No studies yet</h3><p>A study asks people to judge rationales: a "
                                                 "student's against the teacher's, blind, or one at a time on criteria "
                                                 "such as fluency and factual correctness. Press <b>New Study…</b> to "
                                                 "sample one.</p>"));
        m_results->setRowCount(0);
        m_agreement->setRowCount(0);
        m_annotators->setRowCount(0);
        return;
    }
    post([this, name](store::Database& db) {
        auto report = std::make_shared<review::StudyReport>(
            review::studyReport(db, review::findStudy(db, name.toStdString()).id));
        QMetaObject::invokeMethod(
            this,
            [this, report, name] {
                if (name == currentStudy())
                    showReport(*report);
            },
            Qt::QueuedConnection);
    });
}

void ReviewPage::showReport(const review::StudyReport& report)
{
    const auto& spec = report.spec;
    const bool pairwise = spec.mode == review::Mode::Pairwise;
    QStringList sources;
    for (size_t s = 0; s < spec.sources.size(); ++s)
        sources << (pairwise ? QString(s == 0 ? "A: " : "B: ") : QString()) + fromStd(spec.sources[s].label());
    QStringList criteria;
    for (const auto& c : spec.criteria)
        criteria << fromStd(c.key) + " (" + review::scaleName(c.scale) + ")";
    m_title->setText(tr("<h3 style='margin:0'>%1</h3><p style='margin:2px 0'>%2 · %3 · %4 items from %5%6%7 · seed %8%9"
                        "</p><p style='margin:2px 0;color:gray'>Criteria: %10</p>")
                         .arg(fromStd(report.study.name).toHtmlEscaped(),
                              pairwise ? tr("blind pairwise") : tr("one rationale at a time"),
                              sources.join(pairwise ? " vs " : ", ").toHtmlEscaped())
                         .arg(report.items)
                         .arg(spec.tasks.empty() ? tr("all tasks") : fromStd([&] {
                                  std::string t;
                                  for (const auto& x : spec.tasks)
                                      t += (t.empty() ? "" : ", ") + x;
                                  return t;
                              }()),
                              spec.split.empty() ? QString() : tr(", split %1").arg(fromStd(spec.split)),
                              spec.stratifyByTask || spec.stratifyByCorrectness ? tr(", stratified") : QString())
                         .arg(spec.seed)
                         .arg(spec.hideGold ? tr(" · gold hidden") : QString(), criteria.join(", ")));

    const QString current = m_annotator->currentText();
    m_annotator->clear();
    m_annotators->setRowCount(int(report.annotators.size()));
    for (int i = 0; i < int(report.annotators.size()); ++i) {
        const auto& a = report.annotators[size_t(i)];
        m_annotator->addItem(fromStd(a.name));
        setRow(m_annotators, i,
               {fromStd(a.name), QString("%1 of %2").arg(a.complete).arg(report.items), QString::number(a.labels),
                QString::number(a.position + 1)});
    }
    m_annotator->setCurrentText(current);

    if (pairwise) {
        m_results->setColumnCount(5);
        m_results->setHorizontalHeaderLabels({tr("Criterion"), fromStd(spec.sources[0].label()) + tr(" preferred"),
                                              tr("Tie"), fromStd(spec.sources[1].label()) + tr(" preferred"),
                                              tr("Items labelled")});
        m_results->setRowCount(int(report.preferences.size()));
        for (int i = 0; i < int(report.preferences.size()); ++i) {
            const auto& p = report.preferences[size_t(i)];
            setRow(m_results, i,
                   {fromStd(p.criterion), percentWithInterval(p.aWins), percentWithInterval(p.ties),
                    percentWithInterval(p.bWins), QString::number(p.aWins.n)});
        }
    } else {
        m_results->setColumnCount(4);
        m_results->setHorizontalHeaderLabels(
            {tr("Criterion"), tr("Source"), tr("Mean rating [95% CI]"), tr("Items labelled")});
        m_results->setRowCount(int(report.ratings.size()));
        for (int i = 0; i < int(report.ratings.size()); ++i) {
            const auto& r = report.ratings[size_t(i)];
            setRow(m_results, i,
                   {fromStd(r.criterion), fromStd(r.source),
                    QString("%1 [%2, %3]")
                        .arg(r.rating.mean, 0, 'f', 2)
                        .arg(r.rating.low, 0, 'f', 2)
                        .arg(r.rating.high, 0, 'f', 2),
                    QString::number(r.rating.n)});
        }
    }
    m_results->resizeColumnsToContents();

    m_agreement->setRowCount(int(report.agreement.size()));
    for (int i = 0; i < int(report.agreement.size()); ++i) {
        const auto& a = report.agreement[size_t(i)];
        QStringList pairs;
        for (const auto& p : a.cohen)
            pairs << QString("%1/%2 %3").arg(fromStd(p.first), fromStd(p.second), number(p.kappa));
        setRow(m_agreement, i,
               {fromStd(a.criterion), QString::number(a.items),
                a.observed ? QString("%1%").arg(100 * *a.observed, 0, 'f', 1) : tr("n/a"), number(a.fleiss),
                number(a.alphaNominal), number(a.alphaOrdinal),
                pairs.isEmpty() ? tr("needs two annotators") : pairs.join("; ")});
    }
    m_agreement->resizeColumnsToContents();
    plotStudyResults(m_resultsPlot, report);
    plotStudyAgreement(m_agreementPlot, report);
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
    post([this, name, annotator](store::Database& db) {
        auto session = std::make_shared<review::AnnotatorSession>(
            review::openSession(db, review::findStudy(db, name.toStdString()).id, annotator.toStdString()));
        QMetaObject::invokeMethod(
            this,
            [this, session] {
                m_labeling->start(std::move(*session));
                m_stack->setCurrentWidget(m_labeling);
                m_labeling->setFocus();
                showMessage({}, false);
                Q_EMIT sessionStarted();
            },
            Qt::QueuedConnection);
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
    const QString name = currentStudy();
    post([this, name, path](store::Database& db) {
        const auto files = report::writeSheets(path.toStdString(),
                                               report::studySheets(db, review::findStudy(db, name.toStdString()).id));
        QMetaObject::invokeMethod(
            this,
            [this, n = files.size(), first = fromStd(files.front())] {
                showMessage(n == 1 ? tr("Wrote %1.").arg(first) : tr("Wrote %1 CSV files beside %2.").arg(n).arg(first),
                            false);
                Q_EMIT exported();
            },
            Qt::QueuedConnection);
    });
}

void ReviewPage::exportBlankSheet(const QString& path, const QString& annotator)
{
    const QString name = currentStudy();
    post([this, name, path, annotator](store::Database& db) {
        const auto study = review::findStudy(db, name.toStdString());
        report::writeSheets(path.toStdString(), {report::blankLabelSheet(db, study.id, annotator.toStdString())});
        QMetaObject::invokeMethod(
            this,
            [this, path, annotator] {
                showMessage(tr("Wrote %1's label sheet to %2.").arg(annotator, path), false);
                Q_EMIT exported();
            },
            Qt::QueuedConnection);
    });
}

void ReviewPage::importSheets(const QStringList& paths, const QString& annotator)
{
    const QString name = currentStudy();
    post([this, name, paths, annotator](store::Database& db) {
        const auto study = review::findStudy(db, name.toStdString());
        QStringList lines;
        for (const QString& path : paths) {
            const auto imported = report::importLabelSheet(db, study.id, path.toStdString(), annotator.toStdString());
            lines << tr("%1: %2 labels, %3 comments")
                         .arg(QFileInfo(path).fileName())
                         .arg(imported.labels)
                         .arg(imported.comments);
        }
        QMetaObject::invokeMethod(
            this,
            [this, lines] {
                showMessage(tr("Imported ") + lines.join("; ") + ".", false);
                loadReport();
                Q_EMIT imported();
            },
            Qt::QueuedConnection);
    });
}

QCustomPlot* ReviewPage::plot(const QString& name) const
{
    return name == "agreement" ? m_agreementPlot : m_resultsPlot;
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
