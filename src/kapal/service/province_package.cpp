#include "kapal/service/province_package.hpp"

#include "kapal/card/card_key_list.hpp"
#include "kapal/core/text.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

namespace kapal::service {
namespace {

using nlohmann::json;

constexpr std::string_view kNikDomain = "kapal-province-nik/1";

PublishedCounts raw_counts(const FlowCounts& c) {
    const std::array<std::int64_t, kFigureCount> values = {c.start,
                                                           c.registered,
                                                           c.moved_in,
                                                           c.reactivated,
                                                           c.moved_out,
                                                           c.deceased,
                                                           c.deactivated,
                                                           c.end};
    PublishedCounts out{};
    for (std::size_t i = 0; i < kFigureCount; ++i) {
        out[i].value = values[i];
    }
    return out;
}

PublishedArea raw_area(const AreaFlows& a) {
    PublishedArea out;
    out.code = a.code;
    out.name = a.name;
    out.counts = raw_counts(a.counts);
    const std::array<const std::vector<KeyFlows>*, kBreakdownNames.size()> dims = {
        &a.categories, &a.sexes, &a.age_groups, &a.severities};
    for (std::size_t d = 0; d < dims.size(); ++d) {
        for (const auto& cell : *dims[d]) {
            out.breakdown[d].push_back({cell.key, raw_counts(cell.counts)});
        }
    }
    return out;
}

void add_area_groups(PublishedArea& area, std::vector<std::vector<PublishedFigure*>>& groups) {
    // The row: start + in − out = end, one unknown is recoverable.
    auto row = [&groups](PublishedCounts& counts) {
        std::vector<PublishedFigure*> g;
        for (auto& f : counts) {
            g.push_back(&f);
        }
        groups.push_back(std::move(g));
    };
    row(area.counts);
    for (auto& dim : area.breakdown) {
        for (auto& cell : dim) {
            row(cell.counts);
        }
        // A breakdown's cells add up to their area (categories at least to it: a person with
        // several counts in each; treated as additive all the same, which only suppresses more).
        if (dim.empty()) {
            continue;
        }
        for (std::size_t f = 0; f < kFigureCount; ++f) {
            std::vector<PublishedFigure*> g;
            for (auto& cell : dim) {
                g.push_back(&cell.counts[f]);
            }
            g.push_back(&area.counts[f]);
            groups.push_back(std::move(g));
        }
    }
}

/// Hex of bytes.
std::string hex(std::span<const std::uint8_t> bytes) {
    return card::to_hex(bytes);
}

std::string base64(std::string_view bytes) {
    std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(),
                      out.size(),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1); // the terminating NUL
    return out;
}

std::optional<std::string> unbase64(std::string_view text) {
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()),
                          out.size(),
                          text.data(),
                          text.size(),
                          nullptr,
                          &len,
                          &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size()) {
        return std::nullopt;
    }
    out.resize(len);
    return out;
}

std::string
signed_message(std::string_view format, std::string_view signer, std::string_view payload) {
    std::string m;
    m.reserve(format.size() + signer.size() + payload.size() + 2);
    m.append(format).push_back('\0');
    m.append(signer).push_back('\0');
    m.append(payload);
    return m;
}

json counts_json(const PublishedCounts& counts) {
    json out = json::object();
    for (std::size_t i = 0; i < kFigureCount; ++i) {
        out[std::string(kFigureNames[i])] =
            counts[i].suppressed ? json(nullptr) : json(counts[i].value);
    }
    return out;
}

json area_json(const PublishedArea& area) {
    json out = {{"code", area.code}, {"name", area.name}, {"counts", counts_json(area.counts)}};
    for (std::size_t d = 0; d < kBreakdownNames.size(); ++d) {
        json cells = json::array();
        for (const auto& cell : area.breakdown[d]) {
            cells.push_back({{"key", cell.key}, {"counts", counts_json(cell.counts)}});
        }
        out[std::string(kBreakdownNames[d])] = std::move(cells);
    }
    return out;
}

/// Decoding: each accessor throws Bad with the path of what is wrong; decode_* catch it.
struct Bad {
    std::string what;
};

const json& member(const json& object, std::string_view name, std::string_view path) {
    if (!object.is_object()) {
        throw Bad{std::string(path) + " is not an object"};
    }
    const auto it = object.find(std::string(name));
    if (it == object.end()) {
        throw Bad{std::string(path) + "." + std::string(name) + " is missing"};
    }
    return *it;
}

std::string text_of(const json& object, std::string_view name, std::string_view path) {
    const auto& v = member(object, name, path);
    if (!v.is_string()) {
        throw Bad{std::string(path) + "." + std::string(name) + " is not a string"};
    }
    return v.get<std::string>();
}

std::int64_t integer_of(const json& object, std::string_view name, std::string_view path) {
    const auto& v = member(object, name, path);
    if (!v.is_number_integer()) {
        throw Bad{std::string(path) + "." + std::string(name) + " is not an integer"};
    }
    return v.get<std::int64_t>();
}

const json& array_of(const json& object, std::string_view name, std::string_view path) {
    const auto& v = member(object, name, path);
    if (!v.is_array()) {
        throw Bad{std::string(path) + "." + std::string(name) + " is not an array"};
    }
    return v;
}

core::Date date_of(const json& object, std::string_view name, std::string_view path) {
    const auto d = core::parse_date(text_of(object, name, path));
    if (!d) {
        throw Bad{std::string(path) + "." + std::string(name) + " is not a date"};
    }
    return *d;
}

core::Timestamp instant_of(const json& object, std::string_view name, std::string_view path) {
    const auto t = core::parse_timestamp(text_of(object, name, path));
    if (!t) {
        throw Bad{std::string(path) + "." + std::string(name) + " is not an instant"};
    }
    return *t;
}

std::string
hex_of(const json& object, std::string_view name, std::string_view path, std::size_t bytes) {
    auto s = text_of(object, name, path);
    if (!bytes_from_hex(s, bytes)) {
        throw Bad{std::string(path) + "." + std::string(name) + " is not " +
                  std::to_string(bytes * 2) + " hex digits"};
    }
    return s;
}

PublishedCounts counts_of(const json& object, const std::string& path) {
    const auto& c = member(object, "counts", path);
    PublishedCounts out{};
    for (std::size_t i = 0; i < kFigureCount; ++i) {
        const auto& v = member(c, kFigureNames[i], path + ".counts");
        if (v.is_null()) {
            out[i].suppressed = true;
        } else if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
            out[i].value = v.get<std::int64_t>();
        } else {
            throw Bad{path + ".counts." + std::string(kFigureNames[i]) +
                      " is neither a count nor null"};
        }
    }
    return out;
}

PublishedArea area_of(const json& a, const std::string& path) {
    PublishedArea out;
    out.code = text_of(a, "code", path);
    out.name = text_of(a, "name", path);
    out.counts = counts_of(a, path);
    for (std::size_t d = 0; d < kBreakdownNames.size(); ++d) {
        const auto dim_path = path + "." + std::string(kBreakdownNames[d]);
        std::size_t i = 0;
        for (const auto& cell : array_of(a, kBreakdownNames[d], path)) {
            const auto cell_path = dim_path + "[" + std::to_string(i++) + "]";
            out.breakdown[d].push_back(
                {text_of(cell, "key", cell_path), counts_of(cell, cell_path)});
        }
    }
    return out;
}

/// JSON nesting deeper than any file of ours: refused before parsing, so that a hostile file
/// cannot exhaust the stack (the payload nests 4 levels, the envelope 1).
constexpr int kMaxDepth = 16;

void check_depth(std::string_view text, const char* what) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxDepth) {
                throw Bad{std::string(what) + " is nested too deeply"};
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
}

bool kota_code_shape(std::string_view code) {
    return code.size() == 5 && code[2] == '.' && std::all_of(code.begin(), code.end(), [](char c) {
               return c == '.' || (c >= '0' && c <= '9');
           });
}

} // namespace

PublishedFlows publish_flows(const PeriodFlows& flows, int threshold) {
    PublishedFlows out;
    for (const auto& a : flows.areas) {
        out.areas.push_back(raw_area(a));
    }
    out.total = raw_area(flows.total);

    auto groups = suppression_groups(out);
    // Primary suppression: the small cells.
    for (auto& g : groups) {
        for (auto* f : g) {
            if (f->value > 0 && f->value < threshold) {
                f->suppressed = true;
            }
        }
    }
    // Secondary suppression: until no group keeps exactly one suppressed figure (which
    // subtraction would give back), suppress in each such group its smallest positive figure
    // (a zero only when none is positive). Only ever adds suppression, so it ends.
    for (bool changed = true; changed;) {
        changed = false;
        for (auto& g : groups) {
            const auto hidden =
                std::count_if(g.begin(), g.end(), [](auto* f) { return f->suppressed; });
            if (hidden != 1) {
                continue;
            }
            PublishedFigure* pick = nullptr;
            for (auto* f : g) {
                if (f->suppressed) {
                    continue;
                }
                const bool better = pick == nullptr || (pick->value == 0 && f->value > 0) ||
                                    (f->value > 0 && f->value < pick->value);
                if (better) {
                    pick = f;
                }
            }
            if (pick != nullptr) {
                pick->suppressed = true;
                changed = true;
            }
        }
    }
    for (auto& g : groups) {
        for (auto* f : g) {
            if (f->suppressed) {
                f->value = 0; // never published
            }
        }
    }
    return out;
}

std::vector<std::vector<PublishedFigure*>> suppression_groups(PublishedFlows& flows) {
    std::vector<std::vector<PublishedFigure*>> groups;
    for (auto& a : flows.areas) {
        add_area_groups(a, groups);
    }
    add_area_groups(flows.total, groups);
    // A column: the kelurahan and the total (the stocks add up exactly; a flow's total differs
    // from the sum only by moves between kelurahan, so it is treated as additive too).
    for (std::size_t f = 0; f < kFigureCount; ++f) {
        std::vector<PublishedFigure*> g;
        for (auto& a : flows.areas) {
            g.push_back(&a.counts[f]);
        }
        g.push_back(&flows.total.counts[f]);
        groups.push_back(std::move(g));
    }
    // One breakdown key across the kelurahan and the total.
    for (std::size_t d = 0; d < kBreakdownNames.size(); ++d) {
        for (auto& total_cell : flows.total.breakdown[d]) {
            for (std::size_t f = 0; f < kFigureCount; ++f) {
                std::vector<PublishedFigure*> g;
                for (auto& a : flows.areas) {
                    for (auto& cell : a.breakdown[d]) {
                        if (cell.key == total_cell.key) {
                            g.push_back(&cell.counts[f]);
                        }
                    }
                }
                g.push_back(&total_cell.counts[f]);
                groups.push_back(std::move(g));
            }
        }
    }
    return groups;
}

std::string nik_blind_index(std::span<const std::uint8_t, kProvinceKeyBytes> matching_key,
                            std::string_view nik) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, matching_key.data(), matching_key.size());
    crypto_auth_hmacsha256_update(
        &st, reinterpret_cast<const unsigned char*>(kNikDomain.data()), kNikDomain.size());
    const unsigned char zero = 0;
    crypto_auth_hmacsha256_update(&st, &zero, 1);
    crypto_auth_hmacsha256_update(
        &st, reinterpret_cast<const unsigned char*>(nik.data()), nik.size());
    std::array<std::uint8_t, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_final(&st, mac.data());
    return hex(mac);
}

std::string province_key_id(std::span<const std::uint8_t, kProvinceKeyBytes> key) {
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), key.data(), key.size());
    return hex(std::span<const std::uint8_t>(digest.data(), 4));
}

std::string person_reference(std::span<const std::uint8_t, kProvinceKeyBytes> reference_key,
                             std::string_view package_id,
                             std::string_view person_id) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reference_key.data(), reference_key.size());
    crypto_auth_hmacsha256_update(
        &st, reinterpret_cast<const unsigned char*>(package_id.data()), package_id.size());
    const unsigned char zero = 0;
    crypto_auth_hmacsha256_update(&st, &zero, 1);
    crypto_auth_hmacsha256_update(
        &st, reinterpret_cast<const unsigned char*>(person_id.data()), person_id.size());
    std::array<std::uint8_t, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_final(&st, mac.data());
    return hex(std::span<const std::uint8_t>(mac.data(), 16));
}

std::string random_hex_id() {
    std::array<std::uint8_t, 16> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    return hex(bytes);
}

std::string encode_package(const ProvincePackage& p) {
    json areas = json::array();
    for (const auto& a : p.flows.areas) {
        areas.push_back(area_json(a));
    }
    json matches = json::array();
    for (const auto& m : p.matches) {
        matches.push_back({{"index", m.index}, {"ref", m.ref}});
    }
    const json out = {{"format", std::string(kPackageFormat)},
                      {"package_id", p.package_id},
                      {"kota", p.kota},
                      {"kota_name", p.kota_name},
                      {"period", p.period},
                      {"period_from", core::format_date(p.period_from)},
                      {"period_to", core::format_date(p.period_to)},
                      {"sequence", p.sequence},
                      {"created_at", core::format_timestamp(p.created_at)},
                      {"suppression_threshold", p.threshold},
                      {"areas", std::move(areas)},
                      {"total", area_json(p.flows.total)},
                      {"matching_key_id", p.matching_key_id},
                      {"matches", std::move(matches)}};
    return out.dump();
}

Result<ProvincePackage> decode_package(std::string_view payload) {
    try {
        check_depth(payload, "the package");
        const auto j = json::parse(payload);
        ProvincePackage p;
        if (text_of(j, "format", "package") != kPackageFormat) {
            throw Bad{"package.format is not " + std::string(kPackageFormat)};
        }
        p.package_id = hex_of(j, "package_id", "package", 16);
        p.kota = text_of(j, "kota", "package");
        if (!kota_code_shape(p.kota)) {
            throw Bad{"package.kota is not a kab/kota code (64.74)"};
        }
        p.kota_name = text_of(j, "kota_name", "package");
        p.period = text_of(j, "period", "package");
        p.period_from = date_of(j, "period_from", "package");
        p.period_to = date_of(j, "period_to", "package");
        if (!(p.period_from < p.period_to)) {
            throw Bad{"package.period_to is not after period_from"};
        }
        p.sequence = integer_of(j, "sequence", "package");
        if (p.sequence < 1) {
            throw Bad{"package.sequence is not a positive integer"};
        }
        p.created_at = instant_of(j, "created_at", "package");
        const auto threshold = integer_of(j, "suppression_threshold", "package");
        if (threshold < 1 || threshold > 1000) {
            throw Bad{"package.suppression_threshold is out of range"};
        }
        p.threshold = static_cast<int>(threshold);
        std::size_t i = 0;
        for (const auto& a : array_of(j, "areas", "package")) {
            p.flows.areas.push_back(area_of(a, "package.areas[" + std::to_string(i++) + "]"));
        }
        p.flows.total = area_of(member(j, "total", "package"), "package.total");
        p.matching_key_id = hex_of(j, "matching_key_id", "package", 4);
        i = 0;
        for (const auto& m : array_of(j, "matches", "package")) {
            const auto path = "package.matches[" + std::to_string(i++) + "]";
            p.matches.push_back({hex_of(m, "index", path, 32), hex_of(m, "ref", path, 16)});
        }
        return p;
    } catch (const Bad& bad) {
        return fail(ErrorCode::ProvincePackageInvalid, bad.what);
    } catch (const json::exception& e) {
        return fail(ErrorCode::ProvincePackageInvalid,
                    std::string("the package payload is not JSON: ") + e.what());
    }
}

std::string encode_return(const ProvinceReturn& r) {
    json entries = json::array();
    for (const auto& e : r.entries) {
        entries.push_back({{"ref", e.ref}, {"other_kota", e.other_kota}});
    }
    const json out = {{"format", std::string(kReturnFormat)},
                      {"return_id", r.return_id},
                      {"province", r.province},
                      {"kota", r.kota},
                      {"package_id", r.package_id},
                      {"created_at", core::format_timestamp(r.created_at)},
                      {"entries", std::move(entries)}};
    return out.dump();
}

Result<ProvinceReturn> decode_return(std::string_view payload) {
    try {
        check_depth(payload, "the return");
        const auto j = json::parse(payload);
        ProvinceReturn r;
        if (text_of(j, "format", "return") != kReturnFormat) {
            throw Bad{"return.format is not " + std::string(kReturnFormat)};
        }
        r.return_id = hex_of(j, "return_id", "return", 16);
        r.province = text_of(j, "province", "return");
        r.kota = text_of(j, "kota", "return");
        if (!kota_code_shape(r.kota)) {
            throw Bad{"return.kota is not a kab/kota code (64.74)"};
        }
        r.package_id = hex_of(j, "package_id", "return", 16);
        r.created_at = instant_of(j, "created_at", "return");
        std::size_t i = 0;
        for (const auto& e : array_of(j, "entries", "return")) {
            const auto path = "return.entries[" + std::to_string(i++) + "]";
            ReturnEntry entry{hex_of(e, "ref", path, 16), {}};
            for (const auto& k : array_of(e, "other_kota", path)) {
                if (!k.is_string() || !kota_code_shape(k.get<std::string>())) {
                    throw Bad{path + ".other_kota holds something that is not a kab/kota code"};
                }
                entry.other_kota.push_back(k.get<std::string>());
            }
            r.entries.push_back(std::move(entry));
        }
        return r;
    } catch (const Bad& bad) {
        return fail(ErrorCode::ProvincePackageInvalid, bad.what);
    } catch (const json::exception& e) {
        return fail(ErrorCode::ProvincePackageInvalid,
                    std::string("the return payload is not JSON: ") + e.what());
    }
}

std::string sign_envelope(std::string_view format,
                          std::string_view signer,
                          std::string_view payload,
                          const card::CardKey& key) {
    const auto message = signed_message(format, signer, payload);
    std::array<std::uint8_t, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(),
                         nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(),
                         key.secret_key.data());
    const json out = {
        {"format", std::string(format)},
        {"signer", std::string(signer)},
        {"key_id", key.kid},
        {"payload", base64(payload)},
        {"signature",
         base64(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()))}};
    return out.dump(1) + "\n";
}

Result<SignedEnvelope> parse_envelope(std::string_view text, std::string_view format) {
    try {
        check_depth(text, "the file");
        const auto j = json::parse(text);
        SignedEnvelope e;
        e.format = text_of(j, "format", "file");
        if (e.format != format) {
            throw Bad{"file.format is '" + e.format + "', expected '" + std::string(format) + "'"};
        }
        e.signer = text_of(j, "signer", "file");
        auto payload = unbase64(text_of(j, "payload", "file"));
        if (!payload) {
            throw Bad{"file.payload is not base64"};
        }
        e.payload = std::move(*payload);
        const auto sig = unbase64(text_of(j, "signature", "file"));
        if (!sig || sig->size() != e.signature.size()) {
            throw Bad{"file.signature is not a base64 Ed25519 signature"};
        }
        std::copy(sig->begin(), sig->end(), reinterpret_cast<char*>(e.signature.data()));
        return e;
    } catch (const Bad& bad) {
        return fail(ErrorCode::ProvincePackageInvalid, bad.what);
    } catch (const json::exception& e) {
        return fail(ErrorCode::ProvincePackageInvalid,
                    std::string("the file is not a signed province file: ") + e.what());
    }
}

Result<void> verify_envelope(const SignedEnvelope& envelope,
                             std::span<const std::uint8_t, 32> public_key) {
    const auto message = signed_message(envelope.format, envelope.signer, envelope.payload);
    if (crypto_sign_verify_detached(envelope.signature.data(),
                                    reinterpret_cast<const unsigned char*>(message.data()),
                                    message.size(),
                                    public_key.data()) != 0) {
        return fail(ErrorCode::ProvinceSignatureInvalid,
                    "the signature of this " + envelope.format + " file from " + envelope.signer +
                        " does not verify with the enrolled key: it was altered or signed by "
                        "another key");
    }
    return {};
}

std::optional<std::vector<std::uint8_t>> bytes_from_hex(std::string_view hex_text,
                                                        std::size_t size) {
    if (hex_text.size() != size * 2) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> out;
    out.reserve(size);
    for (std::size_t i = 0; i < hex_text.size(); i += 2) {
        const int hi = core::hex_value(hex_text[i]);
        const int lo = core::hex_value(hex_text[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

} // namespace kapal::service
