#pragma once

#include <optional>
#include <string_view>

namespace kapal {

/// Every error and warning the program can report. The catalogue (error_code.cpp) gives each a
/// stable string id, an HTTP status, a CLI exit code and titles in Indonesian and English.
/// Append new codes; never renumber or reuse an id: ids are part of the API.
enum class ErrorCode {
    // generic
    Internal,
    InvalidArgument,
    ValidationFailed,
    NotFound,
    AlreadyExists,
    VersionConflict,
    PreconditionRequired,
    IdempotencyKeyReused,
    Unauthenticated,
    Forbidden,
    // http
    BadJson,
    UnknownField,
    FieldTypeMismatch,
    PayloadTooLarge,
    UnsupportedMediaType,
    MethodNotAllowed,
    RequestTimeout,
    TooManyRequests,
    BadCursor,
    // storage and configuration
    StoreUnavailable,
    IndexLoading,
    StoreNewerThanProgram,
    StoreCorrupt,
    ConfigInvalid,
    KeyMissing,
    Io,
    // person fields: errors
    NikLength,
    NikNotDigits,
    NikBirthDateInvalid,
    NikSerialZero,
    NikScientificNotation,
    KkLength,
    KkNotDigits,
    KkScientificNotation,
    NameMissing,
    NameTooLong,
    SexInvalid,
    BirthDateInvalid,
    BirthDateInFuture,
    KelurahanUnknown,
    LocationInvalid,
    CategoryInvalid,
    CategoryMissing,
    SeverityInvalid,
    WgssInvalid,
    StatusInvalid,
    StatusDateMissing,
    NeedInvalid,
    PhoneInvalid,
    AccountInvalid,
    RtRwInvalid,
    DuplicateNik,
    // person fields: warnings (stored or reported, never silently fixed)
    NikRegionUnknown,
    NikBirthDateMismatch,
    NikSexMismatch,
    KkRegionUnknown,
    LocationOutsideAreas,
    KelurahanMismatch,
    CoordinatesSwapped,
    PossibleDuplicate,
    WarningsNotConfirmed,
    // import
    ImportFileUnreadable,
    ImportNoHeader,
    ImportColumnMissing,
    ImportRowChanged,
    ImportCellInvalid,
    // accounts
    UsernameInvalid,
    RoleInvalid,
    AreaInvalid,
    PasswordTooShort,
    PasswordTooLong,
    PasswordCommon,
    PasswordContainsUsername,
    AccountDisabled,
    // security: sessions, tokens, consent, access to personal data
    SessionExpired,
    CsrfFailed,
    LoginThrottled,
    TokenInvalid,
    ConsentPurposeInvalid,
    ConsentInconsistent,
    PurposeRequired,
    // moving a store to another backend (kapal migrate-store)
    StoreNotEmpty,
    TransferMismatch,
    // the card: its number and the signed credential in its QR
    CardNumberInvalid,
    CredentialMalformed,
    CardAlreadyActive,
    CardAlreadyRevoked,
    CardPersonInactive,
    CardReasonInvalid,
    // the services the card opens
    ServiceUnknown,
    ServiceTransitionInvalid,
    // card rendering and reading a QR code back from a picture
    CardImageInvalid,
    CardQrTooLarge,
    CardQrNotFound,
    // social assistance: eligibility rules, programmes, beneficiary lists and deliveries
    AidRuleInvalid,
    AidListState,
    AidSelfApproval,
    AidNotOnList,
    AidAlreadyDelivered,
    AidCycleClosed,
    AidNotAssigned,
    AidVoucherInsufficient,
    AidChannelMismatch,
    AidBatchFileInvalid,
    AidReasonRequired,
    // social assistance: anomaly flags (reported on the list and on delivery, never blocking)
    AidSharedAccount,
    AidPersonInactive,
    AidFarFromHome,
    AidExcludedProgram,
    AidQuotaExceeded,
    // integrity: the duplicate review
    DuplicatePairDecided,
    PersonMerged,
    // a person's photo
    PhotoTypeUnsupported,
    PhotoTooLarge,
    PhotoInvalid,
    // the province package (docs/province.md)
    ProvincePackageInvalid,
    ProvinceSignatureInvalid,
    ProvinceNotEnrolled,
    ProvincePackageReplayed,
    ProvinceKeyMismatch,
};

/// How serious an issue is: errors reject, warnings need confirmation or are reported.
enum class IssueLevel { Error, Warning };

/// What the catalogue knows of one code.
struct ErrorInfo {
    ErrorCode code;
    std::string_view id;       ///< stable, e.g. "person.nik_length"
    int http_status;           ///< e.g. 422
    int exit_code;             ///< sysexits-style CLI exit code
    IssueLevel level;          ///< error or warning
    std::string_view title_id; ///< Bahasa Indonesia
    std::string_view title_en; ///< English
};

/// The catalogue entry of a code (every code has one; a unit test checks it).
const ErrorInfo& error_info(ErrorCode code) noexcept;

/// Reverse lookup by stable id; nullopt for an unknown id.
std::optional<ErrorCode> error_code_from_id(std::string_view id) noexcept;

/// The title in `lang` ("id" or "en"; anything else falls back to Indonesian).
std::string_view error_title(ErrorCode code, std::string_view lang) noexcept;

/// The number of codes in the catalogue (for tests that walk all of them).
std::size_t error_code_count() noexcept;

} // namespace kapal
