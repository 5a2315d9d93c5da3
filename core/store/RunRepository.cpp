#include "store/RunRepository.h"

#include "store/Database.h"

namespace cotlab::store {

namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

RunRecord readRun(Statement& s)
{
    RunRecord r;
    r.id = s.int64(0);
    r.name = s.string(1);
    r.status = s.string(2);
    r.modelPath = s.string(3);
    r.outputDir = s.string(4);
    r.configJson = s.string(5);
    r.recipeJson = s.string(6);
    if (!s.isNull(7))
        r.message = s.string(7);
    r.step = s.int64(8);
    r.totalSteps = s.int64(9);
    r.createdAt = s.string(10);
    r.updatedAt = s.string(11);
    return r;
}

constexpr const char* kColumns = "id, name, status, model_path, output_dir, config, recipe, message, step, "
                                 "total_steps, created_at, updated_at";

} // namespace

int64_t RunRepository::create(const RunRecord& run)
{
    Statement s(m_db, std::string("INSERT INTO runs (name, status, model_path, output_dir, config, recipe, message, "
                                  "step, total_steps, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ") +
                          kNow + ", " + kNow + ")");
    s.bind(1, run.name).bind(2, run.status).bind(3, run.modelPath).bind(4, run.outputDir);
    s.bind(5, run.configJson).bind(6, run.recipeJson).bind(7, run.message).bind(8, run.step).bind(9, run.totalSteps);
    s.exec();
    return m_db.lastInsertRowId();
}

void RunRepository::updateProgress(int64_t runId, int64_t step, int64_t totalSteps)
{
    Statement s(m_db, std::string("UPDATE runs SET step = ?, total_steps = ?, status = 'running', message = NULL, "
                                  "updated_at = ") +
                          kNow + " WHERE id = ?");
    s.bind(1, step).bind(2, totalSteps).bind(3, runId).exec();
}

void RunRepository::finish(int64_t runId, const std::string& status, const std::optional<std::string>& message)
{
    Statement s(m_db, std::string("UPDATE runs SET status = ?, message = ?, updated_at = ") + kNow + " WHERE id = ?");
    s.bind(1, status).bind(2, message).bind(3, runId).exec();
}

void RunRepository::addMetrics(int64_t runId, int64_t step, const std::map<std::string, double>& values)
{
    Statement s(m_db, "INSERT OR REPLACE INTO run_metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)");
    for (const auto& [name, value] : values) {
        s.bind(1, runId).bind(2, name).bind(3, step).bind(4, value);
        s.exec();
    }
}

void RunRepository::dropMetricsAfter(int64_t runId, int64_t step)
{
    Statement s(m_db, "DELETE FROM run_metrics WHERE run_id = ? AND step > ?");
    s.bind(1, runId).bind(2, step);
    s.exec();
}

std::vector<RunRecord> RunRepository::list()
{
    std::vector<RunRecord> out;
    Statement s(m_db, std::string("SELECT ") + kColumns + " FROM runs ORDER BY id DESC");
    while (s.step())
        out.push_back(readRun(s));
    return out;
}

std::optional<RunRecord> RunRepository::find(int64_t runId)
{
    Statement s(m_db, std::string("SELECT ") + kColumns + " FROM runs WHERE id = ?");
    s.bind(1, runId);
    if (!s.step())
        return std::nullopt;
    return readRun(s);
}

std::vector<std::pair<int64_t, double>> RunRepository::metric(int64_t runId, const std::string& name)
{
    std::vector<std::pair<int64_t, double>> out;
    Statement s(m_db, "SELECT step, value FROM run_metrics WHERE run_id = ? AND name = ? ORDER BY step");
    s.bind(1, runId).bind(2, name);
    while (s.step())
        out.emplace_back(s.int64(0), s.real(1));
    return out;
}

std::vector<std::string> RunRepository::metricNames(int64_t runId)
{
    std::vector<std::string> out;
    Statement s(m_db, "SELECT DISTINCT name FROM run_metrics WHERE run_id = ? ORDER BY name");
    s.bind(1, runId);
    while (s.step())
        out.push_back(s.string(0));
    return out;
}

int RunRepository::markInterrupted()
{
    Statement s(m_db, std::string("UPDATE runs SET status = 'stopped', message = 'interrupted: the program ended "
                                  "during training; resume continues from the last checkpoint', updated_at = ") +
                          kNow + " WHERE status = 'running'");
    s.exec();
    return m_db.changes();
}

} // namespace cotlab::store
