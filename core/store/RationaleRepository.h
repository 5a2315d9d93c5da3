#pragma once

#include "store/Records.h"

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cotlab::store {

class Database;

class RationaleRepository {
public:
    explicit RationaleRepository(Database& db) : m_db(db) {}

    // Every instance (of one task, or all), in task then insertion order, with its rationales in sample
    // order. Streams: one instance's rows in memory at a time. The callback returns false to stop.
    using InstanceVisitor = std::function<bool(const InstanceRecord&, const std::vector<RationaleRecord>&)>;
    void forEachInstance(const std::optional<std::string>& task, const InstanceVisitor& visit);

    // One instance with its rationales (in model, then sample order); std::nullopt when there is none.
    std::optional<std::pair<InstanceRecord, std::vector<RationaleRecord>>> instance(int64_t id);

    // The instance a rationale belongs to; std::nullopt when there is no such rationale.
    std::optional<int64_t> instanceOf(int64_t rationaleId);

    int64_t countInstances(const std::optional<std::string>& task);

    // The ids of a task's instances (every task when empty) of a split (any when empty), in task then insertion
    // order, at most `limit` (0: all).
    std::vector<int64_t> instanceIds(const std::string& task, const std::string& split, int64_t limit = 0);

    // Per instance: how many rationales one source kind and model has, and the next free sample index.
    struct SampleCount {
        int64_t count = 0;
        int64_t nextSample = 0;
    };
    std::unordered_map<int64_t, SampleCount> sampleCounts(const std::string& sourceKind, const std::string& model);

private:
    Database& m_db;
};

} // namespace cotlab::store
