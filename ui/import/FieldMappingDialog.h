#pragma once

#include "ingest/FieldMapping.h"

#include <QDialog>
#include <QStringList>
#include <map>
#include <string>

class QComboBox;
class QDialogButtonBox;

namespace cotlab::ui {

// Picks which field of a JSONL file of its own shape is the question, the gold answer, the id, ... from the fields
// of its first record (ingest::FieldMapping::pathsOf); the Import dialog's "Pick Fields…".
class FieldMappingDialog : public QDialog {
    Q_OBJECT

public:
    // 'paths': the first record's fields; 'initial': the mapping to show (a suggestion, or the one typed).
    FieldMappingDialog(const QStringList& paths, const ingest::FieldMapping& initial, QWidget* parent = nullptr);

    // The mapping as the Fields box and cotlab-cli --fields write it ("question=problem,gold=answer").
    QString mapping() const;
    // The box choosing the field of a key ("question", "gold", ...).
    QComboBox* box(const std::string& key) const { return m_boxes.at(key); }

private:
    void updateButtons();

    std::map<std::string, QComboBox*> m_boxes;
    QDialogButtonBox* m_buttons;
};

} // namespace cotlab::ui
