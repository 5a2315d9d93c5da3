#pragma once

#include "corpus/CorpusBuilder.h"

#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {

class Database;

struct CorpusInfo {
    int64_t id = 0;
    std::string name;
    std::string recipeJson;
    std::vector<corpus::StepCounts> steps;
    int64_t instances = 0;
    int64_t rationales = 0;
    std::string createdAt;
};

class CorpusRepository {
public:
    explicit CorpusRepository(Database& db) : m_db(db) {}

    // Stores a built corpus under a name in one transaction; an existing corpus of that name is an error unless
    // replace is set. Returns its id.
    int64_t save(const std::string& name, const std::string& recipeJson, const corpus::BuiltCorpus& built,
                 bool replace = false);
    std::vector<CorpusInfo> list(); // newest first
    std::optional<CorpusInfo> find(const std::string& name);
    std::vector<corpus::CorpusMember> members(int64_t corpusId);
    void rename(const std::string& from, const std::string& to);
    void remove(const std::string& name);

private:
    Database& m_db;
};

} // namespace cotlab::store
