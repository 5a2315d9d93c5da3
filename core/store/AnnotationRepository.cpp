#include "store/AnnotationRepository.h"

#include "store/Database.h"
#include "util/Error.h"
#include "util/Text.h"

#include <algorithm>

namespace cotlab::store {

namespace {

struct Tables {
    const char* notes;
    const char* tags;
    const char* key;
    const char* items;
};

Tables tablesOf(AnnotationTarget target)
{
    return target == AnnotationTarget::Instance
               ? Tables{"instance_notes", "instance_tags", "instance_id", "instances"}
               : Tables{"rationale_notes", "rationale_tags", "rationale_id", "rationales"};
}

} // namespace

std::vector<std::string> parseTags(const std::string& commaSeparated)
{
    std::vector<std::string> tags;
    size_t start = 0;
    while (start <= commaSeparated.size()) {
        size_t end = commaSeparated.find(',', start);
        if (end == std::string::npos)
            end = commaSeparated.size();
        std::string tag(text::trim(std::string_view(commaSeparated).substr(start, end - start)));
        if (!tag.empty())
            tags.push_back(std::move(tag));
        start = end + 1;
    }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    return tags;
}

Annotation AnnotationRepository::get(AnnotationTarget target, int64_t id)
{
    const Tables t = tablesOf(target);
    Annotation out;
    Statement note(m_db, std::string("SELECT note FROM ") + t.notes + " WHERE " + t.key + " = ?1");
    note.bind(1, id);
    if (note.step())
        out.note = note.string(0);
    Statement tags(m_db, std::string("SELECT tag FROM ") + t.tags + " WHERE " + t.key + " = ?1 ORDER BY tag");
    tags.bind(1, id);
    while (tags.step())
        out.tags.push_back(tags.string(0));
    return out;
}

std::map<int64_t, Annotation> AnnotationRepository::ofInstanceRationales(int64_t instanceId)
{
    std::map<int64_t, Annotation> out;
    Statement notes(m_db, "SELECT n.rationale_id, n.note FROM rationale_notes n JOIN rationales r ON r.id = "
                          "n.rationale_id WHERE r.instance_id = ?1");
    notes.bind(1, instanceId);
    while (notes.step())
        out[notes.int64(0)].note = notes.string(1);
    Statement tags(m_db, "SELECT g.rationale_id, g.tag FROM rationale_tags g JOIN rationales r ON r.id = "
                         "g.rationale_id WHERE r.instance_id = ?1 ORDER BY g.rationale_id, g.tag");
    tags.bind(1, instanceId);
    while (tags.step())
        out[tags.int64(0)].tags.push_back(tags.string(1));
    return out;
}

void AnnotationRepository::set(AnnotationTarget target, int64_t id, const Annotation& annotation)
{
    const Tables t = tablesOf(target);
    Transaction tx(m_db);
    Statement exists(m_db, std::string("SELECT 1 FROM ") + t.items + " WHERE id = ?1");
    exists.bind(1, id);
    if (!exists.step())
        throw Error(std::string("no ") + (target == AnnotationTarget::Instance ? "instance" : "rationale") +
                    " with id " + std::to_string(id) + " in " + m_db.path());
    const std::string note(text::trim(annotation.note));
    if (note.empty()) {
        Statement del(m_db, std::string("DELETE FROM ") + t.notes + " WHERE " + t.key + " = ?1");
        del.bind(1, id).exec();
    } else {
        Statement put(m_db, std::string("INSERT INTO ") + t.notes + " (" + t.key + ", note) VALUES (?1, ?2) " +
                                "ON CONFLICT DO UPDATE SET note = excluded.note, updated_at = " +
                                "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')");
        put.bind(1, id).bind(2, note).exec();
    }
    Statement clear(m_db, std::string("DELETE FROM ") + t.tags + " WHERE " + t.key + " = ?1");
    clear.bind(1, id).exec();
    std::string joined;
    for (const auto& tag : annotation.tags)
        joined += tag + ",";
    Statement add(m_db, std::string("INSERT INTO ") + t.tags + " (" + t.key + ", tag) VALUES (?1, ?2)");
    for (const auto& tag : parseTags(joined))
        add.bind(1, id).bind(2, tag).exec();
    tx.commit();
}

std::vector<std::string> AnnotationRepository::allTags()
{
    std::vector<std::string> out;
    Statement st(m_db, "SELECT tag FROM instance_tags UNION SELECT tag FROM rationale_tags ORDER BY 1");
    while (st.step())
        out.push_back(st.string(0));
    return out;
}

} // namespace cotlab::store
