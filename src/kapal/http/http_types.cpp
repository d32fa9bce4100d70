#include "kapal/http/http_types.hpp"

#include "kapal/core/text.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace kapal::http {
namespace {

char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim_ows(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<std::string_view> find_header(const HeaderList& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return std::string_view(value);
        }
    }
    return std::nullopt;
}

// A qvalue per RFC 9110 §12.4.2: "0", "0.xxx", "1", "1.000". nullopt when malformed.
std::optional<double> parse_qvalue(std::string_view text) {
    if (text.empty() || text.size() > 5 || (text[0] != '0' && text[0] != '1')) {
        return std::nullopt;
    }
    double value = text[0] == '1' ? 1.0 : 0.0;
    if (text.size() == 1) {
        return value;
    }
    if (text[1] != '.') {
        return std::nullopt;
    }
    double scale = 0.1;
    for (std::size_t i = 2; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
        value += scale * (text[i] - '0');
        scale /= 10;
    }
    return value > 1.0 ? std::nullopt : std::optional<double>(value);
}

} // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int hi = core::hex_value(text[i + 1]);
            const int lo = core::hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>>
parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty()) {
            continue;
        }
        const auto eq = item.find('=');
        auto name = percent_decode(item.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1), true);
        if (!name || !value) {
            return std::nullopt;
        }
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

bool parse_target(std::string_view target, Request& request) {
    request.target = std::string(target);
    if (target == "*") {
        request.raw_path = "*";
        request.path = "*";
        request.query.clear();
        return true;
    }
    std::string_view rest = target;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (rest.size() >= scheme.size() && iequals(rest.substr(0, scheme.size()), scheme)) {
            rest.remove_prefix(scheme.size());
            const auto slash = rest.find_first_of("/?");
            rest = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
            break;
        }
    }
    if (rest.empty() || rest.front() != '/') {
        return false;
    }
    const auto hash = rest.find('#');
    rest = rest.substr(0, hash);
    const auto question = rest.find('?');
    const std::string_view raw_path = rest.substr(0, question);
    auto path = percent_decode(raw_path);
    if (!path) {
        return false;
    }
    std::optional<std::vector<std::pair<std::string, std::string>>> query;
    if (question == std::string_view::npos) {
        query.emplace();
    } else {
        query = parse_query(rest.substr(question + 1));
    }
    if (!query) {
        return false;
    }
    request.raw_path = std::string(raw_path);
    request.path = std::move(*path);
    request.query = std::move(*query);
    return true;
}

std::string negotiate_language(std::string_view accept_language) {
    // Best q and first position for English, Indonesian and the wildcard; -1 = not mentioned.
    double q_en = -1;
    double q_id = -1;
    double q_any = -1;
    std::size_t pos_en = std::numeric_limits<std::size_t>::max();
    std::size_t pos_id = pos_en;
    std::size_t pos_any = pos_en;
    std::size_t index = 0;
    std::string_view rest = accept_language;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = trim_ows(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (item.empty()) {
            continue;
        }
        const auto semi = item.find(';');
        const std::string_view tag = trim_ows(item.substr(0, semi));
        double q = 1.0;
        bool valid = true;
        std::string_view params =
            semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
        while (!params.empty()) {
            const auto next = params.find(';');
            const std::string_view param = trim_ows(params.substr(0, next));
            params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
            if (param.size() >= 2 && ascii_lower(param[0]) == 'q' && param[1] == '=') {
                const auto parsed = parse_qvalue(trim_ows(param.substr(2)));
                valid = parsed.has_value();
                q = parsed.value_or(0.0);
            }
        }
        if (!valid) {
            continue;
        }
        const std::string_view primary = tag.substr(0, tag.find('-'));
        auto take = [&](double& best, std::size_t& pos) {
            if (q > best) {
                best = q;
            }
            pos = std::min(pos, index);
        };
        if (iequals(primary, "en")) {
            take(q_en, pos_en);
        } else if (iequals(primary, "id") || iequals(primary, "in")) {
            take(q_id, pos_id);
        } else if (primary == "*") {
            take(q_any, pos_any);
        }
        ++index;
    }
    if (q_en < 0) {
        q_en = std::max(q_any, 0.0);
        pos_en = pos_any;
    }
    if (q_id < 0) {
        q_id = std::max(q_any, 0.0);
        pos_id = pos_any;
    }
    const bool english = q_en > q_id || (q_en == q_id && q_en > 0 && pos_en < pos_id);
    return english ? "en" : "id";
}

std::optional<std::string_view> Request::header(std::string_view name) const {
    return find_header(headers, name);
}

std::optional<std::string_view> Request::cookie(std::string_view name) const {
    // Cookie: a=1; b=2 (RFC 6265 §4.2.1); a client may send several Cookie fields.
    for (const auto& [key, value] : headers) {
        if (!iequals(key, "Cookie")) {
            continue;
        }
        std::string_view rest(value);
        while (!rest.empty()) {
            const auto semi = rest.find(';');
            auto pair = rest.substr(0, semi);
            rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
            while (!pair.empty() && pair.front() == ' ') {
                pair.remove_prefix(1);
            }
            const auto eq = pair.find('=');
            if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
                auto v = pair.substr(eq + 1);
                while (!v.empty() && v.back() == ' ') {
                    v.remove_suffix(1);
                }
                return v;
            }
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) {
            return std::string_view(value);
        }
    }
    return std::nullopt;
}

std::string_view Request::path_param(std::string_view name) const {
    const auto it = path_params.find(std::string(name));
    return it == path_params.end() ? std::string_view{} : std::string_view(it->second);
}

std::string Request::lang() const {
    const auto value = header("Accept-Language");
    return value ? negotiate_language(*value) : std::string("id");
}

Response Response::json(int status, std::string body) {
    Response response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = std::move(body);
    return response;
}

Response Response::text(int status, std::string body) {
    Response response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    response.body = std::move(body);
    return response;
}

Response
Response::attachment(std::string bytes, std::string_view media_type, std::string_view filename) {
    Response response;
    response.status = 200;
    response.headers.emplace_back("Content-Type", std::string(media_type));
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + std::string(filename) + "\"");
    response.headers.emplace_back("Cache-Control", "no-store");
    response.body = std::move(bytes);
    return response;
}

bool is_json_content(const Request& request) {
    const auto ct = request.header("Content-Type");
    return ct && iequals(ct->substr(0, ct->find(';')), "application/json");
}

std::optional<std::string_view> Response::header(std::string_view name) const {
    return find_header(headers, name);
}

void Response::set_header(std::string_view name, std::string value) {
    std::erase_if(headers, [&](const auto& field) { return iequals(field.first, name); });
    headers.emplace_back(std::string(name), std::move(value));
}

} // namespace kapal::http
