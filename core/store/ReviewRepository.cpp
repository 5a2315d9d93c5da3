#include "store/ReviewRepository.h"

#include "store/Database.h"
#include "util/Error.h"

#include <map>

namespace cotlab::store {

namespace {

constexpr const char* kStudyColumns = "SELECT s.id, s.name, s.mode, s.config, s.created_at, "
                                      "(SELECT count(*) FROM study_items WHERE study_id = s.id) FROM studies s ";

StudyRecord readStudy(const Statement& st)
{
    return {st.int64(0), st.string(1), st.string(2), st.string(3), st.string(4), st.int64(5)};
}

constexpr const char* kItemColumns =
    "SELECT id, position, instance_id, rationale_a, source_a, rationale_b, source_b, stratum FROM study_items ";

StudyItemRecord readItem(const Statement& st, int first = 0)
{
    StudyItemRecord item;
    item.id = st.int64(first);
    item.position = st.int64(first + 1);
    item.instanceId = st.int64(first + 2);
    item.rationaleA = st.int64(first + 3);
    item.sourceA = st.int64(first + 4);
    item.rationaleB = st.optInt64(first + 5);
    item.sourceB = st.optInt64(first + 6);
    item.stratum = st.string(first + 7);
    return item;
}

std::optional<bool> optBool(const Statement& st, int column)
{
    if (st.isNull(column))
        return std::nullopt;
    return st.int64(column) != 0;
}

// Rationale columns, prefixed by the alias: 7 columns.
std::string rationaleColumns(const std::string& alias)
{
    return alias + ".id, " + alias + ".source_kind, " + alias + ".model, " + alias + ".text, " + alias +
           ".answer_sentence, coalesce(" + alias + ".answer, " + alias + ".extracted_answer, ''), " + alias +
           ".correct";
}

StudyRationale readRationale(const Statement& st, int first)
{
    return {st.int64(first),         st.string(first + 1), st.string(first + 2),  st.string(first + 3),
            st.optString(first + 4), st.string(first + 5), optBool(st, first + 6)};
}

} // namespace

int64_t ReviewRepository::createStudy(const std::string& name, const std::string& mode, const std::string& configJson,
                                      const std::vector<StudyItemRecord>& items)
{
    if (name.empty())
        throw Error("a study needs a name");
    Transaction tx(m_db);
    if (find(name))
        throw Error("a study named '" + name + "' already exists in " + m_db.path() + "; pick another name");
    Statement st(m_db, "INSERT INTO studies (name, mode, config) VALUES (?1, ?2, ?3)");
    st.bind(1, name).bind(2, mode).bind(3, configJson).exec();
    const int64_t id = m_db.lastInsertRowId();
    Statement add(m_db, "INSERT INTO study_items (study_id, position, instance_id, rationale_a, source_a, "
                        "rationale_b, source_b, stratum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    int64_t position = 0;
    for (const auto& item : items) {
        add.bind(1, id).bind(2, position++).bind(3, item.instanceId).bind(4, item.rationaleA).bind(5, item.sourceA);
        add.bind(6, item.rationaleB).bind(7, item.sourceB).bind(8, item.stratum).exec();
    }
    tx.commit();
    return id;
}

std::vector<StudyRecord> ReviewRepository::list()
{
    Statement st(m_db, std::string(kStudyColumns) + "ORDER BY s.id DESC");
    std::vector<StudyRecord> out;
    while (st.step())
        out.push_back(readStudy(st));
    return out;
}

std::optional<StudyRecord> ReviewRepository::find(const std::string& name)
{
    Statement st(m_db, std::string(kStudyColumns) + "WHERE s.name = ?1");
    st.bind(1, name);
    if (!st.step())
        return std::nullopt;
    return readStudy(st);
}

std::optional<StudyRecord> ReviewRepository::find(int64_t id)
{
    Statement st(m_db, std::string(kStudyColumns) + "WHERE s.id = ?1");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readStudy(st);
}

void ReviewRepository::remove(const std::string& name)
{
    Statement st(m_db, "DELETE FROM studies WHERE name = ?1");
    st.bind(1, name).exec();
    if (m_db.changes() == 0)
        throw Error("there is no study named '" + name + "' in " + m_db.path());
}

std::vector<ReviewRepository::SourceSummary> ReviewRepository::sources()
{
    Statement st(m_db, "SELECT source_kind, model, count(DISTINCT instance_id) FROM rationales "
                       "GROUP BY source_kind, model ORDER BY source_kind DESC, model");
    std::vector<SourceSummary> out;
    while (st.step())
        out.push_back({st.string(0), st.string(1), st.int64(2)});
    return out;
}

std::vector<std::vector<int64_t>> ReviewRepository::sharedInstances(const std::vector<SourceSummary>& sources)
{
    std::map<std::pair<std::string, std::string>, size_t> index;
    for (size_t k = 0; k < sources.size(); ++k)
        index[{sources[k].kind, sources[k].model}] = k;
    std::vector<std::vector<int64_t>> shared(sources.size(), std::vector<int64_t>(sources.size(), 0));
    Statement st(m_db, "SELECT DISTINCT instance_id, source_kind, model FROM rationales ORDER BY instance_id");
    int64_t current = -1;
    std::vector<size_t> here; // the sources of the current instance
    auto count = [&] {
        for (size_t a : here)
            for (size_t b : here)
                ++shared[a][b];
    };
    while (st.step()) {
        if (st.int64(0) != current) {
            count();
            here.clear();
            current = st.int64(0);
        }
        if (const auto it = index.find({st.string(1), st.string(2)}); it != index.end())
            here.push_back(it->second);
    }
    count();
    return shared;
}

std::vector<SourceRationale> ReviewRepository::sourceRationales(const std::string& sourceKind, const std::string& model,
                                                                const std::vector<std::string>& tasks,
                                                                const std::string& split)
{
    std::string sql = "SELECT r.instance_id, t.name, r.id, r.correct FROM rationales r "
                      "JOIN instances i ON i.id = r.instance_id JOIN tasks t ON t.id = i.task_id "
                      "WHERE r.source_kind = ?1 AND (?2 = '' OR r.model = ?2) AND (?3 = '' OR i.split = ?3)";
    if (!tasks.empty()) {
        sql += " AND t.name IN (";
        for (size_t i = 0; i < tasks.size(); ++i)
            sql += (i ? ", ?" : "?") + std::to_string(i + 4);
        sql += ")";
    }
    sql += " ORDER BY r.instance_id, r.sample_index, r.id";
    Statement st(m_db, sql);
    st.bind(1, sourceKind).bind(2, model).bind(3, split);
    for (size_t i = 0; i < tasks.size(); ++i)
        st.bind(int(i + 4), tasks[i]);
    std::vector<SourceRationale> out;
    while (st.step())
        out.push_back({st.int64(0), st.string(1), st.int64(2), optBool(st, 3)});
    return out;
}

std::vector<StudyItemRecord> ReviewRepository::items(int64_t studyId)
{
    Statement st(m_db, std::string(kItemColumns) + "WHERE study_id = ?1 ORDER BY position");
    st.bind(1, studyId);
    std::vector<StudyItemRecord> out;
    while (st.step())
        out.push_back(readItem(st));
    return out;
}

std::vector<StudyItemDetail> ReviewRepository::itemDetails(int64_t studyId)
{
    Statement st(m_db, "SELECT s.id, s.position, s.instance_id, s.rationale_a, s.source_a, s.rationale_b, "
                       "s.source_b, s.stratum, t.name, i.ext_id, i.question, i.gold, i.answer_kind, i.choices, " +
                           rationaleColumns("a") + ", " + rationaleColumns("b") +
                           " FROM study_items s JOIN instances i ON i.id = s.instance_id "
                           "JOIN tasks t ON t.id = i.task_id JOIN rationales a ON a.id = s.rationale_a "
                           "LEFT JOIN rationales b ON b.id = s.rationale_b "
                           "WHERE s.study_id = ?1 ORDER BY s.position");
    st.bind(1, studyId);
    std::vector<StudyItemDetail> out;
    while (st.step()) {
        StudyItemDetail d;
        d.item = readItem(st);
        d.task = st.string(8);
        d.extId = st.string(9);
        d.question = st.string(10);
        d.gold = st.string(11);
        d.answerKind = st.string(12);
        d.choicesJson = st.optString(13);
        d.a = readRationale(st, 14);
        if (!st.isNull(21))
            d.b = readRationale(st, 21);
        out.push_back(std::move(d));
    }
    return out;
}

AnnotatorRecord ReviewRepository::annotator(int64_t studyId, const std::string& name)
{
    if (name.empty())
        throw Error("an annotator needs a name");
    Statement add(m_db, "INSERT INTO study_annotators (study_id, name) VALUES (?1, ?2) "
                        "ON CONFLICT (study_id, name) DO NOTHING");
    add.bind(1, studyId).bind(2, name).exec();
    Statement st(m_db, "SELECT id, name, position FROM study_annotators WHERE study_id = ?1 AND name = ?2");
    st.bind(1, studyId).bind(2, name);
    if (!st.step())
        throw Error("could not add annotator '" + name + "' to the study");
    return {st.int64(0), st.string(1), st.int64(2)};
}

std::vector<AnnotatorRecord> ReviewRepository::annotators(int64_t studyId)
{
    Statement st(m_db, "SELECT id, name, position FROM study_annotators WHERE study_id = ?1 ORDER BY id");
    st.bind(1, studyId);
    std::vector<AnnotatorRecord> out;
    while (st.step())
        out.push_back({st.int64(0), st.string(1), st.int64(2)});
    return out;
}

void ReviewRepository::setPosition(int64_t annotatorId, int64_t position)
{
    Statement st(m_db, "UPDATE study_annotators SET position = ?2 WHERE id = ?1");
    st.bind(1, annotatorId).bind(2, position).exec();
}

void ReviewRepository::setLabel(int64_t itemId, int64_t annotatorId, const std::string& criterion,
                                const std::string& value)
{
    Statement st(m_db, "INSERT INTO study_labels (item_id, annotator_id, criterion, value) VALUES (?1, ?2, ?3, ?4) "
                       "ON CONFLICT (item_id, annotator_id, criterion) DO UPDATE SET value = excluded.value, "
                       "labelled_at = excluded.labelled_at");
    st.bind(1, itemId).bind(2, annotatorId).bind(3, criterion).bind(4, value).exec();
}

void ReviewRepository::clearLabel(int64_t itemId, int64_t annotatorId, const std::string& criterion)
{
    Statement st(m_db, "DELETE FROM study_labels WHERE item_id = ?1 AND annotator_id = ?2 AND criterion = ?3");
    st.bind(1, itemId).bind(2, annotatorId).bind(3, criterion).exec();
}

void ReviewRepository::setComment(int64_t itemId, int64_t annotatorId, const std::string& comment)
{
    if (comment.empty()) {
        Statement st(m_db, "DELETE FROM study_comments WHERE item_id = ?1 AND annotator_id = ?2");
        st.bind(1, itemId).bind(2, annotatorId).exec();
        return;
    }
    Statement st(m_db, "INSERT INTO study_comments (item_id, annotator_id, comment) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (item_id, annotator_id) DO UPDATE SET comment = excluded.comment, "
                       "updated_at = excluded.updated_at");
    st.bind(1, itemId).bind(2, annotatorId).bind(3, comment).exec();
}

std::vector<StudyLabel> ReviewRepository::labels(int64_t studyId)
{
    Statement st(m_db, "SELECT l.item_id, a.name, l.criterion, l.value, l.labelled_at FROM study_labels l "
                       "JOIN study_items s ON s.id = l.item_id JOIN study_annotators a ON a.id = l.annotator_id "
                       "WHERE s.study_id = ?1 ORDER BY s.position, a.id, l.criterion");
    st.bind(1, studyId);
    std::vector<StudyLabel> out;
    while (st.step())
        out.push_back({st.int64(0), st.string(1), st.string(2), st.string(3), st.string(4)});
    return out;
}

std::vector<StudyComment> ReviewRepository::comments(int64_t studyId)
{
    Statement st(m_db, "SELECT c.item_id, a.name, c.comment FROM study_comments c "
                       "JOIN study_items s ON s.id = c.item_id JOIN study_annotators a ON a.id = c.annotator_id "
                       "WHERE s.study_id = ?1 ORDER BY s.position, a.id");
    st.bind(1, studyId);
    std::vector<StudyComment> out;
    while (st.step())
        out.push_back({st.int64(0), st.string(1), st.string(2)});
    return out;
}

void ReviewRepository::importLabels(int64_t studyId, const ImportedLabels& byAnnotator)
{
    Transaction tx(m_db);
    for (const auto& [name, items] : byAnnotator) {
        const AnnotatorRecord who = annotator(studyId, name);
        for (const auto& item : items) {
            for (const auto& [criterion, value] : item.labels)
                setLabel(item.itemId, who.id, criterion, value);
            if (!item.comment.empty())
                setComment(item.itemId, who.id, item.comment);
        }
    }
    tx.commit();
}

} // namespace cotlab::store
