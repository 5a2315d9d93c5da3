#pragma once

// The student fields the Train and Evaluate pages share: a Hugging Face model folder or llama2.c checkpoint, its
// tokenizer (default: the folder's own) and the device, as rows of a form that a page can add its own rows to.
#include <QString>
#include <QWidget>
#include <optional>
#include <string>

class QComboBox;
class QFormLayout;
class QLineEdit;

namespace cotlab::ui {

class ModelPicker : public QWidget {
    Q_OBJECT

public:
    explicit ModelPicker(QWidget* parent = nullptr);

    QFormLayout* form() const { return m_form; }
    QString modelPath() const;
    std::optional<std::string> tokenizerPath() const; // none: the model folder's own
    std::string device() const;
    void setPaths(const QString& model, const QString& tokenizer);
    void setPathsEnabled(bool enabled); // off while a trained run's own model is chosen
    // "" when the model path names an existing file or folder, else what to do.
    QString problem() const;

Q_SIGNALS:
    void changed(); // the model, tokenizer or device was edited

private:
    QFormLayout* m_form;
    QLineEdit* m_model;
    QLineEdit* m_tokenizer;
    QComboBox* m_device;
};

} // namespace cotlab::ui
