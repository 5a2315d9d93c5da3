#include "ingest/ScotdPoolImporter.h"

#include "ingest/JsonLine.h"
#include "util/Text.h"

#include <stdexcept>

namespace cotlab::ingest {

using nlohmann::json;

namespace {

struct PoolId {
    std::string model;
    std::string dataset;
};

// "<model>*<dataset>*<run>*<additional>" (MultipleDataPools.id_str_to_tuple); a name of another shape is the dataset.
PoolId poolIdOf(const std::string& key)
{
    const size_t first = key.find('*');
    if (first == std::string::npos)
        return {"", key};
    const size_t second = key.find('*', first + 1);
    return {key.substr(0, first),
            key.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1)};
}

InterchangeRecord recordOf(const json& sample, const std::string& pool, const std::optional<std::string>& task,
                           const std::optional<std::string>& teacher, const std::string& fileName)
{
    if (!sample.is_object())
        throw std::invalid_argument("expected a sample {prompt, response, score, index, rationale}, not " +
                                    jsonTypeName(sample));
    const PoolId id = poolIdOf(pool);
    InterchangeRecord r;
    r.task = task.value_or(id.dataset);
    if (r.task.empty())
        throw std::invalid_argument("the pool '" + pool +
                                    "' names no dataset: give the task (cotlab-cli import "
                                    "--task, the Import dialog's Task name)");
    const auto index = sample.find("index");
    if (index == sample.end())
        throwFieldError("index", "is missing: this pool does not say which question each sample answers (SCoTD "
                                 "pools written without indexes cannot be joined to their questions)");
    if (!index->is_number_integer() || index->get<int64_t>() < 0)
        throwFieldError("index", "must be a non-negative integer, not " + jsonTypeName(*index));
    r.id = std::to_string(index->get<int64_t>());
    r.joinStored = true;
    const auto response = textField(sample, "response", "response");
    if (!response || text::trim(*response).empty())
        throwFieldError("response", "is missing or empty");
    r.rationale = *response;
    r.teacher = id.model.empty() ? teacher : std::optional<std::string>(id.model);
    if (r.teacher && r.teacher->empty())
        r.teacher.reset();
    json meta = {{"scotd_pool", pool}};
    if (const auto score = sample.find("score"); score != sample.end() && !score->is_null()) {
        if (!score->is_number())
            throwFieldError("score", "must be a number, not " + jsonTypeName(*score));
        meta["scotd_score"] = *score;
    }
    r.metaJson = meta.dump();
    r.source = "SCoTD data pool " + fileName;
    return r;
}

} // namespace

bool ScotdPoolImporter::isDataPool(const JsonDocumentSniff& sniff)
{
    const json& e = sniff.firstElement;
    return sniff.keys.size() == 1 && e.is_object() && e.contains("prompt") && e.contains("response") &&
           e.contains("score");
}

void ScotdPoolImporter::read(std::istream& in, const std::optional<std::string>& task,
                             const std::optional<std::string>& teacher, const std::string& fileName,
                             const DocumentSink& sink)
{
    const json rest = streamDocumentRecords(in, 2, sink, [&](const std::vector<std::string>& keys, json& sample) {
        return std::optional(std::vector<InterchangeRecord>{recordOf(sample, keys[0], task, teacher, fileName)});
    });
    if (!rest.is_object())
        throw std::invalid_argument("a SCoTD data pool file is an object {pool_id: [samples]}, not " +
                                    jsonTypeName(rest));
    for (const auto& [pool, samples] : rest.items())
        if (!samples.is_array())
            throw std::invalid_argument("pool '" + pool + "' must be a list of samples, not " + jsonTypeName(samples) +
                                        " (pools written by SCoTD's DataPool v1, as parallel lists, are not read)");
}

} // namespace cotlab::ingest
