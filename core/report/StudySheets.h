#pragma once

// A study as spreadsheets: the full export (Summary, Items, Labels, Agreement, Comments; unblinded, for the
// researchers), the blank sheet for an annotator outside CoTLab (blind: sides as that annotator sees them, no
// model names) and the import of such a sheet once filled in.
#include "report/Spreadsheet.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {
class Database;
}

namespace cotlab::review {
struct StudyReport;
}

namespace cotlab::report {

std::vector<Sheet> studySheets(store::Database& db, int64_t studyId);

// An instance's stored choices (JSON) as sheet text, one "A) text" per line; "" when it has none.
std::string choicesText(const std::optional<std::string>& choicesJson);

// Agreement per criterion (Cohen's kappa per pair of annotators; Fleiss' kappa and Krippendorff's alpha, nominal
// and ordinal, when two or more annotators labelled) of one or more studies, with a Study column when asked.
Sheet agreementSheet(const std::vector<const review::StudyReport*>& reports, bool studyColumn);

// One row per item in the order the annotator labels them: item id, annotator, the question (choices, gold unless
// the study hides it), the rationale (pairwise: left and right as this annotator sees them), one column per
// criterion (allowed values in the header and as a drop-down list; pairwise: left/right/tie) and a comment. Labels
// the annotator already gave are filled in.
Sheet blankLabelSheet(store::Database& db, int64_t studyId, const std::string& annotator);

struct LabelImport {
    int64_t rows = 0;   // data rows read
    int64_t labels = 0; // labels stored (new or changed)
    int64_t comments = 0;
    std::vector<std::string> annotators;
};

// Reads a filled label sheet (CSV or XLSX, as blankLabelSheet writes it; columns may be in any order, criteria may
// be missing, empty cells are skipped) and stores its labels in one transaction. `annotator` names the annotator
// when the sheet has no annotator column. Nothing is stored when a row names an item not in the study or a value
// not on a criterion's scale: the Error lists each problem with its row and column.
LabelImport importLabelSheet(store::Database& db, int64_t studyId, const std::string& path,
                             const std::string& annotator = {});

} // namespace cotlab::report
