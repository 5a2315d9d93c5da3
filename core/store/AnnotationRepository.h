#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cotlab::store {

class Database;

// A researcher's note and tags on an instance or a rationale (db/migrations/0004_annotations.sql).
struct Annotation {
    std::string note;
    std::vector<std::string> tags; // sorted, no duplicates
    bool operator==(const Annotation&) const = default;
};

enum class AnnotationTarget { Instance, Rationale };

class AnnotationRepository {
public:
    explicit AnnotationRepository(Database& db) : m_db(db) {}

    Annotation get(AnnotationTarget target, int64_t id);
    // The annotations of an instance's rationales that have any, by rationale id.
    std::map<int64_t, Annotation> ofInstanceRationales(int64_t instanceId);
    // Replaces the note and tags in one transaction; an empty note removes it. Tags are trimmed; empty ones
    // and duplicates are dropped. Throws Error when the item does not exist.
    void set(AnnotationTarget target, int64_t id, const Annotation& annotation);
    // Every tag in use, sorted.
    std::vector<std::string> allTags();

private:
    Database& m_db;
};

// "a, b ,c" -> {"a", "b", "c"}: the tags of a comma-separated list, trimmed, sorted, without duplicates.
std::vector<std::string> parseTags(const std::string& commaSeparated);

} // namespace cotlab::store
