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
    int64_t rationales = 0; // of every source
    int64_t teacherRationales = 0;
    int64_t studentRationales = 0; // written by evaluated students
    int64_t humanRationales = 0;
    int64_t teacherCorrect = 0;
    int64_t teacherJudged = 0;          // teacher rationales with a verdict: their instance has a gold answer
    int64_t trainTeacherRationales = 0; // of train instances: what training reads unless told otherwise
    int64_t trainInstances = 0;
    int64_t devInstances = 0;
    int64_t testInstances = 0;
    int64_t contrastInstances = 0;

    // Teacher rationales per instance (students' and humans' are not the teacher's samples).
    double teacherPerInstance() const { return instances ? double(teacherRationales) / double(instances) : 0.0; }
    // Share of the judged teacher rationales whose final answer equals gold; 0 without any (a trace set published
    // without gold answers has none: say "not judged", not 0%).
    double teacherAccuracy() const { return teacherJudged ? double(teacherCorrect) / double(teacherJudged) : 0.0; }
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
