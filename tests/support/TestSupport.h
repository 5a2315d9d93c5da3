#pragma once

#include "train/TrainingRun.h"

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <cstdint>
#include <memory>
#include <string>

namespace cotlab::store {
class Database;
}
namespace cotlab::text {
class Tokenizer;
}

namespace cotlab::test {

// ../shared beside the checkout (COTLAB_SHARED_DIR at configure time).
std::string sharedPath(const std::string& relative);
bool haveShared();
std::string testDataPath(const std::string& relative);

// A tokenizer against a fixture's reference (tests/data/tokenizers/*/expected.jsonl: {"text", "ids", "decoded"} a
// line, from transformers.js): the lines read, and how many of them it encodes to other ids or decodes to other
// text (the first few named in warnings).
struct ReferenceComparison {
    int lines = 0, idsWrong = 0, textWrong = 0;
};
ReferenceComparison compareWithReference(const text::Tokenizer& tokenizer, const std::string& expectedJsonl);

// A temporary folder that lives as long as the test object.
class TempDir {
public:
    TempDir();
    std::string path(const std::string& name) const;

private:
    QTemporaryDir m_dir;
};

// What a command printed, and its exit status (-1 with err "timed out" when it did not end in time).
struct CliResult {
    int code;
    QString out;
    QString err;
};
// Waits for a started process to end.
CliResult finish(QProcess& process, int timeoutMs);
// Runs cotlab-cli (COTLAB_CLI_PATH) with these arguments.
CliResult runCli(const QStringList& args, int timeoutMs);
// `cotlab-cli train` of the stories260K student on the workspace's MultiArith test rationales (max length 160,
// lr 2e-3), writing to `out`; a test appends its steps, batch size and the rest.
QStringList stories260KMultiarithTrainArgs(const QString& workspace, const QString& out);

// Writes text to a file and returns its path.
std::string writeFile(const std::string& path, const std::string& content);

// The first column of the first row of a query: as an integer, or as text ("<null>", "<no row>").
int64_t scalar(store::Database& db, const std::string& sql);

// The real 40-samples-per-question date set (code-davinci-002, least-to-most): 359 questions, 14,360 rationales.
inline constexpr const char* kDate40File = "data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl";
// Creates the workspace at path and imports kDate40File into it.
void importDate40(const std::string& workspace);

// A real student beside a real teacher: imports text-davinci-002's zero-shot-CoT rationales for CommonsenseQA's
// test questions (kCsqaTeacherFile) and evaluates the pretrained stories260K on the first `limit` of them (greedy,
// 40 new tokens), so the workspace holds student rationales named kStoriesStudent for those questions.
inline constexpr const char* kCsqaTeacherFile = "data/teacher/zero-shot-cot-davinci002/commonsense_qa.jsonl";
inline constexpr const char* kStoriesStudent = "stories260K";
void importStudentAndTeacher(const std::string& workspace, int64_t limit);

// Generated coin flips with rule-written rationales (ingest/SymbolicTasks), written to folder and imported into
// the workspace: 'count' questions of 'items' people in one split.
void importCoinFlips(const std::string& workspace, const std::string& folder, const std::string& split, int64_t count,
                     int items = 2, uint64_t seed = 0);

// Fine-tuning the real stories260K on the workspace's coin flips (train split, chain of thought): batch 8, AdamW
// 2e-3, the given number of steps (0: TrainConfig's epochs), output in runDir.
train::TrainingRequest coinFlipTraining(const std::string& workspace, const std::string& runDir, int64_t steps = 0);

// A contrast set for the workspace's coin-flip test questions: each with one more flip (so its gold answer turns),
// split 'contrast', linked by "original"; plus one contrast question naming an original that does not exist.
// Returns how many were linked.
int64_t importCoinFlipContrast(const std::string& workspace, const std::string& folder);
std::string textOf(store::Database& db, const std::string& sql);

// `cotlab-cli serve` with the shared stories260K (model name "stories260K") on a free localhost port, stopped when
// the object goes; url is "" when it did not start.
class ServeProcess {
public:
    ServeProcess();
    ~ServeProcess();
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;
    std::string url; // http://127.0.0.1:PORT/v1

private:
    std::unique_ptr<QProcess> m_process;
};

} // namespace cotlab::test

// Skips the test (with the reason) when ../shared is not beside the checkout; fails it instead when
// COTLAB_REQUIRE_SHARED is set (.ci/run sets it, so a CI machine without ../shared cannot pass by skipping).
#define COTLAB_REQUIRE_SHARED()                                                                                        \
    do {                                                                                                               \
        if (!cotlab::test::haveShared()) {                                                                             \
            if (qEnvironmentVariableIsSet("COTLAB_REQUIRE_SHARED"))                                                    \
                QFAIL("../shared is not beside the checkout (COTLAB_SHARED_DIR) and COTLAB_REQUIRE_SHARED is set");    \
            QSKIP("../shared is not beside the checkout (COTLAB_SHARED_DIR)");                                         \
        }                                                                                                              \
    } while (0)
