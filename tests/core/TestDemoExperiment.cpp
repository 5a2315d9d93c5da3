// The demo's experiment on a small generated last-letter task with the real stories260K student: every run,
// evaluation and the study are recorded under their names; a second start adds nothing; a stop leaves what was
// done and the next start finishes the rest.
#include "ingest/Importer.h"
#include "ingest/SymbolicTasks.h"
#include "review/Study.h"
#include "store/EvaluationRepository.h"
#include "store/ReviewRepository.h"
#include "store/RunRepository.h"
#include "store/Workspace.h"
#include "support/TestSupport.h"
#include "train/DemoExperiment.h"
#include "train/RunRecipe.h"
#include "util/Error.h"

#include <QtTest>
#include <fstream>

using namespace cotlab;

class TestDemoExperiment : public QObject {
    Q_OBJECT

    static train::DemoExperimentOptions smallExperiment(const test::TempDir& dir)
    {
        const std::string ws = dir.path("demo.cotlab");
        {
            store::Workspace w(ws);
            for (const auto& [split, items, count] :
                 {std::tuple{"train", 1, 24}, std::tuple{"train", 2, 24}, std::tuple{"dev", 2, 6}}) {
                ingest::SymbolicTaskOptions o;
                o.task = "last_letter_concatenation";
                o.name = "last_letters_generated";
                o.split = split;
                o.items = items;
                o.count = count;
                const std::string file = dir.path(std::string(split) + std::to_string(items) + ".jsonl");
                std::ofstream out(file);
                ingest::writeSymbolicTask(o, out);
                out.close();
                ingest::Importer::importFile(w.db(), file);
            }
        }
        train::DemoExperimentOptions o;
        o.workspace = ws;
        o.modelPath = test::sharedPath("models/stories260K/stories260K.bin");
        o.tokenizerPath = test::sharedPath("models/stories260K/tok512.bin");
        o.runsFolder = dir.path("runs");
        o.steps = 3;
        o.curveQuestions = {12};
        o.evaluationQuestions = 4;
        o.studyItems = 3;
        return o;
    }

private Q_SLOTS:
    void recordsEveryStageOnceAndContinuesAfterAStop()
    {
        COTLAB_REQUIRE_SHARED();
        test::TempDir dir;
        const auto options = smallExperiment(dir);

        // Stopped while the second run trains: the first run stays finished, the second is stopped.
        jobs::StopToken stop;
        QStringList stages;
        const auto stopInSecond = [&](const jobs::Progress& p) {
            if (stages.isEmpty() || stages.last() != QString::fromStdString(p.stage))
                stages << QString::fromStdString(p.stage);
            if (p.stage.rfind("Training demo-label", 0) == 0 && p.done >= 1)
                stop.requestStop();
        };
        auto first = train::runDemoExperiment(options, stopInSecond, &stop);
        QVERIFY(first.stopped);
        QCOMPARE(first.students.size(), size_t(1));
        QCOMPARE(stages.first(), QString("Training demo-cot (1 of 3)"));
        {
            store::Workspace w(options.workspace);
            const auto runs = store::RunRepository(w.db()).list();
            QCOMPARE(runs.size(), size_t(2));
            QCOMPARE(runs[0].status, std::string("stopped"));
        }

        // The next start resumes the stopped run and does the rest.
        stages.clear();
        const auto track = [&](const jobs::Progress& p) {
            if (stages.isEmpty() || stages.last() != QString::fromStdString(p.stage))
                stages << QString::fromStdString(p.stage);
        };
        const auto done = train::runDemoExperiment(options, track, nullptr);
        QVERIFY(!done.stopped);
        QCOMPARE(done.students.size(), size_t(3));
        QVERIFY(stages.contains("Evaluating demo-cot-12q on dev (3 of 3)"));
        QCOMPARE(stages.last(), QString("Creating the blind study"));
        store::Workspace w(options.workspace);
        const auto runs = store::RunRepository(w.db()).list();
        QCOMPARE(runs.size(), size_t(3)); // the stopped run was resumed, not started again
        for (const auto& r : runs) {
            QCOMPARE(r.status, std::string("finished"));
            QCOMPARE(r.step, int64_t(3));
        }
        const auto curve = train::RunRecipe::fromJson(runs[0].recipeJson); // newest: the learning-curve run
        QCOMPARE(runs[0].name, std::string("demo-cot-12q"));
        QCOMPARE(curve.questions, int64_t(12));
        const auto evaluations = store::EvaluationRepository(w.db()).list();
        QCOMPARE(evaluations.size(), size_t(3));
        for (const auto& e : evaluations) {
            QCOMPARE(e.split, std::string("dev"));
            QCOMPARE(e.status, std::string("finished"));
            QCOMPARE(e.done, int64_t(4));
        }
        const auto study = store::ReviewRepository(w.db()).find(train::kDemoStudyName);
        QVERIFY(study);
        QCOMPARE(study->items, int64_t(3));
        QCOMPARE(study->mode, std::string("pairwise"));

        // A third start finds everything done.
        const auto again = train::runDemoExperiment(options, {}, nullptr);
        QCOMPARE(again.studyId, study->id);
        QCOMPARE(store::RunRepository(w.db()).list().size(), size_t(3));
        QCOMPARE(store::EvaluationRepository(w.db()).list().size(), size_t(3));
    }

    void refusesAWorkspaceWithoutTheTask()
    {
        test::TempDir dir;
        train::DemoExperimentOptions o;
        o.workspace = dir.path("other.cotlab");
        store::Workspace w(o.workspace);
        try {
            train::runDemoExperiment(o, {}, nullptr);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("open the demo workspace"), e.what());
        }
    }
};

QTEST_MAIN(TestDemoExperiment)
#include "TestDemoExperiment.moc"
