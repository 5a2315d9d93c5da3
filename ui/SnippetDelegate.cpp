#include "SnippetDelegate.h"

#include "RationaleTableModel.h"

#include <QApplication>
#include <QPainter>

namespace cotlab::ui {

void SnippetDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QString snippet = index.data(RationaleTableModel::SnippetRole).toString();
    if (snippet.isEmpty()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The cell's background and selection as usual, without text.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    painter->save();
    const QRect area = option.rect.adjusted(4, 0, -4, 0);
    // Only what can fit is laid out: shaping a whole 400-character snippet per cell makes scrolling stutter.
    const QFontMetrics fit(option.font);
    snippet = snippet.left(2 * area.width() / std::max(1, fit.averageCharWidth()) + 8).simplified();
    painter->setClipRect(area);
    const QFontMetrics metrics(option.font);
    const QColor text = (option.state & QStyle::State_Selected) ? option.palette.highlightedText().color()
                                                                : option.palette.text().color();
    int x = area.left();
    bool match = false;
    QString run;
    auto flush = [&] {
        if (run.isEmpty())
            return;
        const int width = metrics.horizontalAdvance(run);
        const QRect box(x, area.top(), std::min(width, area.right() - x + 1), area.height());
        if (match) {
            painter->fillRect(box.adjusted(0, 2, 0, -2), QColor(255, 224, 102));
            painter->setPen(QColor(20, 20, 20));
        } else {
            painter->setPen(text);
        }
        painter->drawText(QRect(x, area.top(), width, area.height()), Qt::AlignVCenter | Qt::AlignLeft, run);
        x += width;
        run.clear();
    };
    for (const QChar c : snippet) {
        if (c == QChar(store::kMatchStart) || c == QChar(store::kMatchEnd)) {
            flush();
            match = c == QChar(store::kMatchStart);
        } else {
            run += c;
        }
        if (x > area.right())
            break;
    }
    flush();
    painter->restore();
}

} // namespace cotlab::ui
