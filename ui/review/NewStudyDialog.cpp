#include "review/NewStudyDialog.h"

#include "common/FormWidgets.h"
#include "util/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace cotlab::ui {

namespace {

QComboBox* scaleBox(review::Scale scale)
{
    auto* box = new QComboBox;
    for (auto s : {review::Scale::Binary, review::Scale::Likert5, review::Scale::Preference})
        box->addItem(review::scaleName(s));
    box->setCurrentText(review::scaleName(scale));
    return box;
}

} // namespace

NewStudyDialog::NewStudyDialog(review::StudySources sources, const QStringList& tasks, QWidget* parent)
    : QDialog(parent), m_sources(std::move(sources))
{
    setWindowTitle(tr("New Study"));
    QLayout* form = buildForm(tasks);
    QLayout* criteriaButtons = buildCriteria();
    m_error = new QLabel;
    m_error->setObjectName("error");
    m_error->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_create = buttons->button(QDialogButtonBox::Ok);
    m_create->setText(tr("Create Study"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        try {
            const auto study = spec();
            m_create->setEnabled(false);
            showMessageIn(m_error, tr("Sampling the study…"), false);
            Q_EMIT createRequested(study);
        } catch (const Error& e) {
            showError(QString::fromStdString(e.what()));
        }
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Criteria (SCoTD-style defaults; binary, likert5, or preference for pairs):")));
    layout->addWidget(m_criteria, 1);
    layout->addLayout(criteriaButtons);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        const bool pairwise = m_mode->currentData().toString() == "pairwise";
        m_sourceB->setVisible(pairwise);
        m_sourceBLabel->setVisible(pairwise);
        fillCriteria(pairwise ? review::Mode::Pairwise : review::Mode::Single);
    });
    fillCriteria(review::Mode::Pairwise);
    resize(760, 640);
}

// Name, mode, sources, scope, sample size and seed, strata and the gold answer's visibility.
QLayout* NewStudyDialog::buildForm(const QStringList& tasks)
{
    auto* form = new QFormLayout;
    m_name = new QLineEdit;
    m_name->setObjectName("name");
    m_name->setPlaceholderText(tr("e.g. student vs teacher, CSQA"));
    form->addRow(tr("&Name:"), m_name);
    m_mode = new QComboBox;
    m_mode->setObjectName("mode");
    m_mode->addItem(tr("Blind pairwise (A/B, sides randomised per annotator)"), "pairwise");
    m_mode->addItem(tr("One rationale at a time"), "single");
    form->addRow(tr("&Mode:"), m_mode);
    m_sourceA = new QComboBox;
    m_sourceA->setObjectName("sourceA");
    m_sourceB = new QComboBox;
    m_sourceB->setObjectName("sourceB");
    const auto& all = m_sources.sources;
    for (size_t i = 0; i < all.size(); ++i)
        m_sourceA->addItem(
            tr("%1 (%2 questions)").arg(QString::fromStdString(all[i].label())).arg(m_sources.instances[i]),
            QString::fromStdString(all[i].label()));
    // A student first is the usual study (against the teacher that shares the most questions with it).
    for (size_t i = 0; i < all.size(); ++i)
        if (all[i].kind == "student") {
            m_sourceA->setCurrentIndex(int(i));
            break;
        }
    connect(m_sourceA, &QComboBox::currentIndexChanged, this, &NewStudyDialog::fillSourceB);
    fillSourceB();
    form->addRow(tr("Source &A:"), m_sourceA);
    m_sourceBLabel = new QLabel(tr("Source &B:"));
    m_sourceBLabel->setBuddy(m_sourceB);
    form->addRow(m_sourceBLabel, m_sourceB);
    m_tasks = new QListWidget;
    m_tasks->setObjectName("tasks");
    m_tasks->setMaximumHeight(90);
    for (const QString& t : tasks) {
        auto* item = new QListWidgetItem(t, m_tasks);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    form->addRow(tr("&Tasks (none: all):"), m_tasks);
    m_split = new QComboBox;
    m_split->setObjectName("split");
    m_split->addItem(tr("any"), QString());
    for (const char* s : {"train", "dev", "test", "contrast"})
        m_split->addItem(s, QString(s));
    form->addRow(tr("S&plit:"), m_split);
    m_size = spinBox(1, 100000, 50);
    m_size->setObjectName("size");
    m_size->setSuffix(tr(" instances"));
    m_seed = spinBox(0, 1000000, 0);
    m_seed->setObjectName("seed");
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_size);
    sizeRow->addWidget(new QLabel(tr("seed")));
    sizeRow->addWidget(m_seed);
    sizeRow->addStretch();
    form->addRow(tr("Sample size:"), sizeRow);
    m_byTask = new QCheckBox(tr("by task"));
    m_byCorrectness = new QCheckBox(tr("by correctness of source A"));
    auto* strata = new QHBoxLayout;
    strata->addWidget(m_byTask);
    strata->addWidget(m_byCorrectness);
    strata->addStretch();
    form->addRow(tr("Equal shares:"), strata);
    m_hideGold = new QCheckBox(tr("Hide the gold answer from annotators"));
    m_hideGold->setObjectName("hideGold");
    form->addRow(QString(), m_hideGold);

    return form;
}

void NewStudyDialog::fillSourceB()
{
    m_sourceB->clear();
    const int a = m_sourceA->currentIndex();
    if (a < 0)
        return;
    // The other sources that share questions with A, the teachers with the most shared first.
    std::vector<size_t> candidates;
    for (size_t j = 0; j < m_sources.sources.size(); ++j)
        if (int(j) != a && m_sources.shared[size_t(a)][j] > 0)
            candidates.push_back(j);
    std::stable_sort(candidates.begin(), candidates.end(), [&](size_t x, size_t y) {
        const bool tx = m_sources.sources[x].kind == "teacher", ty = m_sources.sources[y].kind == "teacher";
        return tx != ty ? tx : m_sources.shared[size_t(a)][x] > m_sources.shared[size_t(a)][y];
    });
    for (size_t j : candidates)
        m_sourceB->addItem(tr("%1 (%2 questions shared with A)")
                               .arg(QString::fromStdString(m_sources.sources[j].label()))
                               .arg(m_sources.shared[size_t(a)][j]),
                           QString::fromStdString(m_sources.sources[j].label()));
    m_sourceB->setEnabled(!candidates.empty());
    m_sourceB->setPlaceholderText(tr("no other source has rationales on A's questions"));
}

// The criteria table with its buttons (the table is laid out by the caller).
QLayout* NewStudyDialog::buildCriteria()
{
    m_criteria = new QTableWidget(0, 3);
    m_criteria->setObjectName("criteria");
    m_criteria->setHorizontalHeaderLabels({tr("Key"), tr("Question"), tr("Scale")});
    m_criteria->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_criteria->verticalHeader()->hide();
    auto* add = new QPushButton(tr("Add criterion"));
    auto* remove = new QPushButton(tr("Remove"));
    connect(add, &QPushButton::clicked, this, [this] {
        const int row = m_criteria->rowCount();
        m_criteria->insertRow(row);
        m_criteria->setItem(row, 0, new QTableWidgetItem(QString("criterion%1").arg(row + 1)));
        m_criteria->setItem(row, 1, new QTableWidgetItem(tr("Your question")));
        m_criteria->setCellWidget(row, 2,
                                  scaleBox(m_mode->currentData().toString() == "pairwise" ? review::Scale::Preference
                                                                                          : review::Scale::Binary));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_criteria->currentRow() >= 0)
            m_criteria->removeRow(m_criteria->currentRow());
    });
    auto* criteriaButtons = new QHBoxLayout;
    criteriaButtons->addWidget(add);
    criteriaButtons->addWidget(remove);
    criteriaButtons->addStretch();

    return criteriaButtons;
}

void NewStudyDialog::fillCriteria(review::Mode mode)
{
    m_criteria->setRowCount(0);
    for (const auto& c : review::defaultCriteria(mode)) {
        const int row = m_criteria->rowCount();
        m_criteria->insertRow(row);
        m_criteria->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(c.key)));
        m_criteria->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(c.question)));
        m_criteria->setCellWidget(row, 2, scaleBox(c.scale));
    }
    m_criteria->resizeColumnToContents(0);
}

review::StudySpec NewStudyDialog::spec() const
{
    review::StudySpec spec;
    spec.name = m_name->text().trimmed().toStdString();
    if (spec.name.empty())
        throw Error("Give the study a name.");
    spec.mode = review::parseMode(m_mode->currentData().toString().toStdString());
    if (m_sourceA->count() == 0)
        throw Error("The workspace has no rationales to judge yet: import a teacher's or evaluate a student first.");
    spec.sources.push_back(review::parseSource(m_sourceA->currentData().toString().toStdString()));
    if (spec.mode == review::Mode::Pairwise) {
        if (m_sourceB->count() == 0)
            throw Error("No other source has rationales on the questions of " +
                        m_sourceA->currentData().toString().toStdString() +
                        ": pick another source A, or evaluate a student on these questions first.");
        spec.sources.push_back(review::parseSource(m_sourceB->currentData().toString().toStdString()));
    }
    for (int i = 0; i < m_tasks->count(); ++i)
        if (m_tasks->item(i)->checkState() == Qt::Checked)
            spec.tasks.push_back(m_tasks->item(i)->text().toStdString());
    spec.split = m_split->currentData().toString().toStdString();
    spec.size = m_size->value();
    spec.seed = uint64_t(m_seed->value());
    spec.stratifyByTask = m_byTask->isChecked();
    spec.stratifyByCorrectness = m_byCorrectness->isChecked();
    spec.hideGold = m_hideGold->isChecked();
    for (int row = 0; row < m_criteria->rowCount(); ++row) {
        review::Criterion c;
        c.key = m_criteria->item(row, 0) ? m_criteria->item(row, 0)->text().trimmed().toStdString() : std::string();
        c.question = m_criteria->item(row, 1) ? m_criteria->item(row, 1)->text().trimmed().toStdString() : c.key;
        if (c.key.empty() || c.key.find_first_of(" [:,") != std::string::npos)
            throw Error("Criterion " + std::to_string(row + 1) + " needs a short key without spaces, e.g. 'fluent'.");
        c.scale =
            review::parseScale(static_cast<QComboBox*>(m_criteria->cellWidget(row, 2))->currentText().toStdString());
        if (spec.mode == review::Mode::Single && c.scale == review::Scale::Preference)
            throw Error("Criterion '" + c.key +
                        "' asks which of two is better, but this study shows one rationale at a "
                        "time: pick binary or likert5.");
        spec.criteria.push_back(c);
    }
    if (spec.criteria.empty())
        throw Error("Add at least one criterion.");
    return spec;
}

void NewStudyDialog::setName(const QString& name)
{
    m_name->setText(name);
}

void NewStudyDialog::setMode(review::Mode mode)
{
    m_mode->setCurrentIndex(mode == review::Mode::Pairwise ? 0 : 1);
}

void NewStudyDialog::setSources(const QString& a, const QString& b)
{
    m_sourceA->setCurrentIndex(std::max(0, m_sourceA->findData(a)));
    m_sourceB->setCurrentIndex(std::max(0, m_sourceB->findData(b)));
}

void NewStudyDialog::setSize(int size)
{
    m_size->setValue(size);
}

void NewStudyDialog::showError(const QString& message)
{
    m_create->setEnabled(true);
    showMessageIn(m_error, message, true);
}

} // namespace cotlab::ui
