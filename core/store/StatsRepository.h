#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cotlab::store {

class Database;

struct TaskStats {
    std::string task;
    std::string answerKind;
    int64_t instances = 0;
    int64_t instancesWithRationales = 0;
    int64_t rationales = 0;
    int64_t teacherRationales = 0;
    int64_t teacherCorrect = 0;
    int64_t trainInstances = 0;
    int64_t devInstances = 0;
    int64_t testInstances = 0;
    int64_t contrastInstances = 0;

    double rationalesPerInstance() const { return instances ? double(rationales) / double(instances) : 0.0; }
    // Share of teacher rationales whose final answer equals gold; 0 without teacher rationales.
    double teacherAccuracy() const
    {
        return teacherRationales ? double(teacherCorrect) / double(teacherRationales) : 0.0;
    }
};

struct WorkspaceTotals {
    int64_t tasks = 0;
    int64_t instances = 0;
    int64_t rationales = 0;
};

class StatsRepository {
public:
    explicit StatsRepository(Database& db) : m_db(db) {}
    std::vector<TaskStats> perTask();
    WorkspaceTotals totals();

private:
    Database& m_db;
};

} // namespace cotlab::store
