#include "kapal/store/store_codec.hpp"

#include "kapal/store/person_doc.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace kapal::store {
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const auto n = (std::uint32_t{static_cast<std::uint8_t>(in[i])} << 16) |
                       (std::uint32_t{static_cast<std::uint8_t>(in[i + 1])} << 8) |
                       std::uint32_t{static_cast<std::uint8_t>(in[i + 2])};
        out += kBase64Url[(n >> 18) & 63];
        out += kBase64Url[(n >> 12) & 63];
        out += kBase64Url[(n >> 6) & 63];
        out += kBase64Url[n & 63];
    }
    if (i + 1 == in.size()) {
        const auto n = std::uint32_t{static_cast<std::uint8_t>(in[i])} << 16;
        out += kBase64Url[(n >> 18) & 63];
        out += kBase64Url[(n >> 12) & 63];
    } else if (i + 2 == in.size()) {
        const auto n = (std::uint32_t{static_cast<std::uint8_t>(in[i])} << 16) |
                       (std::uint32_t{static_cast<std::uint8_t>(in[i + 1])} << 8);
        out += kBase64Url[(n >> 18) & 63];
        out += kBase64Url[(n >> 12) & 63];
        out += kBase64Url[(n >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view in) {
    if (in.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : in) {
        std::uint32_t v = 0;
        if (c >= 'A' && c <= 'Z') {
            v = static_cast<std::uint32_t>(c - 'A');
        } else if (c >= 'a' && c <= 'z') {
            v = static_cast<std::uint32_t>(c - 'a' + 26);
        } else if (c >= '0' && c <= '9') {
            v = static_cast<std::uint32_t>(c - '0' + 52);
        } else if (c == '-') {
            v = 62;
        } else if (c == '_') {
            v = 63;
        } else {
            return std::nullopt;
        }
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    // Leftover bits must be zero, so that every cursor has exactly one spelling.
    if ((acc & ((1U << bits) - 1)) != 0) {
        return std::nullopt;
    }
    return out;
}

constexpr std::string_view kCursorPrefix = "p1:";

} // namespace

std::int64_t category_mask(const std::vector<core::Category>& categories) {
    std::int64_t mask = 0;
    for (const auto c : categories) {
        mask |= std::int64_t{1} << static_cast<int>(c);
    }
    return mask;
}

std::int64_t device_mask(const std::vector<std::string>& devices) {
    std::int64_t mask = 0;
    for (const auto& d : devices) {
        for (std::size_t i = 0; i < core::kAssistiveDevices.size(); ++i) {
            if (core::kAssistiveDevices[i] == d) {
                mask |= std::int64_t{1} << i;
            }
        }
    }
    return mask;
}

std::string encode_cursor(const core::PersonId& last) {
    std::string payload(kCursorPrefix);
    payload += last.str();
    return base64url_encode(payload);
}

std::optional<std::string> decode_cursor(std::string_view cursor) {
    auto payload = base64url_decode(cursor);
    if (!payload || payload->size() <= kCursorPrefix.size() ||
        std::string_view(*payload).substr(0, kCursorPrefix.size()) != kCursorPrefix) {
        return std::nullopt;
    }
    return payload->substr(kCursorPrefix.size());
}

std::string like_pattern(std::string_view text) {
    std::string out = "%";
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '%';
    return out;
}

std::string join_codes(const std::vector<std::string>& codes) {
    std::string out;
    for (const auto& c : codes) {
        out += (out.empty() ? "" : " ") + c;
    }
    return out;
}

std::vector<std::string> split_codes(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(' ', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        if (end > start) {
            out.emplace_back(text.substr(start, end - start));
        }
        start = end + 1;
    }
    return out;
}

Result<PersonSummary> summary_of(const SummaryColumns& row) {
    PersonSummary out;
    out.id = core::PersonId(std::string(row.id));
    out.version = row.version;
    out.kelurahan_code = std::string(row.kelurahan_code);
    if (row.categories < 0 || row.categories >= (std::int64_t{1} << core::kAllCategories.size())) {
        return fail(ErrorCode::StoreCorrupt,
                    "person " + std::string(row.id) + " has an unknown category mask");
    }
    out.categories = static_cast<std::uint8_t>(row.categories);
    if (row.devices < 0 || row.devices >= (std::int64_t{1} << core::kAssistiveDevices.size())) {
        return fail(ErrorCode::StoreCorrupt,
                    "person " + std::string(row.id) + " has an unknown device mask");
    }
    out.devices = static_cast<std::uint16_t>(row.devices);
    if (!row.severity.empty()) {
        out.severity = core::parse_severity(row.severity);
        if (!out.severity) {
            return fail(ErrorCode::StoreCorrupt,
                        "person " + std::string(row.id) + " has an unknown severity");
        }
    }
    const auto status = core::parse_status(row.status);
    if (!status) {
        return fail(ErrorCode::StoreCorrupt,
                    "person " + std::string(row.id) + " has an unknown status");
    }
    out.status = *status;
    out.lon = row.lon;
    out.lat = row.lat;
    out.full_name = std::string(row.full_name);
    if (!row.birth_date.empty()) {
        out.birth_date = core::parse_date(row.birth_date);
    }
    out.sex = core::parse_sex(row.sex);
    return out;
}

namespace {

bool is_multipolygon_geojson(const std::string& text) {
    const auto geometry = nlohmann::json::parse(text, nullptr, false);
    return geometry.is_object() && geometry.value("type", "") == "MultiPolygon" &&
           geometry.contains("coordinates") && geometry["coordinates"].is_array() &&
           !geometry["coordinates"].empty();
}

std::string record_name(const std::string& what, const std::string& id, std::size_t index) {
    return id.empty() ? what + " " + std::to_string(index) : what + " " + id;
}

} // namespace

Result<void> check_hazard_zone(const HazardZoneRecord& zone, std::size_t index) {
    const std::string where = record_name("hazard zone", zone.id, index) + ": ";
    for (const auto& [field, value] : {std::pair{"id", &zone.id},
                                       std::pair{"name", &zone.name},
                                       std::pair{"hazard", &zone.hazard},
                                       std::pair{"level", &zone.level}}) {
        if (value->empty()) {
            return fail(ErrorCode::InvalidArgument, where + field + " is empty");
        }
    }
    if (!is_multipolygon_geojson(zone.geometry)) {
        return fail(ErrorCode::InvalidArgument,
                    where + "geometry must be a GeoJSON MultiPolygon with coordinates");
    }
    return {};
}

Result<void> check_facility(const FacilityRecord& facility, std::size_t index) {
    const std::string where = record_name("facility", facility.id, index) + ": ";
    for (const auto& [field, value] : {std::pair{"id", &facility.id},
                                       std::pair{"kind", &facility.kind},
                                       std::pair{"name", &facility.name}}) {
        if (value->empty()) {
            return fail(ErrorCode::InvalidArgument, where + field + " is empty");
        }
    }
    if (!(facility.lon >= -180 && facility.lon <= 180 && facility.lat >= -90 &&
          facility.lat <= 90)) {
        return fail(ErrorCode::InvalidArgument, where + "position out of range");
    }
    return {};
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (const unsigned char b : digest) {
        out += kHex[b >> 4U];
        out += kHex[b & 0xfU];
    }
    return out;
}

Result<void> check_person_file(const PersonFileRecord& file) {
    const std::string where = "file " + file.id + ": ";
    for (const auto& [field, value] : {std::pair{"id", &file.id},
                                       std::pair{"person_id", &file.person_id},
                                       std::pair{"kind", &file.kind},
                                       std::pair{"media_type", &file.media_type}}) {
        if (value->empty()) {
            return fail(ErrorCode::InvalidArgument, where + field + " is empty");
        }
    }
    if (std::find(kPersonFileKinds.begin(), kPersonFileKinds.end(), file.kind) ==
        kPersonFileKinds.end()) {
        return fail(ErrorCode::InvalidArgument, where + "unknown kind " + file.kind);
    }
    if (file.size_bytes != static_cast<std::int64_t>(file.bytes.size())) {
        return fail(ErrorCode::InvalidArgument, where + "size_bytes is not the size of the bytes");
    }
    if (file.sha256 != sha256_hex(file.bytes)) {
        return fail(ErrorCode::InvalidArgument, where + "sha256 is not the digest of the bytes");
    }
    return {};
}

std::vector<std::uint8_t> seal_file_bytes(const FieldCipher& cipher,
                                          std::span<const std::uint8_t> bytes) {
    return cipher.encrypt(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Result<std::vector<std::uint8_t>> open_file_bytes(const FieldCipher& cipher,
                                                  std::span<const std::uint8_t> sealed,
                                                  std::string_view sha256) {
    KAPAL_ASSIGN_OR_RETURN(plain, cipher.decrypt(sealed));
    std::vector<std::uint8_t> bytes(plain.begin(), plain.end());
    sodium_memzero(plain.data(), plain.size());
    if (sha256_hex(bytes) != sha256) {
        return fail(ErrorCode::StoreCorrupt, "a stored file does not match its SHA-256");
    }
    return bytes;
}

Result<core::Person> keep_stored_files(const core::Person& incoming, std::string_view stored_doc) {
    // Empty members are not written: without these keys there is nothing to keep. (A false
    // match inside a text value only costs a decode.)
    if (stored_doc.find("\"photo_id\":") == std::string_view::npos &&
        stored_doc.find("\"documents\":") == std::string_view::npos) {
        return incoming;
    }
    auto stored = decode_person_doc(stored_doc);
    if (!stored) {
        return fail(ErrorCode::StoreCorrupt, "a stored person document cannot be read");
    }
    core::Person out = incoming;
    out.photo_id = stored->photo_id;
    out.documents = stored->documents;
    return out;
}

std::string person_file_detail(const PersonFileRecord& file) {
    return "kind=" + file.kind + " id=" + file.id + " bytes=" + std::to_string(file.size_bytes) +
           " sha256=" + file.sha256;
}

bool is_card_revoke_reason(std::string_view reason) {
    return std::find(kCardRevokeReasons.begin(), kCardRevokeReasons.end(), reason) !=
           kCardRevokeReasons.end();
}

namespace {

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

Result<void> check_card_issue(const CardIssue& issue) {
    if (issue.regency.size() != 4 || !all_digits(issue.regency)) {
        return fail(ErrorCode::InvalidArgument,
                    "card regency must be 4 digits, not \"" + issue.regency + "\"");
    }
    if (!issue.make) {
        return fail(ErrorCode::InvalidArgument, "card issue without a credential maker");
    }
    if (!issue.replace_reason.empty() && !is_card_revoke_reason(issue.replace_reason)) {
        return fail(ErrorCode::CardReasonInvalid,
                    "unknown reason \"" + issue.replace_reason + "\"");
    }
    return {};
}

Result<void> check_card_content(const CardIssue& issue, const CardContent& content) {
    if (content.number.size() != 12 || !all_digits(content.number) ||
        !content.number.starts_with(issue.regency) || content.kid.empty() ||
        content.credential.empty()) {
        return fail(ErrorCode::Internal,
                    "card maker returned an unusable card (number \"" + content.number + "\")");
    }
    return {};
}

Result<void> check_service(const ServiceRecord& service) {
    const bool code_ok = !service.code.empty() && service.code.size() <= 40 &&
                         std::all_of(service.code.begin(), service.code.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                         });
    if (!code_ok) {
        return fail(ErrorCode::InvalidArgument,
                    "service code \"" + service.code + "\" must be 1 to 40 of a-z, 0-9 and _");
    }
    if (service.name.empty() || service.name.size() > 200 || service.name_en.size() > 200 ||
        service.description.size() > 2000) {
        return fail(ErrorCode::InvalidArgument,
                    "service " + service.code +
                        ": a name of 1 to 200 bytes (and a description of at most 2000)");
    }
    return {};
}

namespace {

bool is_code(std::string_view code) {
    return !code.empty() && code.size() <= 40 && std::all_of(code.begin(), code.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

Result<void> aid_invalid(const std::string& what) {
    return fail(ErrorCode::InvalidArgument, what);
}

} // namespace

Result<void> check_aid_program(const AidProgramRecord& program) {
    const std::string who = "programme \"" + program.code + "\": ";
    if (!is_code(program.code)) {
        return aid_invalid(who + "code must be 1 to 40 of a-z, 0-9 and _");
    }
    if (program.name.empty() || program.name.size() > 200) {
        return aid_invalid(who + "name must be 1 to 200 bytes");
    }
    if (!one_of(kAidSources, program.source)) {
        return aid_invalid(who + "source must be APBN, APBD or CSR");
    }
    if (!one_of(kAidKinds, program.kind)) {
        return aid_invalid(who + "kind must be tunai, voucher, barang, alat_bantu or layanan");
    }
    if (!one_of(kAidChannels, program.channel)) {
        return aid_invalid(who + "channel must be langsung, transfer or voucher");
    }
    if (program.unit_value < 0) {
        return aid_invalid(who + "unit_value must not be negative");
    }
    if (program.rule.size() > 4000) {
        return aid_invalid(who + "rule must be at most 4000 bytes");
    }
    for (const auto& code : program.excludes) {
        if (!is_code(code) || code == program.code) {
            return aid_invalid(who + "excludes \"" + code + "\" is not another programme's code");
        }
    }
    return {};
}

Result<void> check_merchant(const MerchantRecord& merchant) {
    const std::string who = "merchant \"" + merchant.name + "\": ";
    const auto bad = [&](const char* field, const std::string& what) {
        return fail(
            ErrorCode::InvalidArgument, who + what, {{field, ErrorCode::InvalidArgument, what}});
    };
    if (merchant.name.empty() || merchant.name.size() > 200) {
        return bad("name", "name must be 1 to 200 bytes");
    }
    if (merchant.user_id.empty()) {
        return bad("user_id", "user_id (the merchant's account) is required");
    }
    if (merchant.kelurahan_code.empty() || merchant.kelurahan_code.size() > 20) {
        return bad("kelurahan_code", "kelurahan_code is required");
    }
    if (!std::isfinite(merchant.lon) || merchant.lon < -180 || merchant.lon > 180) {
        return bad("lon", "lon must be between -180 and 180");
    }
    if (!std::isfinite(merchant.lat) || merchant.lat < -90 || merchant.lat > 90) {
        return bad("lat", "lat must be between -90 and 90");
    }
    if (merchant.address.size() > 500) {
        return bad("address", "address must be at most 500 bytes");
    }
    return {};
}

Result<void> check_aid_cycle(const AidCycleRecord& cycle) {
    const std::string who =
        "cycle " + std::to_string(cycle.number) + " of \"" + cycle.program_code + "\": ";
    if (!is_code(cycle.program_code) || cycle.number < 1 || cycle.number > 1000) {
        return aid_invalid(who + "a programme code and a number from 1 to 1000");
    }
    if (cycle.name.empty() || cycle.name.size() > 200) {
        return aid_invalid(who + "name must be 1 to 200 bytes");
    }
    if (cycle.ends_on < cycle.starts_on) {
        return aid_invalid(who + "ends_on is before starts_on");
    }
    std::vector<std::string> areas;
    for (const auto& quota : cycle.quotas) {
        if (quota.max < 0 || quota.area_code.empty() ||
            quota.area_code.find_first_of(" =") != std::string::npos) {
            return aid_invalid(who + "quota of \"" + quota.area_code + "\" is not valid");
        }
        areas.push_back(quota.area_code);
    }
    std::sort(areas.begin(), areas.end());
    if (std::adjacent_find(areas.begin(), areas.end()) != areas.end()) {
        return aid_invalid(who + "two quotas for one area");
    }
    if (cycle.site_lon.has_value() != cycle.site_lat.has_value() ||
        (cycle.site_lon && (std::abs(*cycle.site_lon) > 180 || std::abs(*cycle.site_lat) > 90))) {
        return aid_invalid(who + "site needs both lon (-180..180) and lat (-90..90)");
    }
    return {};
}

std::string encode_quotas(const std::vector<AidQuota>& quotas) {
    std::string out;
    for (const auto& quota : quotas) {
        out += (out.empty() ? "" : " ") + quota.area_code + "=" + std::to_string(quota.max);
    }
    return out;
}

std::vector<AidQuota> decode_quotas(std::string_view text) {
    std::vector<AidQuota> out;
    for (const auto& piece : split_codes(text)) {
        const auto eq = piece.find('=');
        if (eq == std::string::npos || eq == 0) {
            continue;
        }
        try {
            out.push_back(AidQuota{piece.substr(0, eq), std::stoll(piece.substr(eq + 1))});
        } catch (const std::exception&) {
            continue;
        }
    }
    return out;
}

std::string aid_list_hash(const AidCycleRecord& cycle, std::vector<AidListEntry> entries) {
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.person_id < b.person_id;
    });
    std::string text = "kapal-aid-list-v1\n" + cycle.id + "\n" + cycle.program_code + "\n" +
                       std::to_string(cycle.number) + "\n" + cycle.rule + "\n";
    for (const auto& entry : entries) {
        if (!entry.removed) {
            text += entry.person_id + "\t" + entry.kelurahan_code + "\t" + entry.source + "\n";
        }
    }
    std::array<unsigned char, crypto_generichash_BYTES> digest{};
    crypto_generichash(digest.data(),
                       digest.size(),
                       reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(),
                       nullptr,
                       0);
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string hex;
    hex.reserve(digest.size() * 2);
    for (const unsigned char byte : digest) {
        hex += kHex[byte >> 4];
        hex += kHex[byte & 15];
    }
    return hex;
}

bool aid_list_transition_allowed(std::string_view from, std::string_view to) {
    return (from == "draft" && to == "proposed") ||
           (from == "proposed" && (to == "approved" || to == "draft"));
}

bool service_transition_allowed(std::string_view from, std::string_view to) {
    if (from == "diajukan") {
        return to == "diproses" || to == "selesai" || to == "ditolak" || to == "dibatalkan";
    }
    if (from == "diproses") {
        return to == "selesai" || to == "ditolak" || to == "dibatalkan";
    }
    return false;
}

Result<void> same_service_request(const ServiceRequestRecord& first,
                                  const ServiceRequestRecord& again) {
    if (first.person_id != again.person_id || first.service_code != again.service_code ||
        first.note != again.note || first.card_number != again.card_number) {
        return fail(ErrorCode::IdempotencyKeyReused,
                    "idempotency key " + again.idempotency_key +
                        " was used for another service request");
    }
    return {};
}

std::string card_mark_detail(CardStage stage, const std::vector<std::string>& numbers) {
    std::string out = stage == CardStage::HandedOver ? "stage=handed_over" : "stage=printed";
    out += " count=" + std::to_string(numbers.size()) + " numbers=";
    for (std::size_t i = 0; i < numbers.size() && i < 50; ++i) {
        out += (i == 0 ? "" : ",") + numbers[i];
    }
    if (numbers.size() > 50) {
        out += ",...";
    }
    return out;
}

Result<AreaDiff> diff_areas(const std::vector<AreaRecord>& stored,
                            const std::vector<AreaRecord>& wanted) {
    std::map<std::string_view, const AreaRecord*> have;
    for (const auto& a : stored) {
        have.emplace(a.code, &a);
    }
    std::map<std::string_view, bool> seen;
    AreaDiff out;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        const AreaRecord& a = wanted[i];
        if (a.code.empty()) {
            return fail(ErrorCode::InvalidArgument,
                        "area " + std::to_string(i) + ": the code is empty");
        }
        const std::string where = "area " + a.code + ": ";
        if (!seen.emplace(a.code, true).second) {
            return fail(ErrorCode::InvalidArgument, where + "the code is given twice");
        }
        if (a.level != "kota" && a.level != "kecamatan" && a.level != "kelurahan") {
            return fail(ErrorCode::InvalidArgument,
                        where + "level must be kota, kecamatan or kelurahan, not \"" + a.level +
                            "\"");
        }
        if (!is_multipolygon_geojson(a.geometry)) {
            return fail(ErrorCode::InvalidArgument,
                        where + "geometry must be a GeoJSON MultiPolygon with coordinates");
        }
        const auto it = have.find(a.code);
        if (it == have.end()) {
            ++out.inserted;
            out.upserts.push_back(a);
        } else if (!(*it->second == a)) {
            ++out.replaced;
            out.upserts.push_back(a);
        }
    }
    for (const auto& a : stored) {
        if (!seen.contains(a.code)) {
            out.deletes.push_back(a.code);
        }
    }
    return out;
}

std::string area_sync_detail(const AreaDiff& diff) {
    return "inserted=" + std::to_string(diff.inserted) +
           " replaced=" + std::to_string(diff.replaced) +
           " deleted=" + std::to_string(diff.deletes.size());
}

Result<void> check_pair(const DuplicatePairRecord& pair) {
    if (pair.person_a.str().empty() || !(pair.person_a.str() < pair.person_b.str())) {
        return fail(ErrorCode::InvalidArgument,
                    "a duplicate pair names two different persons, the lower id first");
    }
    if (pair.source != "registrasi" && pair.source != "impor" && pair.source != "pemindaian") {
        return fail(ErrorCode::InvalidArgument, "unknown duplicate pair source " + pair.source);
    }
    return {};
}

Result<void> check_sync_state(std::string_view state) {
    for (const std::string_view known : kSyncStates) {
        if (state == known) {
            return {};
        }
    }
    return fail(ErrorCode::InvalidArgument, "unknown sync op state " + std::string(state));
}

std::string sync_detail(const SyncOpRecord& op) {
    return "op=" + op.id + " key=" + op.key + " fields=" + op.fields;
}

Result<void> check_open_pair(const DuplicatePairRecord& pair, std::int64_t expected_version) {
    if (pair.state != kPairOpen) {
        return fail(ErrorCode::DuplicatePairDecided,
                    "duplicate pair " + pair.id + " was already decided: " + pair.state);
    }
    if (pair.version != expected_version) {
        return fail(ErrorCode::VersionConflict,
                    "duplicate pair " + pair.id + " is at version " + std::to_string(pair.version) +
                        ", not " + std::to_string(expected_version));
    }
    return {};
}

Result<std::string> kept_of(const DuplicatePairRecord& pair, const core::PersonId& absorbed) {
    if (absorbed == pair.person_a) {
        return pair.person_b.str();
    }
    if (absorbed == pair.person_b) {
        return pair.person_a.str();
    }
    return fail(ErrorCode::InvalidArgument,
                "person " + absorbed.str() + " is not one of the pair",
                {{"absorbed_id", ErrorCode::InvalidArgument, absorbed.str()}});
}

Result<void> check_age_bounds(const std::vector<int>& bounds) {
    if (bounds.size() > 8) {
        return fail(ErrorCode::InvalidArgument, "at most 8 age bounds");
    }
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (bounds[i] < 1 || bounds[i] > 150 || (i > 0 && bounds[i] <= bounds[i - 1])) {
            return fail(ErrorCode::InvalidArgument, "age bounds are 1..150 and ascending");
        }
    }
    return {};
}

Result<RegistryState> registry_state_of(const StateColumns& row) {
    RegistryState out;
    out.person = row.person;
    out.version = row.version;
    out.at = core::from_unix_ms(row.at_ms);
    out.kelurahan_code = std::string(row.kelurahan_code);
    const auto status = core::parse_status(row.status);
    const auto sex = core::parse_sex(row.sex);
    if (!status || !sex) {
        return fail(ErrorCode::StoreCorrupt, "person_states: unknown status or sex");
    }
    out.status = *status;
    out.sex = *sex;
    if (!row.birth_date.empty()) {
        const auto d = core::parse_date(row.birth_date);
        if (!d) {
            return fail(ErrorCode::StoreCorrupt, "person_states: unreadable birth date");
        }
        out.birth_date = *d;
    }
    if (!row.severity.empty()) {
        out.severity = core::parse_severity(row.severity);
        if (!out.severity) {
            return fail(ErrorCode::StoreCorrupt, "person_states: unknown severity");
        }
    }
    out.categories = row.categories;
    return out;
}

} // namespace kapal::store
