#pragma once

#include <stdexcept>
#include <string>

namespace cotlab {

// An error a user can cause or fix (bad file, wrong setting). Its message is shown as is, so it names the
// file, line or setting and says what is wrong.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace cotlab
