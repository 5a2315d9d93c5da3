#include "common/PromptFormatPicker.h"

#include "common/FailureDialog.h"
#include "util/Error.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

const char* kFilesKey = "promptFormats/files"; // the format files opened before, newest first
constexpr int kMaxFiles = 10;

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

PromptFormatPicker::PromptFormatPicker(const QString& objectName, const QString& firstItem, QWidget* parent)
    : QWidget(parent), m_combo(new QComboBox), m_about(new QLabel), m_hasFirstItem(!firstItem.isEmpty())
{
    m_combo->setObjectName(objectName);
    // Sized by a few characters, not by its longest title (set before the items: QComboBox keeps the minimum size it
    // computed first).
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(14);
    if (m_hasFirstItem)
        m_combo->addItem(firstItem, QString());
    for (const auto& f : train::builtInPromptFormats()) {
        m_combo->addItem(qs(f.title()), qs(f.name()));
        m_combo->setItemData(m_combo->count() - 1, qs(f.description()), Qt::ToolTipRole);
    }
    // Files opened before, when they still hold a format.
    for (const QString& path : QSettings().value(kFilesKey).toStringList()) {
        try {
            addFile(path, train::PromptFormat::fromFile(path.toStdString()));
        } catch (const Error&) {
        }
    }
    auto* open = new QToolButton;
    open->setObjectName(objectName + "Open");
    open->setText(tr("Open…"));
    open->setToolTip(tr("Use a prompt format file of your own (JSON; see Help > User Guide, Prompt formats)"));
    connect(open, &QToolButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open Prompt Format"), QString(), tr("Prompt formats (*.json)"));
        QString problem;
        if (!path.isEmpty() && !openFile(path, &problem))
            showFailureDialog(this, tr("Not a prompt format"), problem);
    });
    m_about->setObjectName(objectName + "About");
    m_about->setWordWrap(true);
    // Wrapped to the width the form gives it: a long source must not widen the page's settings column.
    m_about->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_about->setMinimumWidth(1);
    m_about->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_about->setForegroundRole(QPalette::PlaceholderText);

    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_combo, 1);
    row->addWidget(open);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_about);
    connect(m_combo, &QComboBox::currentIndexChanged, this, [this] {
        describe();
        Q_EMIT changed();
    });
    describe();
}

std::optional<train::PromptFormat> PromptFormatPicker::format() const
{
    const QString data = m_combo->currentData().toString();
    if (data.isEmpty())
        return std::nullopt;
    return train::findPromptFormat(data.toStdString());
}

QString PromptFormatPicker::formatName() const
{
    const QString data = m_combo->currentData().toString();
    return data.endsWith(".json") ? QFileInfo(data).completeBaseName() : data;
}

void PromptFormatPicker::choose(const QString& nameOrFile)
{
    int index = m_combo->findData(nameOrFile);
    if (index < 0 && nameOrFile.endsWith(".json") && openFile(nameOrFile, nullptr))
        index = m_combo->findData(nameOrFile);
    if (index >= 0)
        m_combo->setCurrentIndex(index);
}

bool PromptFormatPicker::openFile(const QString& path, QString* problem)
{
    try {
        const auto format = train::PromptFormat::fromFile(path.toStdString());
        if (m_combo->findData(path) < 0)
            addFile(path, format);
        m_combo->setCurrentIndex(m_combo->findData(path));
        QStringList files = QSettings().value(kFilesKey).toStringList();
        files.removeAll(path);
        files.prepend(path);
        QSettings().setValue(kFilesKey, files.mid(0, kMaxFiles));
        return true;
    } catch (const Error& e) {
        if (problem)
            *problem = QString::fromStdString(e.what());
        return false;
    }
}

void PromptFormatPicker::addFile(const QString& path, const train::PromptFormat& format)
{
    m_combo->addItem(tr("%1 (%2)").arg(qs(format.title()), QFileInfo(path).fileName()), path);
    m_combo->setItemData(m_combo->count() - 1, path + "\n" + qs(format.description()), Qt::ToolTipRole);
}

void PromptFormatPicker::describe()
{
    const QString data = m_combo->currentData().toString();
    if (data.isEmpty()) {
        m_about->setText(tr("The format the run was trained with, as recorded with it."));
        return;
    }
    try {
        const auto f = train::findPromptFormat(data.toStdString());
        m_about->setText(qs(f.description()).toHtmlEscaped() + "<br><i>" + qs(f.source()).toHtmlEscaped() + "</i>");
        m_about->setToolTip(data.endsWith(".json") ? data : QString());
    } catch (const Error& e) {
        m_about->setText(QString::fromStdString(e.what()).toHtmlEscaped());
    }
}

} // namespace cotlab::ui
