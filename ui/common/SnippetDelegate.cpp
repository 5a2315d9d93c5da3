#include "common/SnippetDelegate.h"

#include "browse/RationaleTableModel.h"

#include <QPainter>
#include <QStaticText>
#include <cmath>

namespace cotlab::ui {

void SnippetDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QString snippet = index.data(RationaleTableModel::SnippetRole).toString();
    if (snippet.isEmpty()) {
        CachedTextDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    paintPanel(painter, opt);

    painter->save();
    const QRect area = textArea(option);
    // Only what can fit is laid out: shaping a whole 400-character snippet per cell makes scrolling stutter.
    const QFontMetrics fit(option.font);
    snippet = snippet.left(2 * area.width() / std::max(1, fit.averageCharWidth()) + 8).simplified();
    painter->setClipRect(area);
    const QColor text = (option.state & QStyle::State_Selected) ? option.palette.highlightedText().color()
                                                                : option.palette.text().color();
    int x = area.left();
    bool match = false;
    QString run;
    auto flush = [&] {
        if (run.isEmpty())
            return;
        // One layout serves both the run's width and its drawing (drawText would shape it a second time).
        QStaticText layout(run);
        layout.setTextFormat(Qt::PlainText);
        layout.prepare(QTransform(), option.font);
        const QSizeF size = layout.size();
        const int width = int(std::ceil(size.width()));
        const QRect box(x, area.top(), std::min(width, area.right() - x + 1), area.height());
        if (match) {
            painter->fillRect(box.adjusted(0, 2, 0, -2), QColor(255, 224, 102));
            painter->setPen(QColor(20, 20, 20));
        } else {
            painter->setPen(text);
        }
        painter->drawStaticText(QPointF(x, area.top() + (area.height() - size.height()) / 2), layout);
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
