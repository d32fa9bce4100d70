#include "kapal/http/static_files.hpp"

#include "kapal/http/router.hpp"

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>

namespace kapal::http {
namespace {

namespace fs = std::filesystem;

// Files above this size are not served from memory (the front end has nothing that large).
constexpr std::uintmax_t kMaxFileBytes = 64ULL * 1024 * 1024;

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

// A segment that may appear in a served path: no traversal, no hidden files (.env, .git), no
// characters that could change the meaning of the joined path.
bool safe_segment(std::string_view segment) {
    if (segment.empty() || segment.front() == '.') {
        return false;
    }
    return segment.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos;
}

bool inside(const fs::path& root, const fs::path& candidate) {
    auto r = root.begin();
    auto c = candidate.begin();
    for (; r != root.end(); ++r, ++c) {
        if (c == candidate.end() || *r != *c) {
            return false;
        }
    }
    return true;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool etag_matches(std::string_view header, std::string_view etag) {
    auto strip_weak = [](std::string_view tag) {
        return tag.substr(0, 2) == "W/" ? tag.substr(2) : tag;
    };
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
            item.remove_prefix(1);
        }
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
            item.remove_suffix(1);
        }
        if (item == "*" || strip_weak(item) == strip_weak(etag)) {
            return true;
        }
    }
    return false;
}

} // namespace

std::string_view mime_type(std::string_view extension) {
    const std::string ext = lower(extension);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypes = {{
        {"html", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"json", "application/json"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"webp", "image/webp"},
        {"ico", "image/x-icon"},
        {"woff2", "font/woff2"},
        {"webmanifest", "application/manifest+json"},
        {"geojson", "application/geo+json"},
        {"txt", "text/plain; charset=utf-8"},
        {"map", "application/json"},
    }};
    for (const auto& [key, type] : kTypes) {
        if (key == ext) {
            return type;
        }
    }
    return "application/octet-stream";
}

std::string http_date(long long unix_seconds) {
    const auto t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 40> buf{};
    std::snprintf(buf.data(),
                  buf.size(),
                  "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  kDays.at(static_cast<std::size_t>(tm.tm_wday)).data(),
                  tm.tm_mday,
                  kMonths.at(static_cast<std::size_t>(tm.tm_mon)).data(),
                  tm.tm_year + 1900,
                  tm.tm_hour,
                  tm.tm_min,
                  tm.tm_sec);
    return buf.data();
}

std::optional<long long> parse_http_date(std::string_view text) {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    auto number = [&](std::size_t pos, std::size_t len) -> long long {
        long long v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (text[i] < '0' || text[i] > '9') {
                return -1;
            }
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    const long long day = number(5, 2);
    const long long year = number(12, 4);
    const long long hour = number(17, 2);
    const long long minute = number(20, 2);
    const long long second = number(23, 2);
    unsigned month = 0;
    for (unsigned i = 0; i < kMonths.size(); ++i) {
        if (text.substr(8, 3) == kMonths.at(i)) {
            month = i + 1;
        }
    }
    if (day < 1 || day > 31 || year < 1970 || month == 0 || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 60 || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text[19] != ':' || text[22] != ':') {
        return std::nullopt;
    }
    return days_from_civil(year, month, static_cast<unsigned>(day)) * 86400 + hour * 3600 +
           minute * 60 + second;
}

Result<StaticFiles> StaticFiles::open(const std::filesystem::path& root) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(root, ec);
    if (ec || !fs::is_directory(canonical, ec)) {
        return fail(ErrorCode::ConfigInvalid,
                    "static_dir is not an existing directory: " + root.string());
    }
    return StaticFiles(canonical);
}

std::optional<Response> StaticFiles::serve(const Request& request) const {
    const auto segments = split_path(request.raw_path);
    if (!segments) {
        return std::nullopt;
    }
    fs::path relative;
    for (std::size_t i = 0; i < segments->size(); ++i) {
        const std::string& segment = (*segments)[i];
        if (segment.empty()) {
            continue; // "//" and the trailing "/" of a directory
        }
        if (!safe_segment(segment)) {
            return std::nullopt;
        }
        relative /= segment;
    }
    std::error_code ec;
    fs::path candidate = root_ / relative;
    if (fs::is_directory(candidate, ec)) {
        candidate /= "index.html";
    }
    if (auto response = serve_file(candidate, request)) {
        return response;
    }
    // Single-page app: a route such as /persons/123 is the app's, not a file.
    const std::string last = segments->empty() ? std::string() : segments->back();
    if (last.find('.') == std::string::npos) {
        return serve_file(root_ / "index.html", request);
    }
    return std::nullopt;
}

std::optional<Response> StaticFiles::serve_file(const std::filesystem::path& file,
                                                const Request& request) const {
    std::error_code ec;
    const fs::path real = fs::canonical(file, ec);
    if (ec || !inside(root_, real)) {
        return std::nullopt;
    }

    struct stat info {};

    if (::stat(real.c_str(), &info) != 0 || !S_ISREG(info.st_mode) ||
        static_cast<std::uintmax_t>(info.st_size) > kMaxFileBytes) {
        return std::nullopt;
    }
    std::array<char, 64> etag_buf{};
    std::snprintf(etag_buf.data(),
                  etag_buf.size(),
                  "\"%llx-%llx\"",
                  static_cast<unsigned long long>(info.st_size),
                  static_cast<unsigned long long>(info.st_mtim.tv_sec) * 1000000000ULL +
                      static_cast<unsigned long long>(info.st_mtim.tv_nsec));
    const std::string etag = etag_buf.data();
    const long long mtime = info.st_mtim.tv_sec;

    Response response;
    std::string ext = real.extension().string();
    if (!ext.empty()) {
        ext.erase(0, 1);
    }
    response.headers.emplace_back("Content-Type", std::string(mime_type(ext)));
    response.headers.emplace_back("ETag", etag);
    response.headers.emplace_back("Last-Modified", http_date(mtime));
    // Revalidate every time: cheap with the ETag, and a new release is seen at once.
    response.headers.emplace_back("Cache-Control", "no-cache");

    bool not_modified = false;
    if (const auto inm = request.header("If-None-Match")) {
        not_modified = etag_matches(*inm, etag);
    } else if (const auto ims = request.header("If-Modified-Since")) {
        const auto since = parse_http_date(*ims);
        not_modified = since.has_value() && mtime <= *since;
    }
    if (not_modified) {
        response.status = 304;
        return response;
    }
    std::ifstream in(real, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    response.body = std::move(content).str();
    return response;
}

} // namespace kapal::http
