#pragma once

#include "store/Records.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {

class Database;
class Statement;

// What the Browse page shows: rationales matching a filter, in a sort order. A scan walks the matching rows
// once, in the background, and yields their ids in order (and so their count); pages are then read by those
// ids, never with OFFSET, so any page of a million rows costs the same millisecond or two, whatever the sort.
struct RationaleFilter {
    enum class Correctness { Any, Correct, Wrong, Unknown };

    std::optional<std::string> task;
    std::optional<std::string> split;      // train, dev, test, contrast
    std::optional<std::string> sourceKind; // teacher, student, human
    std::optional<std::string> model;
    Correctness correctness = Correctness::Any;
    std::optional<int64_t> minLength; // characters of the rationale text, inclusive
    std::optional<int64_t> maxLength;
    std::optional<std::string> tag; // on the rationale or on its instance
    std::string search;             // FTS5 query over rationale text; empty: no search

    bool operator==(const RationaleFilter&) const = default;
};

enum class BrowseColumn { Id, Task, Split, Instance, Source, Model, Sample, Answer, Gold, Correct, Length, LogProb };

struct BrowseSort {
    BrowseColumn column = BrowseColumn::Id;
    bool descending = false;
    bool operator==(const BrowseSort&) const = default;
};

struct BrowseRow {
    int64_t id = 0;
    int64_t instanceId = 0;
    std::string task, split, instance, source, model;
    int64_t sample = 0;
    std::optional<std::string> answer; // the stored final answer, else the extracted one
    std::string gold;
    std::optional<int64_t> correct;
    int64_t length = 0; // characters
    std::optional<double> logprob;
    // The start of the text; with a search, FTS5's snippet around the matches, each match between
    // kMatchStart and kMatchEnd.
    std::string snippet;
};

inline constexpr char kMatchStart = '\x01';
inline constexpr char kMatchEnd = '\x02';

class RationaleBrowser {
public:
    RationaleBrowser(Database& db, RationaleFilter filter, BrowseSort sort);

    // Walks every matching row in sort order and passes their ids to `report` in chunks: the first chunk holds
    // up to `firstChunk` ids (so a view shows its first rows at once), later ones up to `chunk` ids. `report`
    // returns false to stop the walk, which then returns std::nullopt; otherwise the number of matching rows.
    // An invalid search throws Error with FTS5's message.
    using ScanReport = std::function<bool(std::vector<int64_t>&& ids)>;
    std::optional<int64_t> scan(int64_t firstChunk, int64_t chunk, const ScanReport& report);

    // The rows with these ids, in the order given; ids no longer stored are left out.
    std::vector<BrowseRow> rows(const std::vector<int64_t>& ids);

    // The filter's rows, aggregated for the Browse page's plots.
    struct Aggregates {
        struct TaskAccuracy {
            std::string task;
            int64_t teacherRationales = 0;
            int64_t teacherCorrect = 0;
            int64_t teacherJudged = 0; // with a verdict (their instance has a gold answer)
        };
        std::vector<TaskAccuracy> teacherAccuracy; // per task with teacher rationales, by name
        std::vector<int64_t> lengths;              // characters of every matching rationale, ascending
        std::vector<int64_t> samplesPerInstance;   // matching rationales of each instance that has any
        std::vector<double> agreementPerInstance;  // share of an instance's answered samples on its top answer
    };
    // Returns std::nullopt when `stop` returns true before the end.
    std::optional<Aggregates> aggregates(const std::function<bool()>& stop = {});

private:
    // " FROM ... WHERE ..." over the filter; `instanceJoins` adds instances i and tasks t.
    std::string fromWhere(bool instanceJoins) const;
    void bindFilter(Statement& st) const;

    Database& m_db;
    RationaleFilter m_filter;
    BrowseSort m_sort;
};

// The values the Browse page's filters offer.
struct BrowseFacets {
    std::vector<std::string> tasks, models, tags; // sorted
};
BrowseFacets browseFacets(Database& db);

// What the Browse page shows about one instance's rationales.
struct SampleStats {
    int64_t samples = 0;
    int64_t distinctRationales = 0; // by text
    int64_t judged = 0;             // with a correct/wrong mark
    int64_t correct = 0;
    std::vector<std::pair<std::string, int64_t>> answers; // final answer -> samples, most frequent first; "" = none
};
SampleStats sampleStats(const std::vector<RationaleRecord>& rationales);

} // namespace cotlab::store
