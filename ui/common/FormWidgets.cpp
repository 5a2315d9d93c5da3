#include "common/FormWidgets.h"

#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace cotlab::ui {

QTableWidget* readOnlyTable(const QStringList& headers, const QString& name)
{
    auto* t = new QTableWidget(0, int(headers.size()));
    if (!name.isEmpty())
        t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setAlternatingRowColors(true);
    return t;
}

QSpinBox* spinBox(int min, int max, int value)
{
    auto* s = new QSpinBox;
    s->setRange(min, max);
    s->setValue(value);
    return s;
}

namespace {

// Sends wheel events over an unfocused spin box or combo box to the scroll area's viewport instead.
class WheelScrollsForm : public QObject {
public:
    WheelScrollsForm(QScrollArea* area) : QObject(area), m_area(area) {}

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        auto* widget = qobject_cast<QWidget*>(watched);
        if (event->type() != QEvent::Wheel || !widget || widget->hasFocus())
            return false;
        QCoreApplication::sendEvent(m_area->viewport(), event);
        return true;
    }

private:
    QScrollArea* m_area;
};

} // namespace

QScrollArea* formScrollArea(QWidget* form)
{
    auto* area = new QScrollArea;
    area->setWidget(form);
    area->setWidgetResizable(true);
    auto* guard = new WheelScrollsForm(area);
    const auto guarded = [guard](QWidget* w) {
        w->setFocusPolicy(Qt::StrongFocus); // focus by click or Tab, not by the wheel
        w->installEventFilter(guard);
    };
    for (auto* w : form->findChildren<QAbstractSpinBox*>())
        guarded(w);
    for (auto* w : form->findChildren<QComboBox*>()) {
        guarded(w);
        // A long choice ("PEFT's default for the model") must not widen the column past the window.
        w->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        w->setMinimumContentsLength(14);
    }
    return area;
}

void saveFormSettings(const QWidget* form, const QString& group, const QStringList& skip)
{
    QSettings settings;
    settings.beginGroup(group);
    for (const QWidget* w : form->findChildren<QWidget*>()) {
        const QString name = w->objectName();
        if (name.isEmpty() || name.startsWith("qt_") || skip.contains(name))
            continue;
        if (const auto* spin = qobject_cast<const QSpinBox*>(w))
            settings.setValue(name, spin->value());
        else if (const auto* real = qobject_cast<const QDoubleSpinBox*>(w))
            settings.setValue(name, real->value());
        else if (const auto* combo = qobject_cast<const QComboBox*>(w); combo && !combo->isEditable())
            settings.setValue(name, combo->currentText());
        else if (const auto* edit = qobject_cast<const QLineEdit*>(w); edit && !qobject_cast<QComboBox*>(w->parent()))
            settings.setValue(name, edit->text());
        else if (const auto* check = qobject_cast<const QCheckBox*>(w))
            settings.setValue(name, check->isChecked());
    }
}

void restoreFormSettings(QWidget* form, const QString& group, const QStringList& skip)
{
    QSettings settings;
    settings.beginGroup(group);
    for (QWidget* w : form->findChildren<QWidget*>()) {
        const QString name = w->objectName();
        if (name.isEmpty() || skip.contains(name) || !settings.contains(name))
            continue;
        const QVariant value = settings.value(name);
        if (auto* spin = qobject_cast<QSpinBox*>(w))
            spin->setValue(value.toInt());
        else if (auto* real = qobject_cast<QDoubleSpinBox*>(w))
            real->setValue(value.toDouble());
        else if (auto* combo = qobject_cast<QComboBox*>(w); combo && combo->findText(value.toString()) >= 0)
            combo->setCurrentText(value.toString());
        else if (auto* edit = qobject_cast<QLineEdit*>(w); edit && !qobject_cast<QComboBox*>(w->parent()))
            edit->setText(value.toString());
        else if (auto* check = qobject_cast<QCheckBox*>(w))
            check->setChecked(value.toBool());
    }
}

QString localTime(const std::string& utc)
{
    auto when = QDateTime::fromString(QString::fromStdString(utc), Qt::ISODate);
    if (!when.isValid())
        return QString::fromStdString(utc);
    if (when.timeSpec() == Qt::LocalTime && !QString::fromStdString(utc).endsWith('Z'))
        when.setTimeSpec(Qt::UTC); // the store writes UTC, with or without the Z
    return when.toLocalTime().toString("yyyy-MM-dd HH:mm");
}

QString dialogFolder(const QString& workspacePath)
{
    const QString hidden = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const QString folder = QFileInfo(workspacePath).absolutePath();
    if (workspacePath.isEmpty() || (!hidden.isEmpty() && folder.startsWith(hidden)))
        return QDir::homePath();
    return folder;
}

QWidget* pathField(QLineEdit* edit, bool folder, QWidget* dialogParent)
{
    auto* row = new QWidget;
    auto* h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(edit, 1);
    auto* b = new QToolButton;
    b->setText("…");
    QObject::connect(b, &QToolButton::clicked, edit, [edit, folder, dialogParent] {
        const QString path =
            folder ? QFileDialog::getExistingDirectory(dialogParent, QObject::tr("Choose a folder"), edit->text())
                   : QFileDialog::getOpenFileName(dialogParent, QObject::tr("Choose a file"), edit->text());
        if (!path.isEmpty())
            edit->setText(path);
    });
    h->addWidget(b);
    return row;
}

JobControls jobControls(const QString& startText)
{
    JobControls c;
    c.start = new QPushButton(startText);
    c.start->setObjectName("start");
    c.start->setDefault(true);
    c.stop = new QPushButton(QObject::tr("Stop"));
    c.stop->setObjectName("stop");
    c.resume = new QPushButton(QObject::tr("Resume selected"));
    c.resume->setObjectName("resume");
    c.message = new QLabel;
    c.message->setObjectName("message");
    c.message->setWordWrap(true);
    c.message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    c.widget = new QWidget;
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(c.start);
    buttons->addWidget(c.stop);
    buttons->addWidget(c.resume);
    auto* layout = new QVBoxLayout(c.widget);
    layout->addLayout(buttons);
    layout->addWidget(c.message);
    return c;
}

void showMessageIn(QLabel* line, const QString& text, bool error)
{
    line->setStyleSheet(error ? "color: #b00020;" : QString());
    line->setText(text);
}

QColor seriesColor(int k)
{
    static const QColor colors[] = {QColor(31, 119, 180),  QColor(214, 39, 40),  QColor(44, 160, 44),
                                    QColor(148, 103, 189), QColor(255, 127, 14), QColor(140, 86, 75)};
    return colors[k % 6];
}

} // namespace cotlab::ui
