#pragma once
// RFC 9457 problem details: the one shape of every error response.

#include "kapal/core/error.hpp"
#include "kapal/http/http_types.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::http {

/// The prefix of every problem `type`; the catalogue id follows, e.g. ".../problems/not_found".
inline constexpr std::string_view kProblemTypeBase =
    "https://kapal.dinsos.bontangkota.go.id/problems/";

/// The JSON text of a problem for `error` in `lang` ("id" or "en"): type, title, status, detail
/// (Error.message; left out for 5xx, whose message may describe internals), code, and errors
/// (one object per FieldIssue: field, code, message, level). `status` 0 means the catalogue
/// status of error.code; another value overrides it (e.g. 431, which has no code of its own).
std::string problem_json(const Error& error, std::string_view lang, int status = 0);

/// A response carrying problem_json() with Content-Type application/problem+json and
/// Content-Language `lang`.
Response problem_response(const Error& error, std::string_view lang, int status = 0);

/// Shorthand: problem_response(Error{code, message, {}}, lang, status).
Response
problem_response(ErrorCode code, std::string_view lang, std::string message = {}, int status = 0);

/// 400 InvalidArgument "bad query parameters" with one issue per bad parameter.
Response bad_parameters(std::vector<FieldIssue> issues, const Request& req);

/// Adds an UnknownField issue for every query parameter of `req` that is not in `known`.
void check_known(const Request& req,
                 std::initializer_list<std::string_view> known,
                 std::vector<FieldIssue>& issues);

} // namespace kapal::http
