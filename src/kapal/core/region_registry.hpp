#pragma once
// Kemendagri administrative areas (provinsi → kab/kota → kecamatan → kelurahan/desa) and the
// set of region prefixes a NIK may carry (current or historical codes). Filled by the caller
// from the reference CSVs in data/ (core does no I/O).

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kapal::core {

enum class RegionLevel { Provinsi, Kabupaten, Kota, Kecamatan, Kelurahan, Desa, DesaAdat };

struct Region {
    std::string code; ///< dotted Kemendagri code, e.g. 64.74.01.1003
    std::string name; ///< as in the Kemendagri list, e.g. "Lok Tuan"
    RegionLevel level = RegionLevel::Kelurahan;
    std::string parent_code;
};

std::string_view to_string(RegionLevel level);
std::optional<RegionLevel> parse_region_level(std::string_view text);

/// Lookup of areas by code and by (loosely matched) name. Not thread-safe while being filled;
/// read-only use afterwards is safe from many threads.
class RegionRegistry {
  public:
    /// Adds an area; a repeated code replaces the earlier entry.
    void add(Region region);

    /// Another name a place is known by (e.g. "Loktuan" for Lok Tuan); matched like names.
    void add_alias(std::string_view code, std::string_view alias);

    /// Marks a kecamatan-level NIK prefix (6 digits, e.g. "647401") as issued at some time.
    void add_nik_prefix(std::string_view six_digits);

    /// nullptr when the code is unknown.
    const Region* find(std::string_view code) const;

    /// True for a known kelurahan or desa code.
    bool is_village(std::string_view code) const;

    /// A village by name ("Loktuan", "LOK TUAN", "Api Api"), optionally restricted to a
    /// kecamatan or kab/kota code (prefix). Also accepts a dotted code. nullptr when unknown or
    /// when the name is ambiguous within the restriction.
    const Region* find_village(std::string_view name_or_code,
                               std::string_view within_code = {}) const;

    /// A kecamatan by name or code, optionally within a kab/kota; nullptr when unknown/ambiguous.
    const Region* find_kecamatan(std::string_view name_or_code,
                                 std::string_view within_code = {}) const;

    /// True when the 6-digit prefix is a current or historical kecamatan code.
    bool is_known_nik_prefix(std::string_view six_digits) const;

    /// Direct children of an area, in code order.
    std::vector<const Region*> children(std::string_view code) const;

    std::size_t size() const { return by_code_.size(); }

  private:
    const Region*
    find_by_name(std::string_view name, std::string_view within_code, bool village) const;

    std::unordered_map<std::string, Region> by_code_;
    std::unordered_multimap<std::string, std::string> by_folded_name_; // fold_key(name) -> code
    std::unordered_set<std::string> nik_prefixes_;
};

/// True when `code` equals `area` or lies under it ("64.74.01.1003" under "64.74").
bool code_within(std::string_view code, std::string_view area);

} // namespace kapal::core
