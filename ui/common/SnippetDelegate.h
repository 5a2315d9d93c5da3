#pragma once

#include "common/CachedTextDelegate.h"

namespace cotlab::ui {

// Paints a table cell's rationale snippet (RationaleTableModel::SnippetRole) on one line, with the search
// matches (between store::kMatchStart and kMatchEnd) on a yellow background, elided at the cell's right edge.
class SnippetDelegate : public CachedTextDelegate {
public:
    using CachedTextDelegate::CachedTextDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace cotlab::ui
