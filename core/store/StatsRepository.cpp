#include "store/StatsRepository.h"

#include "store/Database.h"

#include <map>

namespace cotlab::store {

std::vector<TaskStats> StatsRepository::perTask()
{
    std::vector<TaskStats> out;
    std::map<int64_t, size_t> byId;
    Statement tasks(m_db, "SELECT id, name, answer_kind FROM tasks ORDER BY name");
    while (tasks.step()) {
        TaskStats s;
        s.task = tasks.string(1);
        s.answerKind = tasks.string(2);
        byId[tasks.int64(0)] = out.size();
        out.push_back(std::move(s));
    }
    Statement inst(m_db, "SELECT task_id, split, count(*) FROM instances GROUP BY task_id, split");
    while (inst.step()) {
        TaskStats& s = out[byId.at(inst.int64(0))];
        const auto split = inst.text(1);
        const int64_t n = inst.int64(2);
        s.instances += n;
        if (split == "train")
            s.trainInstances = n;
        else if (split == "dev")
            s.devInstances = n;
        else if (split == "test")
            s.testInstances = n;
        else if (split == "contrast")
            s.contrastInstances = n;
    }
    // One pass over rationales, grouped per instance first so that covered instances are counted too.
    Statement rat(m_db, "SELECT i.task_id, count(*), sum(n), sum(t), sum(c), sum(s), sum(h), "
                        "       sum(CASE WHEN i.split = 'train' THEN t ELSE 0 END), sum(j) FROM ("
                        "  SELECT instance_id, count(*) AS n, sum(source_kind = 'teacher') AS t,"
                        "         sum(source_kind = 'teacher' AND correct = 1) AS c,"
                        "         sum(source_kind = 'teacher' AND correct IS NOT NULL) AS j,"
                        "         sum(source_kind = 'student') AS s, sum(source_kind = 'human') AS h"
                        "  FROM rationales GROUP BY instance_id) r JOIN instances i ON i.id = r.instance_id "
                        "GROUP BY i.task_id");
    while (rat.step()) {
        TaskStats& s = out[byId.at(rat.int64(0))];
        s.instancesWithRationales = rat.int64(1);
        s.rationales = rat.int64(2);
        s.teacherRationales = rat.int64(3);
        s.teacherCorrect = rat.int64(4);
        s.studentRationales = rat.int64(5);
        s.humanRationales = rat.int64(6);
        s.trainTeacherRationales = rat.int64(7);
        s.teacherJudged = rat.int64(8);
    }
    return out;
}

WorkspaceTotals StatsRepository::totals()
{
    WorkspaceTotals t;
    Statement st(m_db, "SELECT (SELECT count(*) FROM tasks), (SELECT count(*) FROM instances), "
                       "(SELECT count(*) FROM rationales)");
    st.step();
    t.tasks = st.int64(0);
    t.instances = st.int64(1);
    t.rationales = st.int64(2);
    return t;
}

} // namespace cotlab::store
