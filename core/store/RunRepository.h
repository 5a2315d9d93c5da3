#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cotlab::store {

class Database;

struct RunRecord {
    int64_t id = 0;
    std::string name;
    std::string status; // running, stopped, finished, failed
    std::string modelPath;
    std::string outputDir;
    std::string configJson;
    std::string recipeJson;
    std::optional<std::string> message;
    int64_t step = 0;
    int64_t totalSteps = 0;
    std::string createdAt;
    std::string updatedAt;
};

class RunRepository {
public:
    explicit RunRepository(Database& db) : m_db(db) {}

    int64_t create(const RunRecord& run); // returns the new id; status as given
    void updateProgress(int64_t runId, int64_t step, int64_t totalSteps);
    void finish(int64_t runId, const std::string& status, const std::optional<std::string>& message);
    // Metrics of one step; a step written twice (a resumed run repeating it) keeps the latest values.
    void addMetrics(int64_t runId, int64_t step, const std::map<std::string, double>& values);
    // Forgets the metrics of steps after `step` (a run resumed from there, or restarted from 0, records them again).
    void dropMetricsAfter(int64_t runId, int64_t step);

    std::vector<RunRecord> list(); // newest first
    std::optional<RunRecord> find(int64_t runId);
    // (step, value) in step order.
    std::vector<std::pair<int64_t, double>> metric(int64_t runId, const std::string& name);
    std::vector<std::string> metricNames(int64_t runId); // the metrics the run recorded, by name
    // Runs left 'running' by a process that ended (crash, kill) become 'stopped': they can be resumed.
    int markInterrupted();

private:
    Database& m_db;
};

} // namespace cotlab::store
