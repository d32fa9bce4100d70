#pragma once

#include "kapal/core/error_code.hpp"

#include <string>
#include <vector>

namespace kapal {

/// One problem with one input field (a JSON path such as `address.kelurahan_code`, or a CSV
/// column name). `detail` is language-neutral specifics (the offending value, a count) that
/// follow the catalogue title of `code`; it may be empty.
struct FieldIssue {
    std::string field;
    ErrorCode code = ErrorCode::ValidationFailed;
    std::string detail;

    bool operator==(const FieldIssue&) const = default;
};

/// An error that a caller is expected to handle. `message` is for logs and developers
/// (English); people see the catalogue title of `code` in their language.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::vector<FieldIssue> fields;
};

} // namespace kapal
