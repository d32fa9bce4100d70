#include "kapal/core/person.hpp"

#include "kapal/core/text.hpp"

#include <algorithm>

namespace kapal::core {
namespace {

template <class Enum, std::size_t N>
std::optional<Enum> lookup(std::string_view text,
                           const std::array<std::pair<std::string_view, Enum>, N>& table) {
    const std::string key = fold_key(text);
    for (const auto& [name, value] : table) {
        if (fold_key(name) == key) {
            return value;
        }
    }
    return std::nullopt;
}

} // namespace

std::string_view to_string(Sex v) {
    return v == Sex::Male ? "L" : "P";
}

std::string_view to_string(Category v) {
    switch (v) {
    case Category::Fisik:
        return "fisik";
    case Category::Intelektual:
        return "intelektual";
    case Category::Mental:
        return "mental";
    case Category::SensorikNetra:
        return "sensorik_netra";
    case Category::SensorikRungu:
        return "sensorik_rungu";
    case Category::SensorikWicara:
        return "sensorik_wicara";
    }
    return "fisik";
}

std::string_view to_string(DisabilitySeverity v) {
    switch (v) {
    case DisabilitySeverity::Ringan:
        return "ringan";
    case DisabilitySeverity::Sedang:
        return "sedang";
    case DisabilitySeverity::Berat:
        return "berat";
    }
    return "ringan";
}

std::string_view to_string(Status v) {
    switch (v) {
    case Status::Aktif:
        return "aktif";
    case Status::Pindah:
        return "pindah";
    case Status::Meninggal:
        return "meninggal";
    case Status::Nonaktif:
        return "nonaktif";
    }
    return "aktif";
}

std::string_view to_string(LocationSource v) {
    switch (v) {
    case LocationSource::Gps:
        return "gps";
    case LocationSource::Map:
        return "map";
    case LocationSource::Geocoded:
        return "geocoded";
    case LocationSource::Imported:
        return "imported";
    }
    return "map";
}

std::string_view to_string(Onset v) {
    return v == Onset::SejakLahir ? "sejak_lahir" : "didapat";
}

std::string_view to_string(Cause v) {
    switch (v) {
    case Cause::Bawaan:
        return "bawaan";
    case Cause::Penyakit:
        return "penyakit";
    case Cause::Kecelakaan:
        return "kecelakaan";
    case Cause::Bencana:
        return "bencana";
    case Cause::Konflik:
        return "konflik";
    case Cause::Lainnya:
        return "lainnya";
    }
    return "lainnya";
}

std::string_view to_string(WgDomain v) {
    switch (v) {
    case WgDomain::Seeing:
        return "seeing";
    case WgDomain::Hearing:
        return "hearing";
    case WgDomain::Walking:
        return "walking";
    case WgDomain::Cognition:
        return "cognition";
    case WgDomain::SelfCare:
        return "self_care";
    case WgDomain::Communication:
        return "communication";
    }
    return "seeing";
}

std::string_view to_string(AccountKind v) {
    return v == AccountKind::Bank ? "bank" : "ewallet";
}

std::optional<Sex> parse_sex(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, Sex>, 8> kTable = {{
        {"L", Sex::Male},
        {"laki-laki", Sex::Male},
        {"lakilaki", Sex::Male},
        {"male", Sex::Male},
        {"m", Sex::Male},
        {"P", Sex::Female},
        {"perempuan", Sex::Female},
        {"female", Sex::Female},
    }};
    if (fold_key(text) == "f" || fold_key(text) == "wanita" || fold_key(text) == "pr") {
        return Sex::Female;
    }
    if (fold_key(text) == "pria" || fold_key(text) == "lk") {
        return Sex::Male;
    }
    return lookup(text, kTable);
}

std::optional<Category> parse_category(std::string_view text) {
    // Codes, UU 8/2016 words, and the legacy "tuna ..." terms found in old spreadsheets
    // (REFERENCE.md §4.2).
    static constexpr std::array<std::pair<std::string_view, Category>, 24> kTable = {{
        {"fisik", Category::Fisik},
        {"daksa", Category::Fisik},
        {"tuna daksa", Category::Fisik},
        {"tunadaksa", Category::Fisik},
        {"cacat tubuh", Category::Fisik},
        {"lumpuh", Category::Fisik},
        {"intelektual", Category::Intelektual},
        {"grahita", Category::Intelektual},
        {"tuna grahita", Category::Intelektual},
        {"mental", Category::Mental},
        {"psikososial", Category::Mental},
        {"tuna laras", Category::Mental},
        {"gangguan jiwa", Category::Mental},
        {"eks psikotik", Category::Mental},
        {"sensorik_netra", Category::SensorikNetra},
        {"netra", Category::SensorikNetra},
        {"tuna netra", Category::SensorikNetra},
        {"buta", Category::SensorikNetra},
        {"sensorik_rungu", Category::SensorikRungu},
        {"rungu", Category::SensorikRungu},
        {"tuna rungu", Category::SensorikRungu},
        {"tuli", Category::SensorikRungu},
        {"sensorik_wicara", Category::SensorikWicara},
        {"wicara", Category::SensorikWicara},
    }};
    if (auto c = lookup(text, kTable)) {
        return c;
    }
    const std::string key = fold_key(text);
    if (key == "tunawicara" || key == "bisu" || key == "sensorikwicara") {
        return Category::SensorikWicara;
    }
    if (key == "sensoriknetra" || key == "disabilitasnetra") {
        return Category::SensorikNetra;
    }
    if (key == "sensorikrungu" || key == "disabilitasrungu") {
        return Category::SensorikRungu;
    }
    if (key == "disabilitasfisik") {
        return Category::Fisik;
    }
    if (key == "disabilitasintelektual") {
        return Category::Intelektual;
    }
    if (key == "disabilitasmental") {
        return Category::Mental;
    }
    return std::nullopt;
}

std::optional<DisabilitySeverity> parse_severity(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, DisabilitySeverity>, 6> kTable = {{
        {"ringan", DisabilitySeverity::Ringan},
        {"mild", DisabilitySeverity::Ringan},
        {"sedang", DisabilitySeverity::Sedang},
        {"moderate", DisabilitySeverity::Sedang},
        {"berat", DisabilitySeverity::Berat},
        {"severe", DisabilitySeverity::Berat},
    }};
    return lookup(text, kTable);
}

std::optional<Status> parse_status(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, Status>, 5> kTable = {{
        {"aktif", Status::Aktif},
        {"pindah", Status::Pindah},
        {"meninggal", Status::Meninggal},
        {"meninggal dunia", Status::Meninggal},
        {"nonaktif", Status::Nonaktif},
    }};
    return lookup(text, kTable);
}

std::optional<LocationSource> parse_location_source(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, LocationSource>, 4> kTable = {{
        {"gps", LocationSource::Gps},
        {"map", LocationSource::Map},
        {"geocoded", LocationSource::Geocoded},
        {"imported", LocationSource::Imported},
    }};
    return lookup(text, kTable);
}

std::optional<Onset> parse_onset(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, Onset>, 2> kTable = {{
        {"sejak_lahir", Onset::SejakLahir},
        {"didapat", Onset::Didapat},
    }};
    return lookup(text, kTable);
}

std::optional<Cause> parse_cause(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, Cause>, 6> kTable = {{
        {"bawaan", Cause::Bawaan},
        {"penyakit", Cause::Penyakit},
        {"kecelakaan", Cause::Kecelakaan},
        {"bencana", Cause::Bencana},
        {"konflik", Cause::Konflik},
        {"lainnya", Cause::Lainnya},
    }};
    return lookup(text, kTable);
}

std::optional<AccountKind> parse_account_kind(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, AccountKind>, 2> kTable = {{
        {"bank", AccountKind::Bank},
        {"ewallet", AccountKind::EWallet},
    }};
    return lookup(text, kTable);
}

std::string_view to_string(ConsentPurpose v) {
    switch (v) {
    case ConsentPurpose::Registration:
        return "registration";
    case ConsentPurpose::SocialAssistance:
        return "social_assistance";
    case ConsentPurpose::Card:
        return "card";
    case ConsentPurpose::DataSharing:
        return "data_sharing";
    case ConsentPurpose::Contact:
        return "contact";
    }
    return "registration";
}

std::optional<ConsentPurpose> parse_consent_purpose(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, ConsentPurpose>, 10> kTable = {{
        {"registration", ConsentPurpose::Registration},
        {"pendataan", ConsentPurpose::Registration},
        {"social_assistance", ConsentPurpose::SocialAssistance},
        {"bansos", ConsentPurpose::SocialAssistance},
        {"card", ConsentPurpose::Card},
        {"kartu", ConsentPurpose::Card},
        {"data_sharing", ConsentPurpose::DataSharing},
        {"berbagi_data", ConsentPurpose::DataSharing},
        {"contact", ConsentPurpose::Contact},
        {"kontak", ConsentPurpose::Contact},
    }};
    return lookup(text, kTable);
}

bool Consent::covers(ConsentPurpose purpose) const {
    if (!given) {
        return false;
    }
    if (purpose == ConsentPurpose::Registration) {
        return true;
    }
    return std::find(purposes.begin(), purposes.end(), purpose) != purposes.end();
}

bool is_assistive_device(std::string_view code) {
    return std::find(kAssistiveDevices.begin(), kAssistiveDevices.end(), code) !=
           kAssistiveDevices.end();
}

bool is_therapy(std::string_view code) {
    return std::find(kTherapies.begin(), kTherapies.end(), code) != kTherapies.end();
}

std::string kecamatan_of(std::string_view kelurahan_code) {
    // PP.KK.CC.NNNN -> PP.KK.CC
    if (kelurahan_code.size() != 13 || kelurahan_code[2] != '.' || kelurahan_code[5] != '.' ||
        kelurahan_code[8] != '.') {
        return {};
    }
    return std::string(kelurahan_code.substr(0, 8));
}

void normalise_categories(std::vector<Category>& categories) {
    std::sort(categories.begin(), categories.end());
    categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
}

bool wgss_identifies_disability(const Person& p) {
    return std::any_of(
        p.wgss.begin(), p.wgss.end(), [](const auto& a) { return a.has_value() && *a >= 3; });
}

} // namespace kapal::core
