#pragma once

// Rationales as HTML for the pages' text views.
#include <QString>
#include <QStringList>
#include <string>

namespace cotlab::ui {

// The text as HTML with its answer sentence (blue, bold) and the search terms' matches (yellow) highlighted. A term
// ending in * matches as a prefix.
QString highlightedRationale(const QString& text, const QString& answerSentence, const QStringList& terms = {});

// A rationale whose text marks its thinking (<think>…</think> and the other markers of text/ReasoningParts.h): a
// link line "▸ Thinking · N words" (href toggleHref) and, when thinkingShown, the thinking in grey on a tinted
// block, then the answer part highlighted as above. A rationale without markers is highlightedRationale's.
QString rationaleWithThinkingHtml(const std::string& text, const QString& answerSentence, const QStringList& terms,
                                  bool thinkingShown, const QString& toggleHref);

// True when the text marks a thinking part and one of the search terms occurs in it.
bool thinkingMatches(const std::string& text, const QStringList& terms);

} // namespace cotlab::ui
