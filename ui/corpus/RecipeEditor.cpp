#include "corpus/RecipeEditor.h"

#include "HelpBrowser.h"
#include "corpus/Recipe.h"
#include "corpus/RecipeSchema.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

namespace cotlab::ui {

namespace {

// What a field accepts, shown beside it (core's recipe schema).
QString hintFor(const QString& step, const QString& field)
{
    const auto* schema = corpus::findStepSchema(step.toStdString());
    const auto* f = schema ? schema->field(field.toStdString()) : nullptr;
    if (!f)
        return {};
    QString hint = QString::fromStdString(f->description);
    if (!f->choices.empty()) {
        QStringList choices;
        for (const auto& c : f->choices)
            choices << QString::fromStdString(c);
        hint = choices.join(", ") + ": " + hint;
    }
    return hint;
}

// A step of this kind with every field at its default, as the recipe format writes it.
QJsonObject defaultStep(const QString& kind)
{
    QJsonObject step{{"step", kind}};
    if (kind == "per_instance")
        step["k"] = 4;
    if (kind == "match")
        step["pattern"] = "the answer is";
    const QJsonObject recipe{{"version", 1}, {"steps", QJsonArray{step}}};
    const auto parsed = corpus::recipeFromJson(QJsonDocument(recipe).toJson().toStdString());
    const auto written = QJsonDocument::fromJson(QByteArray::fromStdString(corpus::recipeToJson(parsed)));
    return written.object()["steps"].toArray().first().toObject();
}

QString valueText(const QJsonValue& v)
{
    if (v.isArray()) {
        QStringList parts;
        for (const auto& x : v.toArray())
            parts << x.toString().replace("\n", "\\n");
        return parts.join(", ");
    }
    if (v.isBool())
        return v.toBool() ? "true" : "false";
    if (v.isDouble())
        return QString::number(v.toDouble());
    if (v.isNull())
        return QString();
    return v.toString();
}

// The value typed for a field, as JSON of the field's current type.
QJsonValue parseValue(const QJsonValue& old, const QString& typed)
{
    const QString text = typed.trimmed();
    if (old.isArray()) {
        QJsonArray list;
        for (QString part : text.split(',', Qt::SkipEmptyParts))
            if (!(part = part.trimmed()).isEmpty())
                list.append(part.replace("\\n", "\n"));
        return list;
    }
    if (old.isBool())
        return text == "true" || text == "yes" || text == "1";
    if (old.isDouble() || old.isNull()) {
        bool ok = false;
        const double number = text.toDouble(&ok);
        if (text.isEmpty() && old.isNull())
            return QJsonValue();
        if (ok && number == std::floor(number) && !text.contains('.'))
            return qint64(number);
        return ok ? QJsonValue(number) : QJsonValue(text);
    }
    return text;
}

QString summary(const QJsonObject& step)
{
    QStringList parts;
    for (auto it = step.begin(); it != step.end(); ++it) {
        if (it.key() == "step")
            continue;
        const QString v = valueText(it.value());
        if (!v.isEmpty())
            parts << it.key() + " " + v;
    }
    return step["step"].toString() + (parts.isEmpty() ? QString() : "  (" + parts.join(", ") + ")");
}

QString toJson(const QStringList& sources, const QList<QJsonObject>& steps)
{
    QJsonArray array;
    for (const auto& s : steps)
        array.append(s);
    return QString::fromUtf8(
        QJsonDocument(QJsonObject{{"version", 1}, {"sources", QJsonArray::fromStringList(sources)}, {"steps", array}})
            .toJson(QJsonDocument::Compact));
}

const QStringList kSourceKinds = {"teacher", "human", "student"};

QTableWidgetItem* fixedCell(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

} // namespace

RecipeEditor::RecipeEditor(QWidget* parent)
    : QWidget(parent), m_stepList(new QListWidget), m_fields(new QTableWidget(0, 3)), m_name(new QLineEdit),
      m_stepDescription(new QLabel)
{
    m_stepDescription->setObjectName("stepDescription");
    m_stepDescription->setWordWrap(true);
    m_stepList->setObjectName("steps");
    m_fields->setObjectName("fields");
    m_fields->setHorizontalHeaderLabels({tr("Field"), tr("Value"), tr("Accepts")});
    m_fields->verticalHeader()->hide();
    m_fields->horizontalHeader()->setStretchLastSection(true);
    m_fields->setAlternatingRowColors(true);
    m_fields->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_fields->setToolTip(tr("Edit a value and press Enter; lists are comma separated"));
    m_name->setObjectName("name");
    m_name->setPlaceholderText(tr("name of the corpus"));
    auto* save = new QPushButton(tr("&Save Corpus"));
    save->setObjectName("save");
    auto* saveRow = new QHBoxLayout;
    saveRow->addWidget(m_name, 1);
    saveRow->addWidget(save);
    auto* box = new QGroupBox(tr("Recipe: steps applied in order"));
    auto* boxLayout = new QVBoxLayout(box);
    auto* guide = new QLabel(tr("<a href='corpus.md'>What each step does</a>"));
    guide->setObjectName("recipeGuide");
    connect(guide, &QLabel::linkActivated, this, [this](const QString& page) {
        auto* help = new HelpBrowser(this);
        help->setAttribute(Qt::WA_DeleteOnClose);
        help->showPage(page);
        help->show();
    });
    boxLayout->addWidget(guide);
    boxLayout->addWidget(buildSources());
    boxLayout->addWidget(buildStepButtons());
    boxLayout->addWidget(m_stepList, 2);
    boxLayout->addWidget(m_stepDescription);
    boxLayout->addWidget(m_fields, 2);
    boxLayout->addLayout(saveRow);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(box);

    connect(m_stepList, &QListWidget::currentRowChanged, this, &RecipeEditor::showStep);
    connect(m_fields, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (!m_filling && item->column() == 1)
            setStepField(m_stepList->currentRow(), m_fields->item(item->row(), 0)->text(), item->text());
    });
    connect(save, &QPushButton::clicked, this, [this] { Q_EMIT saveRequested(name()); });
}

// Whose rationales the recipe starts from: the teacher's; human-written and students' ones only when ticked.
QWidget* RecipeEditor::buildSources()
{
    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Rationales of:")));
    const QStringList labels = {tr("the teacher"), tr("humans"), tr("students")};
    for (int k = 0; k < kSourceKinds.size(); ++k) {
        auto* check = new QCheckBox(labels[k]);
        check->setObjectName("source-" + kSourceKinds[k]);
        check->setChecked(k == 0);
        connect(check, &QCheckBox::toggled, this, [this] {
            if (m_filling)
                return;
            if (sources().isEmpty()) {
                const QSignalBlocker block(m_sources.front());
                m_sources.front()->setChecked(true);
            }
            m_sourceWarning->setVisible(sources().contains("student"));
            Q_EMIT recipeChanged();
        });
        row->addWidget(check);
        m_sources << check;
    }
    row->addStretch(1);
    layout->addLayout(row);
    m_sourceWarning = new QLabel(tr("Students' rationales are an evaluated student's own outputs: a corpus with them "
                                    "trains a student on a student, not on the teacher."));
    m_sourceWarning->setObjectName("sourceWarning");
    m_sourceWarning->setWordWrap(true);
    m_sourceWarning->setStyleSheet("color: #b00020;");
    m_sourceWarning->hide();
    layout->addWidget(m_sourceWarning);
    return box;
}

QStringList RecipeEditor::sources() const
{
    QStringList out;
    for (int k = 0; k < m_sources.size(); ++k)
        if (m_sources[k]->isChecked())
            out << kSourceKinds[k];
    return out;
}

QWidget* RecipeEditor::buildStepButtons()
{
    auto* add = new QToolButton;
    add->setText(tr("&Add Step"));
    add->setObjectName("addStep");
    add->setPopupMode(QToolButton::InstantPopup);
    auto* addMenu = new QMenu(add);
    for (const auto& schema : corpus::recipeSchema()) {
        const QString kind = QString::fromStdString(schema.name);
        addMenu->addAction(kind, this, [this, kind] { addStep(kind); })
            ->setToolTip(QString::fromStdString(schema.description));
    }
    addMenu->setToolTipsVisible(true);
    add->setMenu(addMenu);
    auto* remove = new QPushButton(tr("Remove"));
    auto* up = new QPushButton(tr("Up"));
    auto* down = new QPushButton(tr("Down"));
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_stepList->currentRow();
        if (row < 0)
            return;
        m_steps.removeAt(row);
        rebuildSteps();
        m_stepList->setCurrentRow(std::min(row, int(m_steps.size()) - 1));
        Q_EMIT recipeChanged();
    });
    connect(up, &QPushButton::clicked, this, [this] { moveStep(-1); });
    connect(down, &QPushButton::clicked, this, [this] { moveStep(1); });
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QWidget* w : std::initializer_list<QWidget*>{add, remove, up, down})
        layout->addWidget(w);
    layout->addStretch(1);
    return row;
}

void RecipeEditor::moveStep(int by)
{
    const int row = m_stepList->currentRow();
    if (row < 0 || row + by < 0 || row + by >= m_steps.size())
        return;
    m_steps.swapItemsAt(row, row + by);
    rebuildSteps();
    m_stepList->setCurrentRow(row + by);
    Q_EMIT recipeChanged();
}

QString RecipeEditor::recipeJson() const
{
    return toJson(sources(), m_steps);
}

bool RecipeEditor::setRecipeJson(const QString& json)
{
    try {
        const auto recipe = corpus::recipeFromJson(json.toStdString());
        const auto written = QJsonDocument::fromJson(QByteArray::fromStdString(corpus::recipeToJson(recipe)));
        m_steps.clear();
        for (const auto& s : written.object()["steps"].toArray())
            m_steps.append(s.toObject());
        m_filling = true;
        for (int k = 0; k < m_sources.size(); ++k)
            m_sources[k]->setChecked(recipe.includes(kSourceKinds[k].toStdString()));
        m_filling = false;
        m_sourceWarning->setVisible(sources().contains("student"));
    } catch (const std::exception& e) {
        Q_EMIT problem(QString::fromStdString(e.what()));
        return false;
    }
    rebuildSteps();
    m_stepList->setCurrentRow(m_steps.isEmpty() ? -1 : 0);
    Q_EMIT recipeChanged();
    return true;
}

void RecipeEditor::addStep(const QString& kind)
{
    const int at = m_stepList->currentRow() + 1;
    m_steps.insert(at, defaultStep(kind));
    rebuildSteps();
    m_stepList->setCurrentRow(at);
    m_fields->setFocus();
    Q_EMIT recipeChanged();
}

void RecipeEditor::rebuildSteps()
{
    const QSignalBlocker block(m_stepList);
    m_stepList->clear();
    for (int k = 0; k < m_steps.size(); ++k) {
        m_stepList->addItem(QString("%1. %2").arg(k + 1).arg(summary(m_steps[k])));
        if (const auto* schema = corpus::findStepSchema(m_steps[k]["step"].toString().toStdString()))
            m_stepList->item(k)->setToolTip(QString::fromStdString(schema->description));
    }
    warnOfUnknownTasks();
}

void RecipeEditor::showStep(int row)
{
    m_filling = true;
    m_fields->setRowCount(0);
    m_stepDescription->clear();
    if (row >= 0 && row < m_steps.size()) {
        const QJsonObject& step = m_steps[row];
        if (const auto* schema = corpus::findStepSchema(step["step"].toString().toStdString()))
            m_stepDescription->setText(
                tr("<b>%1</b>: %2").arg(step["step"].toString(), QString::fromStdString(schema->description)));
        for (auto it = step.begin(); it != step.end(); ++it) {
            if (it.key() == "step")
                continue;
            const int r = m_fields->rowCount();
            m_fields->insertRow(r);
            m_fields->setItem(r, 0, fixedCell(it.key()));
            m_fields->setItem(r, 1, new QTableWidgetItem(valueText(it.value())));
            m_fields->setItem(r, 2, fixedCell(hintFor(step["step"].toString(), it.key())));
            addValuePicker(r, step["step"].toString(), it.key(), it.value());
        }
        m_fields->resizeColumnToContents(0);
        m_fields->setColumnWidth(1, 150);
    }
    m_filling = false;
}

bool RecipeEditor::setStepField(int step, const QString& field, const QString& value)
{
    if (step < 0 || step >= m_steps.size())
        return false;
    QList<QJsonObject> steps = m_steps;
    steps[step][field] = parseValue(steps[step].value(field), value);
    try {
        corpus::recipeFromJson(toJson(sources(), steps).toStdString());
    } catch (const std::exception& e) {
        Q_EMIT problem(QString::fromStdString(e.what()));
        return false;
    }
    m_steps = steps;
    Q_EMIT problem(QString()); // an earlier refusal no longer applies
    const int row = m_stepList->currentRow();
    rebuildSteps();
    {
        const QSignalBlocker block(m_stepList); // the field table stays as typed
        m_stepList->setCurrentRow(row);
    }
    Q_EMIT recipeChanged();
    return true;
}

QString RecipeEditor::name() const
{
    return m_name->text().trimmed();
}

void RecipeEditor::setName(const QString& name)
{
    m_name->setText(name);
}

void RecipeEditor::setTasks(const QStringList& tasks)
{
    m_tasks = tasks;
    showStep(m_stepList->currentRow());
    warnOfUnknownTasks();
}

QStringList RecipeEditor::knownValues(const QString& field) const
{
    if (field == "tasks")
        return m_tasks;
    if (field == "splits")
        return {"train", "dev", "test", "contrast"};
    if (field == "sources")
        return kSourceKinds;
    return {};
}

void RecipeEditor::addValuePicker(int row, const QString& step, const QString& field, const QJsonValue& value)
{
    const auto* schema = corpus::findStepSchema(step.toStdString());
    const auto* f = schema ? schema->field(field.toStdString()) : nullptr;
    if (!f)
        return;
    const int stepRow = m_stepList->currentRow();
    if (f->type == corpus::FieldType::Choice || f->type == corpus::FieldType::Boolean) {
        auto* combo = new QComboBox;
        combo->setObjectName("pick-" + field);
        if (f->type == corpus::FieldType::Boolean)
            combo->addItems({"true", "false"});
        else
            for (const auto& c : f->choices)
                combo->addItem(QString::fromStdString(c));
        combo->setCurrentText(valueText(value));
        connect(combo, &QComboBox::currentTextChanged, this,
                [this, stepRow, field](const QString& text) { setStepField(stepRow, field, text); });
        m_fields->setCellWidget(row, 1, combo);
        return;
    }
    const QStringList options = knownValues(field);
    if (f->type != corpus::FieldType::StringList || options.isEmpty())
        return;
    // A list of known values: a menu of check boxes; nothing ticked means every one (the field's default).
    auto* button = new QToolButton;
    button->setObjectName("pick-" + field);
    button->setPopupMode(QToolButton::InstantPopup);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    const QString current = valueText(value);
    button->setText(current.isEmpty() ? tr("all") : current);
    auto* menu = new QMenu(button);
    QStringList chosen = current.split(", ", Qt::SkipEmptyParts);
    for (const QString& option : options) {
        QAction* a = menu->addAction(option);
        a->setCheckable(true);
        a->setChecked(chosen.contains(option));
    }
    connect(menu, &QMenu::triggered, this, [this, menu, stepRow, field] {
        QStringList picked;
        for (const QAction* a : menu->actions())
            if (a->isChecked())
                picked << a->text();
        setStepField(stepRow, field, picked.join(", "));
        showStep(stepRow);
    });
    button->setMenu(menu);
    m_fields->setCellWidget(row, 1, button);
}

void RecipeEditor::warnOfUnknownTasks()
{
    if (m_tasks.isEmpty())
        return;
    for (int k = 0; k < m_steps.size(); ++k)
        for (const auto& task : m_steps[k].value("tasks").toArray())
            if (!m_tasks.contains(task.toString())) {
                Q_EMIT problem(tr("Step %1 (%2) names task '%3', which this workspace does not have: the step keeps "
                                  "nothing of it.")
                                   .arg(k + 1)
                                   .arg(m_steps[k]["step"].toString(), task.toString()));
                return;
            }
}

void RecipeEditor::focusName()
{
    m_name->setFocus();
}

} // namespace cotlab::ui
