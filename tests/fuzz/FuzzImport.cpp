// A whole file through Importer::importFile into a workspace, in the format named by COTLAB_FUZZ_FORMAT
// (interchange JSONL, Fine-tune-CoT benchmark JSON, CommonsenseQA JSONL, conversation JSONL, and the JSON documents:
// ThoughtSource, Fine-tune-CoT completions, SCoTD data pools), or "auto" (format detection, then any of them): parsing,
// answer extraction, the record sink and the writer. A refused file must leave the workspace as it was.
#include "FuzzInput.h"
#include "ingest/Importer.h"
#include "store/Workspace.h"

#include <memory>

using namespace cotlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static std::unique_ptr<store::Workspace> ws;
    static int imported = 0;
    static const std::string wsPath = (fuzz::inputFolder() / "workspace.cotlab").string();
    if (!ws || imported > 2000) { // a fresh workspace now and then, so that it stays small and fast
        ws.reset();
        std::filesystem::remove(wsPath);
        ws = std::make_unique<store::Workspace>(wsPath);
        imported = 0;
    }
    ingest::ImportOptions options;
    options.format = *ingest::importFormatFromString(COTLAB_FUZZ_FORMAT);
    options.task = "fuzz";
    options.split = "train";
    const bool keepGood = size > 0 && data[0] % 2 == 1; // both modes: whole file or good records only
    options.keepGoodRecords = keepGood;
    options.rollbackJournalWhenAlone = false; // switching the journal per input would dominate the time
    const std::string path = fuzz::writeInput(data, size, COTLAB_FUZZ_FILE_NAME);
    try {
        ingest::Importer::importFile(ws->db(), path, options);
        ++imported;
    } catch (const Error&) {
    }
    return 0;
}
