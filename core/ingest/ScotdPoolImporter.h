#pragma once

#include "ingest/JsonDocument.h"

#include <optional>
#include <string>

namespace cotlab::ingest {

// SCoTD's data-pool JSON (liunian-harold-li/scotd, data_pool.py, DataPoolWithIndexV2 written by
// MultipleDataPools.dump_to_file): {"<model>*<dataset>*<run>*<additional>": [{prompt, response, score, index,
// rationale}]}, every sampled chain of thought of every pool. `index` is the question's position in its dataset
// split and `score` 1 when the sampled answer matched the gold. The pool holds no question of its own (only the
// few-shot prompt that ends with it) and no gold: like the batch output, each sample joins an instance already
// stored, the instance whose id is the index in the task (`--task`, else the pool's dataset name). The response
// (rationale and "So the answer is: ...") is the rationale, the pool's model its teacher, and meta keeps the score
// and the pool.
class ScotdPoolImporter {
public:
    // True for the first sample of a data pool (sniffJsonDocument): prompt, response and score.
    static bool isDataPool(const JsonDocumentSniff& sniff);
    static void read(std::istream& in, const std::optional<std::string>& task,
                     const std::optional<std::string>& teacher, const std::string& fileName, const DocumentSink& sink);
};

} // namespace cotlab::ingest
