#include "common/ModelPicker.h"

#include "common/FormWidgets.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLineEdit>

namespace cotlab::ui {

ModelPicker::ModelPicker(QWidget* parent)
    : QWidget(parent), m_form(new QFormLayout(this)), m_model(new QLineEdit), m_tokenizer(new QLineEdit),
      m_device(new QComboBox)
{
    m_model->setObjectName("model");
    m_model->setPlaceholderText(tr("Hugging Face folder or llama2.c .bin"));
    m_tokenizer->setObjectName("tokenizer");
    m_tokenizer->setPlaceholderText(tr("the model folder's own"));
    m_device->setObjectName("device");
    m_device->addItems({"auto", "cpu", "cuda:0", "cuda:1"});
    m_device->setToolTip(tr("auto: the first CUDA GPU when there is one, else the CPU"));
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->addRow(tr("Model"), pathField(m_model, true, this));
    m_form->addRow(tr("Tokenizer"), pathField(m_tokenizer, false, this));
    m_form->addRow(tr("Device"), m_device);
    connect(m_model, &QLineEdit::textChanged, this, &ModelPicker::changed);
    connect(m_tokenizer, &QLineEdit::textChanged, this, &ModelPicker::changed);
    connect(m_device, &QComboBox::currentIndexChanged, this, &ModelPicker::changed);
}

QString ModelPicker::modelPath() const
{
    return m_model->text().trimmed();
}

std::optional<std::string> ModelPicker::tokenizerPath() const
{
    const QString path = m_tokenizer->text().trimmed();
    return path.isEmpty() ? std::nullopt : std::optional(path.toStdString());
}

std::string ModelPicker::device() const
{
    return m_device->currentText().toStdString();
}

void ModelPicker::setPaths(const QString& model, const QString& tokenizer)
{
    m_model->setText(model);
    m_tokenizer->setText(tokenizer);
}

void ModelPicker::setPathsEnabled(bool enabled)
{
    m_model->setEnabled(enabled);
    m_tokenizer->setEnabled(enabled);
}

QString ModelPicker::problem() const
{
    if (modelPath().isEmpty() || !QFileInfo::exists(modelPath()))
        return tr("choose an existing Hugging Face model folder or llama2.c .bin file.");
    return {};
}

} // namespace cotlab::ui
