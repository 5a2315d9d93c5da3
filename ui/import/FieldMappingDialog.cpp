#include "import/FieldMappingDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace cotlab::ui {

namespace {

// What each key means, for the form's labels.
QString labelOf(const std::string& key)
{
    if (key == "question")
        return QObject::tr("&Question (required):");
    if (key == "gold")
        return QObject::tr("&Gold answer:");
    if (key == "id")
        return QObject::tr("&Id:");
    if (key == "split")
        return QObject::tr("&Split:");
    if (key == "model")
        return QObject::tr("&Model:");
    if (key == "rationale")
        return QObject::tr("&Rationale (or answer part):");
    return QObject::tr("&Thinking:");
}

} // namespace

FieldMappingDialog::FieldMappingDialog(const QStringList& paths, const ingest::FieldMapping& initial, QWidget* parent)
    : QDialog(parent), m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(tr("Pick Fields"));
    setMinimumWidth(520);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Which field of the file's records is what. The fields are those of its first "
                                "record; a list is read by its first element. Without a gold answer the rationales "
                                "are not judged; without an id each question gets one from its text."));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* form = new QFormLayout;
    for (const std::string& key : ingest::FieldMapping::keys()) {
        auto* box = new QComboBox;
        box->setObjectName(QString::fromStdString(key));
        box->addItem(tr("(none)"), QString());
        for (const QString& path : paths)
            box->addItem(path, path);
        if (const auto it = initial.paths.find(key); it != initial.paths.end()) {
            const int at = box->findData(QString::fromStdString(it->second));
            if (at >= 0)
                box->setCurrentIndex(at);
        }
        connect(box, &QComboBox::currentIndexChanged, this, &FieldMappingDialog::updateButtons);
        form->addRow(labelOf(key), box);
        m_boxes[key] = box;
    }
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateButtons();
}

QString FieldMappingDialog::mapping() const
{
    ingest::FieldMapping m;
    for (const auto& [key, box] : m_boxes)
        if (const QString path = box->currentData().toString(); !path.isEmpty())
            m.paths[key] = path.toStdString();
    return QString::fromStdString(m.toString());
}

void FieldMappingDialog::updateButtons()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_boxes.at("question")->currentData().toString().isEmpty());
}

} // namespace cotlab::ui
