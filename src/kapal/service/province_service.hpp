#pragma once
// The province package in a data directory (docs/province.md): the keys and files a province
// instance keeps (its matching key, its signing key, the enrolled kab/kota, the ledger of
// accepted packages) and those of a city that joined it (the province's matching key and public
// key, the city's package signing key and reference key, the package sequence). The package and
// return formats themselves are service/province_package.
//
// Files (keys 0600 in DIR/keys, 0700; the rest in DIR/province, 0700):
//   province instance: keys/province-match.key, keys/province-sign.key, province/role,
//     province/enrolled.tsv, province/ledger.tsv, province/packages/<kota>-<seq>-<id>.json
//   city: keys/province-match.key, keys/package-sign.key, keys/package-ref.key,
//     province/joined.tsv, province/sequence

#include "kapal/core/clock.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/province_package.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/service/registry_flows.hpp"
#include "kapal/store/store.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// Largest package or return file read, in bytes.
inline constexpr std::size_t kMaxProvinceFileBytes = 256U * 1024U * 1024U;

// ---- the province instance ---------------------------------------------------------------------

/// Makes an initialised data directory a province instance: a fresh matching key and signing
/// key (never overwritten), province/role. Errors: AlreadyExists (already a province, or a
/// city that joined one), Io.
Result<void> init_province(const std::filesystem::path& dir, const ReferenceData& ref);

/// True when DIR is a province instance.
bool is_province(const std::filesystem::path& dir);

/// The text of the key file the province gives kab/kota `kota` (a secret: the matching key).
/// Errors: NotFound (not a province instance), AreaInvalid (not a kab/kota of the
/// province), KeyMissing.
Result<std::string> issue_province_key(const std::filesystem::path& dir,
                                       const ReferenceData& ref,
                                       const std::string& kota);

/// Records (or replaces) the package-verification public key of `kota` (64 hex).
/// Errors: NotFound (not a province instance), AreaInvalid, ValidationFailed (not a public key),
/// Io.
Result<void> enrol_kota(const std::filesystem::path& dir,
                        const ReferenceData& ref,
                        const std::string& kota,
                        const std::string& public_key_hex,
                        core::Timestamp now);

/// An enrolled kab/kota.
struct EnrolledKota {
    std::string code;
    std::array<std::uint8_t, 32> public_key{};
    core::Timestamp enrolled_at{};
};

Result<std::vector<EnrolledKota>> enrolled_kota(const std::filesystem::path& dir);

/// One accepted package as the ledger records it.
struct AcceptedPackage {
    std::string kota;
    std::int64_t sequence = 0;
    std::string package_id;
    std::string period;
    core::Timestamp created_at{};
    core::Timestamp imported_at{};
    std::string digest; ///< SHA-256 of the file, hex
    std::string file;   ///< name under DIR/province/packages
};

/// Verifies and accepts a package file. Errors: NotFound (not a province instance),
/// ProvincePackageInvalid (not a package, malformed), ProvinceNotEnrolled (its kab/kota is not
/// enrolled), ProvinceSignatureInvalid (altered, or signed by another key),
/// ProvinceKeyMismatch (made with another matching key, or signed as another kab/kota than it
/// names), ProvincePackageReplayed (the same package id again, or a sequence not greater than
/// the last accepted from that kab/kota), Io. Nothing is kept unless it is accepted.
Result<AcceptedPackage>
import_package(const std::filesystem::path& dir, std::string_view text, core::Timestamp now);

/// The ledger, in acceptance order.
Result<std::vector<AcceptedPackage>> accepted_packages(const std::filesystem::path& dir);

/// An accepted package read back (and verified again against its kab/kota's key).
Result<ProvincePackage> read_accepted(const std::filesystem::path& dir,
                                      const AcceptedPackage& accepted);

/// A person registered in several kab/kota: the kab/kota and each one's reference. No NIK, no
/// blind index.
struct CrossRegistration {
    std::vector<std::pair<std::string, std::string>> kota_refs; ///< (kota, ref), sorted by kota
};

/// The persons whose blind index appears in the latest packages of two or more kab/kota.
Result<std::vector<CrossRegistration>> cross_registered(const std::filesystem::path& dir);

/// The signed return for `kota`: its references (from its latest package) that are also
/// registered elsewhere. Errors: those of cross_registered, NotFound (no package from `kota`).
Result<std::string>
make_return(const std::filesystem::path& dir, const std::string& kota, core::Timestamp now);

// ---- the city ----------------------------------------------------------------------------------

/// What join wrote.
struct JoinOutcome {
    std::string province;
    std::string kota;
    std::string package_public_key; ///< 64 hex: what the province enrols
};

/// Stores the province's key file in a city's data directory and makes the city's package
/// signing key and reference key (0600). Errors: ConfigInvalid (a province instance),
/// AlreadyExists (already joined), ProvincePackageInvalid (not a key file), Io.
Result<JoinOutcome> join_province(const std::filesystem::path& dir, std::string_view key_file);

/// The city's package signing key's public half (after join). Errors: KeyMissing.
Result<JoinOutcome> joined_province(const std::filesystem::path& dir);

/// The signed package of `period`: flows per kelurahan (suppressed), the blind indexes of the
/// persons registered at the period's end (or now, for a period not yet over), a new sequence
/// (max(last + 1, now in ms), so that a restored backup never repeats one). Audited as
/// "province.package". Errors: NotFound (not joined), KeyMissing, those of compute_flows and the
/// store.
Result<std::string> make_package(const std::filesystem::path& dir,
                                 store::Store& store,
                                 const ReferenceData& ref,
                                 const Actor& actor,
                                 const Period& period,
                                 core::Timestamp now);

/// One of the city's persons that the province found registered in another kab/kota.
struct ReviewItem {
    core::PersonRecord record;
    std::vector<std::string> other_kota;
};

/// The return's persons, mapped back through the city's reference key. Audited as
/// "province.review". Errors: NotFound (not joined), KeyMissing, ProvincePackageInvalid,
/// ProvinceSignatureInvalid (not signed by the province's key), ProvinceKeyMismatch (for another
/// kab/kota or province).
Result<std::vector<ReviewItem>> review_return(const std::filesystem::path& dir,
                                              store::Store& store,
                                              const Actor& actor,
                                              std::string_view text);

} // namespace kapal::service
