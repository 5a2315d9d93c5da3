#include "text/TokenizerJson.h"

#include "util/Error.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cotlab::text {

int32_t VocabularyTokenizer::tokenId(const std::string& token) const
{
    const auto it = m_tokenToId.find(token);
    return it == m_tokenToId.end() ? -1 : it->second;
}

const std::string& VocabularyTokenizer::tokenText(int32_t id) const
{
    if (id < 0 || size_t(id) >= m_idToToken.size())
        throw Error("token id " + std::to_string(id) + " is outside the vocabulary (" +
                    std::to_string(m_idToToken.size()) + " tokens)");
    return m_idToToken[size_t(id)];
}

void VocabularyTokenizer::addToken(const std::string& token, int32_t id)
{
    m_tokenToId[token] = id;
    if (size_t(id) >= m_idToToken.size())
        m_idToToken.resize(size_t(id) + 1);
    m_idToToken[size_t(id)] = token;
}

void VocabularyTokenizer::addVocabulary(const nlohmann::json& vocab, const std::string& errorPrefix)
{
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > kMaxTokenId)
            throw Error(errorPrefix + it.key() + "' has no valid id");
        addToken(it.key(), it->get<int32_t>());
    }
}

nlohmann::json readJsonFile(const std::string& path, const char* what)
{
    std::ifstream in(path);
    if (!in)
        throw Error(path + ": cannot open " + what);
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        throw Error(path + ": invalid JSON: " + e.what());
    }
}

nlohmann::json readOptionalJsonFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return nullptr;
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number beyond a double
        throw Error(path + ": invalid JSON: " + e.what());
    }
}

std::string specialTokenText(const nlohmann::json& config, const char* key)
{
    if (!config.is_object() || !config.contains(key))
        return {};
    const nlohmann::json& v = config[key];
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string())
        return v["content"].get<std::string>();
    return {};
}

void AddedTokens::split(std::string_view text, const std::function<void(std::string_view)>& ordinary,
                        const std::function<void(int32_t)>& added) const
{
    size_t plain = 0;
    for (size_t i = 0; i < text.size() && !longestFirst.empty();) {
        const auto hit = std::find_if(longestFirst.begin(), longestFirst.end(), [&](const auto& a) {
            return !a.first.empty() && text.compare(i, a.first.size(), a.first) == 0;
        });
        if (hit == longestFirst.end()) {
            ++i;
            continue;
        }
        ordinary(text.substr(plain, i - plain));
        added(hit->second);
        i += hit->first.size();
        plain = i;
    }
    ordinary(text.substr(plain));
}

AddedTokens readAddedTokens(const nlohmann::json& j, const std::string& path,
                            const std::function<void(const std::string&, int32_t)>& add)
{
    AddedTokens out;
    const auto entries = j.value("added_tokens", nlohmann::json::array());
    if (!entries.is_array())
        throw Error(path + ": added_tokens is not a list");
    for (const auto& a : entries) {
        if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() || !a.contains("content") ||
            !a["content"].is_string())
            throw Error(path + ": an added_tokens entry needs an integer id and a content string");
        if (a["id"].get<int64_t>() < 0 || a["id"].get<int64_t>() > VocabularyTokenizer::kMaxTokenId)
            throw Error(path + ": added token '" + a["content"].get<std::string>() + "' has no valid id");
        const auto id = a["id"].get<int32_t>();
        const std::string content = a["content"].get<std::string>();
        add(content, id);
        out.longestFirst.emplace_back(content, id);
        out.ids.insert(id);
        if (a.value("special", false))
            out.special.insert(id);
    }
    std::sort(out.longestFirst.begin(), out.longestFirst.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    return out;
}

std::vector<int32_t> templatePrefix(const nlohmann::json& j, const std::string& path,
                                    const std::function<int32_t(const std::string&)>& idOf)
{
    std::vector<nlohmann::json> processors;
    if (j.contains("post_processor") && j["post_processor"].is_object()) {
        const auto& pp = j["post_processor"];
        if (pp.value("type", "") == "Sequence")
            for (const auto& p : pp.value("processors", nlohmann::json::array()))
                processors.push_back(p);
        else
            processors.push_back(pp);
    }
    std::vector<int32_t> prefix;
    for (const auto& p : processors) {
        if (!p.is_object() || p.value("type", "") != "TemplateProcessing")
            continue;
        for (const auto& item : p.value("single", nlohmann::json::array())) {
            if (item.contains("Sequence"))
                break;
            if (!item.contains("SpecialToken") || !item["SpecialToken"].is_object())
                continue;
            const std::string name = item["SpecialToken"].value("id", "");
            const int32_t id = idOf(name);
            if (id < 0)
                throw Error(path + ": post_processor adds special token '" + name + "', which has no id");
            prefix.push_back(id);
        }
    }
    return prefix;
}

} // namespace cotlab::text
