#include "browse/BrowseFilters.h"

#include "common/FormWidgets.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

const QString kAny = QObject::tr("(any)");

std::optional<std::string> choice(const QComboBox* box)
{
    if (box->currentIndex() <= 0)
        return std::nullopt;
    return box->currentText().toStdString();
}

QComboBox* comboBox(const QString& name, const QStringList& items)
{
    auto* box = new QComboBox;
    box->setObjectName(name);
    box->addItem(kAny);
    box->addItems(items);
    box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    return box;
}

} // namespace

BrowseFilters::BrowseFilters(QWidget* parent)
    : QWidget(parent), m_search(new QLineEdit), m_task(comboBox("task", {})),
      m_split(comboBox("split", {"train", "dev", "test", "contrast"})),
      m_source(comboBox("source", {"teacher", "student", "human"})), m_model(comboBox("model", {})),
      m_correct(comboBox("correct", {tr("correct"), tr("wrong"), tr("not judged")})), m_tag(comboBox("tag", {})),
      m_minLength(spinBox(0, 1000000, 0)), m_maxLength(spinBox(0, 1000000, 0)), m_count(new QLabel),
      m_searchDelay(new QTimer(this))
{
    m_search->setObjectName("search");
    m_search->setClearButtonEnabled(true);
    m_search->setPlaceholderText(
        tr("Search rationales (Ctrl+F): words, \"a phrase\", AND / OR / NOT, NEAR(a b), prefix*, thinking: or "
           "answer: before a word"));
    m_minLength->setObjectName("minLength");
    m_maxLength->setObjectName("maxLength");
    m_minLength->setSpecialValueText(tr("min"));
    m_maxLength->setSpecialValueText(tr("max"));
    m_minLength->setToolTip(tr("Shortest rationale shown, in characters"));
    m_maxLength->setToolTip(tr("Longest rationale shown, in characters"));
    m_count->setObjectName("count");
    auto* clearButton = new QPushButton(tr("Clear filters"));
    clearButton->setObjectName("clearFilters");
    connect(clearButton, &QPushButton::clicked, this, &BrowseFilters::clear);

    auto* rows = new QVBoxLayout(this);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->addWidget(m_search);
    auto* line = new QHBoxLayout;
    auto labelled = [&](const QString& text, QWidget* w) {
        auto* label = new QLabel(text);
        label->setBuddy(w);
        line->addWidget(label);
        line->addWidget(w);
    };
    labelled(tr("Tas&k"), m_task);
    labelled(tr("S&plit"), m_split);
    labelled(tr("So&urce"), m_source);
    labelled(tr("&Model"), m_model);
    labelled(tr("&Correct"), m_correct);
    labelled(tr("Len&gth"), m_minLength);
    line->addWidget(new QLabel("–"));
    line->addWidget(m_maxLength);
    labelled(tr("Ta&g"), m_tag);
    line->addWidget(clearButton);
    line->addStretch(1);
    line->addWidget(m_count);
    rows->addLayout(line);

    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(400);
    connect(m_searchDelay, &QTimer::timeout, this, &BrowseFilters::edited);
    connect(m_search, &QLineEdit::textEdited, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &BrowseFilters::edited);
    for (QComboBox* box : {m_task, m_split, m_source, m_model, m_correct, m_tag})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_updating)
                edited();
        });
    for (QSpinBox* box : {m_minLength, m_maxLength})
        connect(box, &QSpinBox::editingFinished, this, &BrowseFilters::edited);
}

void BrowseFilters::edited()
{
    m_searchDelay->stop();
    Q_EMIT changed();
}

store::RationaleFilter BrowseFilters::filter() const
{
    store::RationaleFilter f;
    f.task = choice(m_task);
    f.split = choice(m_split);
    f.sourceKind = choice(m_source);
    f.model = choice(m_model);
    f.tag = choice(m_tag);
    using C = store::RationaleFilter::Correctness;
    f.correctness =
        std::array{C::Any, C::Correct, C::Wrong, C::Unknown}[size_t(std::max(0, m_correct->currentIndex()))];
    if (m_minLength->value() > 0)
        f.minLength = m_minLength->value();
    if (m_maxLength->value() > 0)
        f.maxLength = m_maxLength->value();
    f.search = m_search->text().trimmed().toStdString();
    return f;
}

QString BrowseFilters::searchText() const
{
    return m_search->text();
}

void BrowseFilters::setItems(QComboBox* box, const QStringList& items)
{
    const QString current = box->currentText();
    box->clear();
    box->addItem(kAny);
    box->addItems(items);
    const int keep = box->findText(current);
    box->setCurrentIndex(keep > 0 ? keep : 0);
}

void BrowseFilters::setFacets(const QStringList& tasks, const QStringList& models, const QStringList& tags)
{
    const auto before = filter();
    m_updating = true;
    setItems(m_task, tasks);
    setItems(m_model, models);
    setItems(m_tag, tags);
    m_updating = false;
    if (!(filter() == before)) // a chosen value is gone
        edited();
}

void BrowseFilters::setTags(const QStringList& tags)
{
    m_updating = true;
    setItems(m_tag, tags);
    m_updating = false;
}

void BrowseFilters::clear()
{
    m_updating = true;
    for (QComboBox* box : {m_task, m_split, m_source, m_model, m_correct, m_tag})
        box->setCurrentIndex(0);
    m_minLength->setValue(0);
    m_maxLength->setValue(0);
    m_search->clear();
    m_updating = false;
    edited();
}

void BrowseFilters::showOnly(const QString& source, const QString& model)
{
    m_updating = true;
    for (QComboBox* box : {m_task, m_split, m_source, m_model, m_correct, m_tag})
        box->setCurrentIndex(0);
    m_minLength->setValue(0);
    m_maxLength->setValue(0);
    m_search->clear();
    m_source->setCurrentIndex(std::max(0, m_source->findText(source)));
    if (m_model->findText(model) < 0)
        m_model->addItem(model); // written since the filter values were read
    m_model->setCurrentIndex(m_model->findText(model));
    m_updating = false;
    edited();
}

void BrowseFilters::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void BrowseFilters::setCount(qint64 rows, bool final)
{
    const QString n = QLocale().toString(rows);
    m_count->setText(final ? (rows == 1 ? tr("1 rationale") : tr("%1 rationales").arg(n))
                           : tr("%1 rationales so far, counting…").arg(n));
}

} // namespace cotlab::ui
