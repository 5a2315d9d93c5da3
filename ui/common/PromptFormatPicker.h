#pragma once

// The prompt-format drop-down the Train, Evaluate and Export pages share: the built-in formats of
// resources/templates (titled, with their description and source below), the format files the user opened before,
// and "Open…" for another JSON format file (docs/prompt-formats.md). The combo box is named by the page, so that
// form settings and tests find it.
#include "train/PromptFormat.h"

#include <QString>
#include <QWidget>
#include <optional>

class QComboBox;
class QLabel;

namespace cotlab::ui {

class PromptFormatPicker : public QWidget {
    Q_OBJECT

public:
    // With a firstItem ("As the run was trained"), that item comes first and means no format of its own.
    explicit PromptFormatPicker(const QString& objectName, const QString& firstItem = {}, QWidget* parent = nullptr);

    QComboBox* combo() const { return m_combo; }
    // The chosen format; none for the first item. A format file that can no longer be read throws Error.
    std::optional<train::PromptFormat> format() const;
    // The chosen format's name ("" for the first item), for suggested file names.
    QString formatName() const;
    // Chooses the built-in format of this name, or the format file at this path (added when not yet listed).
    void choose(const QString& nameOrFile);
    // Opens a format file as the "Open…" button does; false (and the reason in *problem) when it is not a format.
    bool openFile(const QString& path, QString* problem);

Q_SIGNALS:
    void changed();

private:
    void addFile(const QString& path, const train::PromptFormat& format);
    void describe();

    QComboBox* m_combo;
    QLabel* m_about;
    bool m_hasFirstItem;
};

} // namespace cotlab::ui
