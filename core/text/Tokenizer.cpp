#include "text/Tokenizer.h"

#include "text/ByteLevelBpe.h"
#include "text/Llama2cTokenizer.h"
#include "text/MetaspaceBpe.h"
#include "text/SentencePieceTokenizer.h"
#include "text/TokenizerJson.h"
#include "util/Error.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cotlab::text {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<int32_t> Tokenizer::encodeTemplated(std::string_view text) const
{
    auto ids = encode(text);
    if (m_bos >= 0 && !ids.empty() && ids.front() == m_bos) {
        const auto nothing = encode("");
        if (!nothing.empty() && nothing.front() == m_bos) // the BOS is encode()'s own, not the text's
            ids.erase(ids.begin());
    }
    return ids;
}

void Tokenizer::saveTo(const std::string& folder) const
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    for (const std::string& file : m_files) {
        // Canonical names, so that the folder loader finds them (tok512.bin -> tokenizer.bin).
        const std::string ext = fs::path(file).extension().string();
        const fs::path target = fs::path(folder) / (ext == ".bin"     ? fs::path("tokenizer.bin")
                                                    : ext == ".model" ? fs::path("tokenizer.model")
                                                                      : fs::path(file).filename());
        if (fs::exists(target, ec) && fs::equivalent(file, target, ec))
            continue;
        fs::copy_file(file, target, fs::copy_options::overwrite_existing, ec);
        if (ec)
            throw Error(target.string() + ": cannot write tokenizer file: " + ec.message());
    }
}

namespace {

// "eos_token_id": 2 or [128001, 128009] (the first is used)
int32_t tokenIdIn(const json& config, const char* key)
{
    if (!config.is_object() || !config.contains(key))
        return -1;
    const json& v = config[key];
    if (v.is_number_integer())
        return v.get<int32_t>();
    if (v.is_array() && !v.empty() && v[0].is_number_integer())
        return v[0].get<int32_t>();
    return -1;
}

// A tokenizer.json: SentencePiece-style (Metaspace, byte_fallback) or byte-level BPE.
std::unique_ptr<Tokenizer> fromTokenizerJson(const std::string& path)
{
    const json j = readJsonFile(path, "tokenizer.json");
    try {
        if (MetaspaceBpe::describes(j))
            return MetaspaceBpe::fromTokenizerJson(j, path);
        return ByteLevelBpe::fromTokenizerJson(j, path);
    } catch (const json::exception& e) { // a field of the wrong type ("byte_fallback": "yes")
        throw Error(path + ": a field of an unexpected type: " + e.what());
    }
}

std::unique_ptr<Tokenizer> loadFile(const fs::path& file, int32_t vocabSize)
{
    const std::string ext = file.extension().string();
    if (ext == ".json")
        return fromTokenizerJson(file.string());
    if (ext == ".bin")
        return std::make_unique<Llama2cTokenizer>(Llama2cTokenizer::fromFile(file.string(), vocabSize));
    return SentencePieceTokenizer::fromFile(file.string());
}

std::unique_ptr<Tokenizer> loadFolder(const fs::path& dir, int32_t vocabSize)
{
    std::error_code ec;
    auto has = [&](const char* name) { return fs::is_regular_file(dir / name, ec); };
    std::unique_ptr<Tokenizer> t;
    if (has("tokenizer.json")) {
        try {
            t = fromTokenizerJson((dir / "tokenizer.json").string());
        } catch (const Error&) {
            if (!has("tokenizer.model"))
                throw;
        }
    }
    if (!t && has("tokenizer.model"))
        t = SentencePieceTokenizer::fromFile((dir / "tokenizer.model").string());
    if (!t && has("vocab.json") && has("merges.txt"))
        t = ByteLevelBpe::fromFiles((dir / "vocab.json").string(), (dir / "merges.txt").string());
    if (!t && has("tokenizer.bin"))
        t = loadFile(dir / "tokenizer.bin", vocabSize);
    if (!t)
        throw Error(dir.string() + ": no tokenizer in the model folder (looked for tokenizer.json, tokenizer.model, "
                                   "vocab.json + merges.txt and tokenizer.bin)");

    // Special tokens: generation_config.json, then config.json, then tokenizer_config.json by name.
    const json tokenizerConfig = readOptionalJsonFile((dir / "tokenizer_config.json").string());
    for (const char* companion : {"tokenizer_config.json", "special_tokens_map.json"})
        if (has(companion))
            t->addFile((dir / companion).string());
    auto* bpe = dynamic_cast<VocabularyTokenizer*>(t.get());
    auto byName = [&](const char* key) {
        const std::string name = specialTokenText(tokenizerConfig, key);
        return name.empty() || !bpe ? -1 : bpe->tokenId(name);
    };
    int32_t bos = t->bosId(), eos = t->eosId();
    if (int32_t id = byName("bos_token"); id >= 0)
        bos = id;
    if (int32_t id = byName("eos_token"); id >= 0)
        eos = id;
    for (const char* name : {"config.json", "generation_config.json"}) {
        const json config = readOptionalJsonFile((dir / name).string());
        if (int32_t id = tokenIdIn(config, "bos_token_id"); id >= 0)
            bos = id;
        if (int32_t id = tokenIdIn(config, "eos_token_id"); id >= 0)
            eos = id;
    }
    if (bpe && !bpe->prefix().empty())
        bos = bpe->prefix().front();
    else if (bpe && tokenizerConfig.is_object() && tokenizerConfig.value("add_bos_token", false) && bos >= 0)
        bpe->setPrefix({bos}); // OPT's tokenizer starts every text with </s>
    if (bos >= t->vocabSize() || eos >= t->vocabSize())
        throw Error(dir.string() + ": the BOS/EOS token ids of its config files lie outside the tokenizer's " +
                    std::to_string(t->vocabSize()) + " tokens");
    t->setSpecialIds(bos, eos);
    return t;
}

} // namespace

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path, int32_t vocabSize)
{
    std::error_code ec;
    if (fs::is_directory(path, ec))
        return loadFolder(path, vocabSize);
    if (!fs::is_regular_file(path, ec))
        throw Error(path + ": no such tokenizer file or model folder");
    return loadFile(path, vocabSize);
}

} // namespace cotlab::text
