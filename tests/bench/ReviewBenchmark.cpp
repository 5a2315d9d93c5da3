// Review benchmark: the real labelling screen on a study of the real 40-samples date set (code-davinci-002), in a
// running window. Measures, per keystroke, the time until the screen is repainted: the key that answers an item's
// last criterion (store hand-off, next item shown) and the key that moves to the next item; and, separately, how
// long storing one label takes on the store thread (one committed transaction each).
//
//   bench_review [--items N] [--workspace FILE]   (FILE is created from the shared date set when missing)
#include "ingest/Importer.h"
#include "review/LabelingView.h"
#include "review/Study.h"
#include "store/ReviewRepository.h"
#include "store/Workspace.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTest>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

using namespace cotlab;

namespace {

struct Summary {
    double p50 = 0, p99 = 0, max = 0;
};

Summary summarise(std::vector<double> ms)
{
    std::sort(ms.begin(), ms.end());
    if (ms.empty())
        return {};
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, size_t(0.99 * double(ms.size())))], ms.back()};
}

void print(const char* what, const std::vector<double>& ms)
{
    const Summary s = summarise(ms);
    std::printf("%-44s n=%4zu  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", what, ms.size(), s.p50, s.p99, s.max);
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    int64_t items = 500;
    std::string workspace = (std::filesystem::temp_directory_path() / "bench_review.cotlab").string();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--items")
            items = std::stoll(argv[i + 1]);
        else if (key == "--workspace")
            workspace = argv[i + 1];
    }
    if (!std::filesystem::exists(workspace)) {
        store::Workspace ws(workspace);
        ingest::Importer::importFile(ws.db(), std::string(COTLAB_SHARED_DIR) +
                                                  "/data/teacher/codex-least-to-most-40x/date_mmddyyyy.jsonl");
    }
    store::Workspace ws(workspace);
    const std::string name = "bench " + std::to_string(QDateTime::currentMSecsSinceEpoch());
    review::StudySpec spec;
    spec.name = name;
    spec.mode = review::Mode::Single;
    spec.sources = {review::parseSource("teacher")};
    spec.size = items;
    spec.criteria = {{"fluent", "Is the rationale fluent and grammatical?", review::Scale::Binary},
                     {"factual", "Is it factually correct?", review::Scale::Binary},
                     {"quality", "Overall quality", review::Scale::Likert5}};
    const int64_t studyId = review::createStudy(ws.db(), spec);

    ui::LabelingView view;
    view.resize(1500, 900);
    view.show();
    QApplication::processEvents();
    view.start(review::openSession(ws.db(), studyId, "bench"));
    QApplication::processEvents();
    const size_t n = view.session().items.size();

    // Answering the last criterion shows the next item: keystroke to repainted screen.
    std::vector<double> answerToNext, nextItem;
    QElapsedTimer clock;
    for (size_t i = 0; i + 1 < n; ++i) {
        QTest::keyClick(&view, Qt::Key_1);
        QTest::keyClick(&view, Qt::Key_2);
        clock.start();
        QTest::keyClick(&view, Qt::Key_4);
        view.repaint();
        answerToNext.push_back(double(clock.nsecsElapsed()) / 1e6);
        QApplication::processEvents();
    }
    // Going back over the labelled items: the next-item key alone.
    view.showItem(0);
    for (size_t i = 0; i + 1 < n; ++i) {
        clock.start();
        QTest::keyClick(&view, Qt::Key_Right);
        view.repaint();
        nextItem.push_back(double(clock.nsecsElapsed()) / 1e6);
        QApplication::processEvents();
    }

    // Storing a label: one committed transaction on its own connection, as the page's store thread does it.
    store::ReviewRepository repo(ws.db());
    const auto who = repo.annotator(studyId, "bench-store");
    std::vector<double> store;
    for (const auto& item : view.session().items) {
        const auto t0 = std::chrono::steady_clock::now();
        repo.setLabel(item.item.id, who.id, "fluent", "yes");
        store.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }

    std::printf("study of %zu items (single rationale, 3 criteria) on %s\n", n, workspace.c_str());
    print("last criterion answered -> next item painted", answerToNext);
    print("next-item key -> item painted", nextItem);
    print("one label stored (committed, WAL)", store);
    repo.remove(name);
    return 0;
}
