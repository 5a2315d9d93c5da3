// The test helper that evaluates a student (libtorch): its own object in cotlab_test_support, so that tests which do
// not call it link without libtorch (the sanitizer build, COTLAB_WITHOUT_TORCH).
#include "eval/Evaluation.h"
#include "ingest/Importer.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"

namespace cotlab::test {

void importStudentAndTeacher(const std::string& workspace, int64_t limit)
{
    {
        store::Workspace ws(workspace);
        ingest::Importer::importFile(ws.db(), sharedPath(kCsqaTeacherFile));
    }
    eval::EvaluationRequest request;
    request.workspace = workspace;
    request.name = kStoriesStudent;
    request.modelPath = sharedPath("models/stories260K/stories260K.bin");
    request.tokenizerPath = sharedPath("models/stories260K/tok512.bin");
    request.task = "commonsense_qa";
    request.split = "test";
    request.limit = limit;
    request.maxNewTokens = 40;
    request.device = "cpu";
    eval::startEvaluation(request, {}, nullptr);
}

} // namespace cotlab::test
