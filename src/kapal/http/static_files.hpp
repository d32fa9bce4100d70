#pragma once
// The web front end's files, served from one directory with a safe path join: no "..", no
// hidden files, and no symlink that resolves outside the directory.

#include "kapal/core/result.hpp"
#include "kapal/http/http_types.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace kapal::http {

/// The Content-Type for a file extension without the dot ("html", "js", ...), lower or upper
/// case; "application/octet-stream" for an unknown one.
std::string_view mime_type(std::string_view extension);

/// Formats seconds since the Unix epoch as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(long long unix_seconds);

/// Parses an IMF-fixdate into seconds since the Unix epoch; nullopt when malformed.
std::optional<long long> parse_http_date(std::string_view text);

/// Serves files below one root directory. Immutable after open(); safe from many threads.
class StaticFiles {
  public:
    /// Opens `root`. ErrorCode::ConfigInvalid when it is not an existing directory.
    static Result<StaticFiles> open(const std::filesystem::path& root);

    /// The response for a GET or HEAD of request.raw_path: the file (200, or 304 when
    /// If-None-Match / If-Modified-Since match), `index.html` for a directory, or for a path
    /// whose last segment has no extension and matches no file, the root's index.html (single
    /// page app routes). nullopt when nothing may be served (the caller answers 404).
    std::optional<Response> serve(const Request& request) const;

  private:
    explicit StaticFiles(std::filesystem::path root)
        : root_(std::move(root)) {}

    std::optional<Response> serve_file(const std::filesystem::path& file,
                                       const Request& request) const;

    std::filesystem::path root_; // canonical
};

} // namespace kapal::http
