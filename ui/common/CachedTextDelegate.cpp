#include "common/CachedTextDelegate.h"

#include <QApplication>
#include <QPainter>

namespace cotlab::ui {

namespace {
constexpr int kCachedLayouts = 20000; // each a few hundred bytes: a few MB at most
constexpr int kTextMargin = 4;
} // namespace

CachedTextDelegate::CachedTextDelegate(QObject* parent) : QStyledItemDelegate(parent)
{
    m_layouts.setMaxCost(kCachedLayouts);
}

void CachedTextDelegate::paintPanel(QPainter* painter, QStyleOptionViewItem& option)
{
    option.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &option, painter, widget);
}

QRect CachedTextDelegate::textArea(const QStyleOptionViewItem& option)
{
    return option.rect.adjusted(kTextMargin, 0, -kTextMargin, 0);
}

const QStaticText& CachedTextDelegate::layout(const QString& text, const QFont& font, int width) const
{
    if (font != m_font) {
        m_layouts.clear();
        m_font = font;
    }
    const auto make = [&](const QString& shown) {
        auto* st = new QStaticText(shown);
        st->setTextFormat(Qt::PlainText);
        st->setPerformanceHint(QStaticText::AggressiveCaching);
        st->prepare(QTransform(), font);
        return st;
    };
    if (const QStaticText* found = m_layouts.object(text); found && found->size().width() <= width)
        return *found;
    if (!m_layouts.contains(text)) {
        QStaticText* whole = make(text);
        const bool fits = whole->size().width() <= width;
        m_layouts.insert(text, whole);
        if (fits)
            return *whole;
    }
    // Too wide for the cell: the elided text, kept under the text and the width.
    const QString key = text + QChar(0x1e) + QString::number(width);
    if (const QStaticText* found = m_layouts.object(key))
        return *found;
    QStaticText* elided = make(QFontMetrics(font).elidedText(text, Qt::ElideRight, width));
    m_layouts.insert(key, elided);
    return *elided;
}

void CachedTextDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    paintPanel(painter, opt);
    if (text.isEmpty())
        return;
    const QRect area = textArea(opt);
    if (area.width() <= 0)
        return;
    const QStaticText& shown = layout(text, opt.font, area.width());
    const QSizeF size = shown.size();
    const qreal x = (opt.displayAlignment & Qt::AlignRight)     ? area.right() + 1 - size.width()
                    : (opt.displayAlignment & Qt::AlignHCenter) ? area.left() + (area.width() - size.width()) / 2
                                                                : area.left();
    const qreal y = area.top() + (area.height() - size.height()) / 2;
    const QPalette::ColorGroup group = !(opt.state & QStyle::State_Enabled) ? QPalette::Disabled
                                       : (opt.state & QStyle::State_Active) ? QPalette::Normal
                                                                            : QPalette::Inactive;
    painter->save();
    painter->setPen(
        opt.palette.color(group, (opt.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text));
    painter->setClipRect(area);
    painter->drawStaticText(QPointF(x, y), shown);
    painter->restore();
}

} // namespace cotlab::ui
