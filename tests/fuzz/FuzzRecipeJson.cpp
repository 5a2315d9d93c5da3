// A corpus recipe (corpus/Recipe), as saved in a workspace or given to cotlab-cli corpus --recipe.
#include "FuzzInput.h"
#include "corpus/Recipe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto recipe = cotlab::corpus::recipeFromJson(std::string(cotlab::fuzz::text(data, size)));
        cotlab::corpus::recipeFromJson(cotlab::corpus::recipeToJson(recipe)); // what is read can be written back
    } catch (const cotlab::Error&) {
    }
    return 0;
}
