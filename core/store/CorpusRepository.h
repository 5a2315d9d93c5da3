#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cotlab::store {

class Database;

// A corpus as corpus::buildCorpus makes it and the repository stores it.
struct CorpusMember {
    int64_t rationaleId = 0;
    int64_t instanceId = 0;
    std::optional<std::string> text; // the text a clean step cut, when it differs from the stored one
};

// What is left after a step (after step 0: the rationales the recipe starts from, every one in the store).
struct CorpusStepCounts {
    std::string step;
    int64_t instances = 0; // with at least one rationale left
    int64_t rationales = 0;
    int64_t judged = 0; // with a correct/wrong mark
    int64_t correct = 0;
    int64_t characters = 0;
    double accuracy() const { return judged ? double(correct) / double(judged) : 0.0; }
    double meanLength() const { return rationales ? double(characters) / double(rationales) : 0.0; }
};

struct BuiltCorpus {
    std::vector<CorpusMember> members;   // by instance, then the order the steps left them in
    std::vector<CorpusStepCounts> steps; // "store", then one per recipe step
    // Per recipe step, the rationales it removed (of the instances still in at that step); an instance step
    // removes all that were left of the instances it drops.
    std::vector<std::vector<int64_t>> removed;
};

struct CorpusInfo {
    int64_t id = 0;
    std::string name;
    std::string recipeJson;
    std::vector<CorpusStepCounts> steps;
    int64_t instances = 0;
    int64_t rationales = 0;
    std::string createdAt;
};

class CorpusRepository {
public:
    explicit CorpusRepository(Database& db) : m_db(db) {}

    // Stores a built corpus under a name in one transaction; an existing corpus of that name is an error unless
    // replace is set. Returns its id.
    int64_t save(const std::string& name, const std::string& recipeJson, const BuiltCorpus& built,
                 bool replace = false);
    std::vector<CorpusInfo> list(); // newest first
    std::optional<CorpusInfo> find(const std::string& name);
    std::vector<CorpusMember> members(int64_t corpusId);
    // Renaming, replacing and deleting are refused (Error naming the runs) while a run's recipe names the corpus.
    void rename(const std::string& from, const std::string& to);
    void remove(const std::string& name);
    std::vector<int64_t> runsTrainedOn(const std::string& name); // ids of the runs whose recipe names the corpus

private:
    void refuseIfTrainedOn(const std::string& name, const std::string& what);
    Database& m_db;
};

} // namespace cotlab::store
