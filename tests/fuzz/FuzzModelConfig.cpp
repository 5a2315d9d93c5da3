// A model folder's config.json, read as each family CoTLab loads (nn/ModelConfig): every value checked before a
// model is built from it.
#include "FuzzInput.h"
#include "nn/ModelConfig.h"

#include <nlohmann/json.hpp>

using namespace cotlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto config = nlohmann::json::parse(fuzz::text(data, size), nullptr, false);
    if (config.is_discarded())
        return 0;
    const std::string where = "config.json";
    auto attempt = [](auto read) {
        try {
            read();
        } catch (const Error&) {
        }
    };
    attempt([&] { nn::modelType(config, where); });
    attempt([&] { nn::gpt2Config(config, where); });
    attempt([&] { nn::optConfig(config, where); });
    attempt([&] { nn::llamaConfig(config, where); });
    return 0;
}
