#pragma once

// Rationales as HTML for the pages' text views.
#include <QString>
#include <QStringList>

namespace cotlab::ui {

// The text as HTML with its answer sentence (blue, bold) and the search terms' matches (yellow) highlighted. A term
// ending in * matches as a prefix.
QString highlightedRationale(const QString& text, const QString& answerSentence, const QStringList& terms = {});

} // namespace cotlab::ui
