#include "kapal/service/service_desk.hpp"

#include "kapal/card/card_number.hpp"
#include "kapal/core/user.hpp"
#include "kapal/store/store_codec.hpp"

#include <algorithm>
#include <utility>

namespace kapal::service {

namespace {

Result<void> admin_only(const Actor& actor) {
    if (actor.role && *actor.role != core::Role::Admin) {
        return fail(ErrorCode::Forbidden, "only admins edit the service catalogue");
    }
    return {};
}

Result<void> writers_only(const Actor& actor) {
    if (actor.role && *actor.role != core::Role::Admin && *actor.role != core::Role::Operator) {
        return fail(ErrorCode::Forbidden, "only admins and operators record service requests");
    }
    return {};
}

} // namespace

std::vector<store::ServiceRecord> default_services() {
    struct Entry {
        const char* code;
        const char* name;
        const char* name_en;
    };

    static constexpr Entry kEntries[] = {
        {"data_pengaduan", "Pendataan dan pengaduan", "Data and complaints"},
        {"kedaruratan", "Penanganan kedaruratan", "Emergency help"},
        {"dokumen_kependudukan", "Dokumen kependudukan", "Civil identity documents"},
        {"pangan", "Bantuan pangan", "Food"},
        {"sandang", "Bantuan sandang", "Clothing"},
        {"alat_bantu", "Alat bantu dan alat kesehatan", "Assistive and health devices"},
        {"perbekalan_kesehatan", "Perbekalan kesehatan", "Health supplies"},
        {"bimbingan_keluarga", "Bimbingan sosial bagi keluarga", "Social guidance for the family"},
        {"akses_pendidikan_kesehatan",
         "Akses layanan pendidikan dan kesehatan dasar",
         "Access to basic education and health care"},
        {"penelusuran_asal", "Penelusuran asal-usul", "Tracing the person's home region"},
        {"reunifikasi", "Reunifikasi keluarga", "Reunification with the family"},
        {"rujukan",
         "Rujukan ke layanan profesional lain",
         "Referral to other professional services"},
        {"bimbingan_fisik_mental_sosial_spiritual",
         "Bimbingan fisik, mental, sosial dan spiritual",
         "Physical, mental, social and spiritual guidance"},
    };
    std::vector<store::ServiceRecord> out;
    std::int64_t position = 1;
    for (const Entry& e : kEntries) {
        store::ServiceRecord s;
        s.code = e.code;
        s.name = e.name;
        s.name_en = e.name_en;
        s.position = position++;
        out.push_back(std::move(s));
    }
    return out;
}

ServiceDesk::ServiceDesk(store::Store& store,
                         PersonService& persons,
                         CardService& cards,
                         const core::Clock& clock,
                         core::IdGenerator& ids)
    : store_(store)
    , persons_(persons)
    , cards_(cards)
    , clock_(clock)
    , ids_(ids) {}

store::WriteContext ServiceDesk::context(const Actor& actor) const {
    return {actor.id, actor.source, clock_.now(), {}};
}

Result<std::vector<store::ServiceRecord>> ServiceDesk::catalogue() {
    return store_.list_services();
}

Result<int> ServiceDesk::seed(const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(current, store_.list_services());
    if (!current.empty()) {
        return 0;
    }
    auto defaults = default_services();
    KAPAL_TRY(store_.add_services(defaults, context(actor)));
    return static_cast<int>(defaults.size());
}

Result<void> ServiceDesk::add(const store::ServiceRecord& service, const Actor& actor) {
    KAPAL_TRY(admin_only(actor));
    return store_.add_services({service}, context(actor));
}

Result<void> ServiceDesk::update(const store::ServiceRecord& service, const Actor& actor) {
    KAPAL_TRY(admin_only(actor));
    return store_.update_service(service, context(actor));
}

Result<store::ServiceRequestOutcome> ServiceDesk::open(const core::PersonId& person,
                                                       const std::string& service_code,
                                                       const std::string& note,
                                                       const Actor& actor,
                                                       const std::string& idempotency_key) {
    KAPAL_TRY(writers_only(actor));
    KAPAL_ASSIGN_OR_RETURN(record, persons_.get(person, actor));
    const store::WriteContext ctx = context(actor);
    store::ServiceRequestRecord request;
    request.id = ids_.next(ctx.at);
    request.person_id = person.str();
    request.service_code = service_code;
    request.kelurahan_code = record.person.address.kelurahan_code;
    request.note = note;
    request.idempotency_key = idempotency_key;
    return store_.create_service_request(request, ctx);
}

Result<store::ServiceRequestOutcome> ServiceDesk::open_by_card(std::string_view qr_text,
                                                               const std::string& service_code,
                                                               const std::string& note,
                                                               const Actor& actor,
                                                               const std::string& idempotency_key) {
    KAPAL_TRY(writers_only(actor));
    KAPAL_ASSIGN_OR_RETURN(checked, cards_.check(qr_text));
    if (checked.result.status != card::VerifyStatus::Valid || !checked.record) {
        const std::string status(card::to_string(checked.result.status));
        const std::string what = checked.record ? status : status + ", not a card of this registry";
        return fail(ErrorCode::CredentialMalformed,
                    "the card does not open services: " + what,
                    {{"qr", ErrorCode::CredentialMalformed, what}});
    }
    KAPAL_ASSIGN_OR_RETURN(record, persons_.get(core::PersonId(checked.record->person_id), actor));
    const store::WriteContext ctx = context(actor);
    store::ServiceRequestRecord request;
    request.id = ids_.next(ctx.at);
    request.person_id = record.id.str();
    request.service_code = service_code;
    request.kelurahan_code = record.person.address.kelurahan_code;
    request.card_number = checked.record->number;
    request.note = note;
    request.idempotency_key = idempotency_key;
    return store_.create_service_request(request, ctx);
}

Result<store::ServiceRequestRecord> ServiceDesk::advance(const std::string& id,
                                                         std::int64_t expected_version,
                                                         const std::string& status,
                                                         const std::string& note,
                                                         const Actor& actor) {
    KAPAL_TRY(writers_only(actor));
    if (std::find(store::kServiceRequestStatuses.begin(),
                  store::kServiceRequestStatuses.end(),
                  status) == store::kServiceRequestStatuses.end()) {
        return fail(
            ErrorCode::InvalidArgument,
            "unknown status " + status,
            {{"status", ErrorCode::InvalidArgument, "diproses, selesai, ditolak or dibatalkan"}});
    }
    KAPAL_TRY(get(id, actor));
    return store_.update_service_request(id, expected_version, status, note, context(actor));
}

Result<store::ServiceRequestRecord> ServiceDesk::get(const std::string& id, const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(found, store_.get_service_request(id));
    if (!found) {
        return fail(ErrorCode::NotFound, "no service request " + id);
    }
    // Scope follows the person as they are now (a request moves with a person who moved).
    auto person = persons_.get(core::PersonId(found->person_id), actor);
    if (!person) {
        return fail(ErrorCode::NotFound, "no service request " + id);
    }
    return std::move(*found);
}

Result<std::vector<store::ServiceRequestRecord>>
ServiceDesk::person_requests(const core::PersonId& person, const Actor& actor) {
    KAPAL_TRY(persons_.get(person, actor));
    return store_.person_service_requests(person);
}

} // namespace kapal::service
