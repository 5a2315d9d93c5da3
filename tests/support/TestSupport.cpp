#include "support/TestSupport.h"

#include "ingest/Importer.h"
#include "ingest/SymbolicTasks.h"
#include "store/Database.h"
#include "store/Workspace.h"
#include "text/Tokenizer.h"

#include <QDebug>
#include <QRegularExpression>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cotlab::test {

std::string sharedPath(const std::string& relative)
{
    return (std::filesystem::path(COTLAB_SHARED_DIR) / relative).string();
}

bool haveShared()
{
    return std::filesystem::is_directory(std::filesystem::path(COTLAB_SHARED_DIR) / "data");
}

std::string testDataPath(const std::string& relative)
{
    return (std::filesystem::path(COTLAB_TEST_DATA_DIR) / relative).string();
}

ReferenceComparison compareWithReference(const text::Tokenizer& tokenizer, const std::string& expectedJsonl)
{
    std::ifstream in(expectedJsonl);
    if (!in)
        throw std::runtime_error(expectedJsonl + ": cannot read");
    ReferenceComparison c;
    std::string line;
    while (std::getline(in, line)) {
        const auto r = nlohmann::json::parse(line);
        const std::string text = r["text"];
        const auto expected = r["ids"].get<std::vector<int32_t>>();
        if (tokenizer.encode(text) != expected && ++c.idsWrong <= 3)
            qWarning() << "ids differ for" << QString::fromStdString(text).left(120);
        if (tokenizer.decode(expected) != r["decoded"].get<std::string>() && ++c.textWrong <= 3)
            qWarning() << "decoded text differs for" << QString::fromStdString(text).left(120);
        ++c.lines;
    }
    return c;
}

TempDir::TempDir()
{
    if (!m_dir.isValid())
        throw std::runtime_error("cannot create a temporary folder");
}

std::string TempDir::path(const std::string& name) const
{
    return m_dir.filePath(QString::fromStdString(name)).toStdString();
}

CliResult finish(QProcess& process, int timeoutMs)
{
    if (!process.waitForFinished(timeoutMs))
        return {-1, {}, "timed out"};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

CliResult runCli(const QStringList& args, int timeoutMs)
{
    QProcess process;
    process.start(COTLAB_CLI_PATH, args);
    return finish(process, timeoutMs);
}

QStringList stories260KMultiarithTrainArgs(const QString& workspace, const QString& out)
{
    return {"--workspace",
            workspace,
            "train",
            "--model",
            QString::fromStdString(sharedPath("models/stories260K/stories260K.bin")),
            "--tokenizer",
            QString::fromStdString(sharedPath("models/stories260K/tok512.bin")),
            "--task",
            "multiarith",
            "--split",
            "test",
            "--max-length",
            "160",
            "--lr",
            "2e-3",
            "--out",
            out};
}

std::string writeFile(const std::string& path, const std::string& content)
{
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out)
        throw std::runtime_error("cannot write " + path);
    return path;
}

int64_t scalar(store::Database& db, const std::string& sql)
{
    store::Statement st(db, sql);
    st.step();
    return st.int64(0);
}

void importDate40(const std::string& workspace)
{
    store::Workspace ws(workspace);
    ingest::Importer::importFile(ws.db(), sharedPath(kDate40File));
}

ServeProcess::ServeProcess() : m_process(std::make_unique<QProcess>())
{
    m_process->start(COTLAB_CLI_PATH,
                     {"serve", "--model", QString::fromStdString(sharedPath("models/stories260K/stories260K.bin")),
                      "--tokenizer", QString::fromStdString(sharedPath("models/stories260K/tok512.bin")), "--name",
                      "stories260K", "--port", "0"});
    m_process->waitForStarted();
    QString out;
    while (!out.contains('\n') && m_process->waitForReadyRead(20000))
        out += QString::fromUtf8(m_process->readAllStandardOutput());
    const auto match = QRegularExpression("http://127.0.0.1:(\\d+)/v1").match(out);
    if (match.hasMatch())
        url = "http://127.0.0.1:" + match.captured(1).toStdString() + "/v1";
}

ServeProcess::~ServeProcess()
{
    m_process->terminate();
    m_process->waitForFinished(5000);
}

std::string textOf(store::Database& db, const std::string& sql)
{
    store::Statement st(db, sql);
    if (!st.step())
        return "<no row>";
    return st.isNull(0) ? "<null>" : st.string(0);
}

void importCoinFlips(const std::string& workspace, const std::string& folder, const std::string& split, int64_t count,
                     int items, uint64_t seed)
{
    ingest::SymbolicTaskOptions o;
    o.task = "coin_flip";
    o.split = split;
    o.count = count;
    o.items = items;
    o.seed = seed;
    const std::string path = folder + "/coin_flip-" + split + ".jsonl";
    {
        std::ofstream out(path);
        ingest::writeSymbolicTask(o, out);
    }
    store::Workspace ws(workspace);
    ingest::Importer::importFile(ws.db(), path);
}

train::TrainingRequest coinFlipTraining(const std::string& workspace, const std::string& runDir, int64_t steps)
{
    train::TrainingRequest r;
    r.workspace = workspace;
    r.modelPath = sharedPath("models/stories260K/stories260K.bin");
    r.tokenizerPath = sharedPath("models/stories260K/tok512.bin");
    r.selection.task = "coin_flip";
    r.config.maxSteps = steps;
    r.config.batchSize = 8;
    r.config.learningRate = 2e-3;
    r.config.runDir = runDir;
    return r;
}

int64_t importCoinFlipContrast(const std::string& workspace, const std::string& folder)
{
    store::Workspace ws(workspace);
    std::string lines;
    int64_t linked = 0;
    store::Statement s(ws.db(), "SELECT i.ext_id, i.question, i.gold FROM instances i JOIN tasks t ON t.id = i.task_id "
                                "WHERE t.name = 'coin_flip' AND i.split = 'test' ORDER BY i.id");
    while (s.step()) {
        std::string question = s.string(1);
        question.insert(question.find(" Is the coin"), " Zed flips the coin.");
        lines += nlohmann::json{{"task", "coin_flip"},
                                {"id", "contrast-" + s.string(0)},
                                {"split", "contrast"},
                                {"question", question},
                                {"gold", s.string(2) == "yes" ? "no" : "yes"},
                                {"answer_kind", "yes_no"},
                                {"original", s.string(0)}}
                     .dump() +
                 "\n";
        ++linked;
    }
    s.reset();
    lines += nlohmann::json{{"task", "coin_flip"}, {"id", "contrast-x"},
                            {"split", "contrast"}, {"question", "A coin is heads up. Is the coin still heads up?"},
                            {"gold", "yes"},       {"answer_kind", "yes_no"},
                            {"original", "nope"}}
                 .dump() +
             "\n";
    const std::string path = folder + "/coin_flip-contrast.jsonl";
    writeFile(path, lines);
    ingest::Importer::importFile(ws.db(), path);
    return linked;
}

} // namespace cotlab::test
