#pragma once

#include <QCache>
#include <QStaticText>
#include <QStyledItemDelegate>

namespace cotlab::ui {

// Paints one-line table cells from glyph layouts it keeps, keyed by text (and available width when elided). Laying out
// (shaping) text is most of the cost of painting a table; in a table of rationales most columns repeat a few
// values (task, split, source, model, sample, answer, correct), so a page of rows that scrolls into view is
// painted mostly from layouts already made. Long text is elided at the right, like QStyledItemDelegate does.
class CachedTextDelegate : public QStyledItemDelegate {
public:
    explicit CachedTextDelegate(QObject* parent = nullptr);
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

protected:
    // The cell's background, selection and focus as the style paints them, without text.
    static void paintPanel(QPainter* painter, QStyleOptionViewItem& option);
    static QRect textArea(const QStyleOptionViewItem& option);

private:
    const QStaticText& layout(const QString& text, const QFont& font, int width) const;

    mutable QCache<QString, QStaticText> m_layouts; // for m_font
    mutable QFont m_font;
};

} // namespace cotlab::ui
