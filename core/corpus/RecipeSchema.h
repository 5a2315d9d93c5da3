#pragma once

// What each corpus recipe step does and what each of its fields accepts: the one table the recipe reader takes its
// names and choices from, and the Corpus page and docs/corpus.md show beside each field.
#include <string>
#include <string_view>
#include <vector>

namespace cotlab::corpus {

enum class FieldType {
    StringList, // a JSON list of strings
    Boolean,
    Integer,         // a whole number of at least `min`
    OptionalInteger, // the same, or null: no value
    Number,          // from `min` to `max`
    Text,
    Choice, // one of `choices`
};

struct FieldSchema {
    std::string name;
    FieldType type = FieldType::Text;
    std::string description; // one line, what the field does and accepts
    std::vector<std::string> choices;
    double min = 0, max = 0;
};

struct StepSchema {
    std::string name;
    std::string description;    // one line
    bool instanceLevel = false; // keeps or drops whole instances, decided once every instance has been read
    std::vector<FieldSchema> fields;
    const FieldSchema* field(std::string_view name) const;
};

const std::vector<StepSchema>& recipeSchema(); // in the order steps are usually applied
const StepSchema* findStepSchema(std::string_view name);

// The names of the choices of the enumerations in Recipe.h, indexed by the enumerators' values.
inline const std::vector<std::string> kKeepNames{"correct", "all", "incorrect"};
inline const std::vector<std::string> kDedupeModeNames{"exact", "near"};
inline const std::vector<std::string> kPerInstanceByNames{"random", "likelihood", "diversity"};
inline const std::vector<std::string> kLikelihoodNames{"mean", "total"};
inline const std::vector<std::string> kOpenEndednessNames{"entropy", "distinct_answers"};

} // namespace cotlab::corpus
