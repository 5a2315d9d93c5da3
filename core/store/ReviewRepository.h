#pragma once

// Human evaluation studies, their items, annotators, labels and comments (db/migrations/0006_reviews.sql).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {

class Database;

struct StudyRecord {
    int64_t id = 0;
    std::string name;
    std::string mode;       // single or pairwise
    std::string configJson; // review::StudySpec as JSON
    std::string createdAt;
    int64_t items = 0;
};

// One rationale a study may draw: its instance, task and whether its answer is right.
struct SourceRationale {
    int64_t instanceId = 0;
    std::string task;
    int64_t rationaleId = 0;
    std::optional<bool> correct;
};

struct StudyItemRecord {
    int64_t id = 0;
    int64_t position = 0;
    int64_t instanceId = 0;
    int64_t rationaleA = 0;
    int64_t sourceA = 0;
    std::optional<int64_t> rationaleB, sourceB;
    std::string stratum;
};

// What an annotator sees of a rationale, and what the report needs of it.
struct StudyRationale {
    int64_t id = 0;
    std::string sourceKind, model;
    std::string text;
    std::optional<std::string> answerSentence;
    std::string answer; // the recorded final answer ('' when none was found)
    std::optional<bool> correct;
};

struct StudyItemDetail {
    StudyItemRecord item;
    std::string task, extId, question, gold, answerKind;
    std::optional<std::string> choicesJson;
    StudyRationale a;
    std::optional<StudyRationale> b;
};

struct AnnotatorRecord {
    int64_t id = 0;
    std::string name;
    int64_t position = 0;
};

struct StudyLabel {
    int64_t itemId = 0;
    std::string annotator;
    std::string criterion;
    std::string value;
    std::string labelledAt;
};

struct StudyComment {
    int64_t itemId = 0;
    std::string annotator;
    std::string comment;
};

class ReviewRepository {
public:
    explicit ReviewRepository(Database& db) : m_db(db) {}

    // Stores a new study and its items (positions are set from the order given) in one transaction. A study of
    // that name already existing is an error naming it.
    int64_t createStudy(const std::string& name, const std::string& mode, const std::string& configJson,
                        const std::vector<StudyItemRecord>& items);
    std::vector<StudyRecord> list(); // newest first
    std::optional<StudyRecord> find(const std::string& name);
    std::optional<StudyRecord> find(int64_t id);
    void remove(const std::string& name);

    // The rationale sources of the workspace: each source kind and model with how many instances it covers.
    struct SourceSummary {
        std::string kind, model;
        int64_t instances = 0;
    };
    std::vector<SourceSummary> sources();
    // shared[i][j]: the instances with rationales from both sources()[i] and sources()[j] (one pass over the
    // rationales; the diagonal is each source's own instances).
    std::vector<std::vector<int64_t>> sharedInstances(const std::vector<SourceSummary>& sources);

    // The rationales of a source kind (and model, when given), of the given tasks (all when empty) and split
    // (any when empty), in instance then sample order.
    std::vector<SourceRationale> sourceRationales(const std::string& sourceKind, const std::string& model,
                                                  const std::vector<std::string>& tasks, const std::string& split);

    std::vector<StudyItemRecord> items(int64_t studyId);       // in position order
    std::vector<StudyItemDetail> itemDetails(int64_t studyId); // in position order

    // The annotator of that name (created when new).
    AnnotatorRecord annotator(int64_t studyId, const std::string& name);
    std::vector<AnnotatorRecord> annotators(int64_t studyId); // in the order they joined
    void setPosition(int64_t annotatorId, int64_t position);

    // Each call is its own committed transaction: a label is stored when the call returns.
    void setLabel(int64_t itemId, int64_t annotatorId, const std::string& criterion, const std::string& value);
    void clearLabel(int64_t itemId, int64_t annotatorId, const std::string& criterion);
    // An empty comment removes it.
    void setComment(int64_t itemId, int64_t annotatorId, const std::string& comment);

    std::vector<StudyLabel> labels(int64_t studyId);     // in item position, annotator, criterion order
    std::vector<StudyComment> comments(int64_t studyId); // in item position, annotator order

    // Stores annotators' labels and comments in one transaction (existing ones are replaced); annotators new to
    // the study join it.
    struct ImportedItem {
        int64_t itemId = 0;
        std::vector<std::pair<std::string, std::string>> labels; // criterion, value
        std::string comment;
    };
    using ImportedLabels = std::vector<std::pair<std::string, std::vector<ImportedItem>>>; // annotator, items
    void importLabels(int64_t studyId, const ImportedLabels& byAnnotator);

private:
    Database& m_db;
};

} // namespace cotlab::store
