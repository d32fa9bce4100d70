#include "kapal/app/application.hpp"
#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>

namespace kapal::cli {
namespace {

std::string unix_time(const std::optional<std::int64_t>& s) {
    return s ? core::format_timestamp(core::from_unix_ms(*s * 1000)) : std::string("-");
}

void print_credential(const card::DecodedCredential& d) {
    const auto& c = d.credential;
    const auto& id = c.identity;
    auto number = card::parse_card_number(id.id);
    std::cout << "  card number:   " << (number ? card::format_card_number(*number) : id.id)
              << (number || id.id.empty() ? "" : " (not a Kapal card number)") << "\n"
              << "  name:          " << id.full_name << "\n"
              << "  date of birth: " << id.date_of_birth << "\n"
              << "  gender:        "
              << (id.gender ? (*id.gender == 1   ? "L"
                               : *id.gender == 2 ? "P"
                                                 : "other")
                            : "-")
              << "\n";
    if (!id.address.empty()) {
        std::string address = id.address;
        for (auto& ch : address) {
            ch = ch == '\n' ? ',' : ch;
        }
        std::cout << "  address:       " << address << "\n";
    }
    if (c.kapal) {
        std::cout << "  kelurahan:     " << c.kapal->kelurahan_code << "\n  categories:   ";
        for (const auto category : c.kapal->categories) {
            std::cout << " " << core::to_string(category);
        }
        std::cout << "\n  needs:        ";
        for (const auto& need : card::need_codes(c.kapal->needs)) {
            std::cout << " " << need;
        }
        std::cout << "\n";
    }
    std::cout << "  issuer:        " << (c.cwt.issuer.empty() ? "-" : c.cwt.issuer) << "\n"
              << "  issued:        " << unix_time(c.cwt.issued_at) << "\n"
              << "  expires:       " << unix_time(c.cwt.expires_at) << "\n"
              << "  key id:        " << (d.kid.empty() ? "-" : d.kid) << "\n";
}

} // namespace

void add_card(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("card", "The card: verify the credential in a card's QR code");
    cmd->require_subcommand(1);

    struct Opts {
        std::string dir, qr;
    };

    auto o = std::make_shared<Opts>();
    auto* verify = cmd->add_subcommand(
        "verify",
        "Verify the text of a card's QR code with this instance's card keys (current and "
        "retired); exit 0 only when valid");
    verify->add_option("--data", o->dir, "Data directory")->required();
    verify->add_option("--qr", o->qr, "The QR code's text (Base45)")->required();
    verify->callback([&action, o] {
        action = [o] {
            auto a = app::Application::open(o->dir);
            if (!a) {
                return report_error(a.error());
            }
            const auto keys = card::verification_keys((*a)->card_keys());
            const auto r = card::verify_credential(o->qr, keys, (*a)->clock());
            std::cout << card::to_string(r.status);
            if (!r.where.empty() || !r.what.empty()) {
                std::cout << " (" << r.where << (r.where.empty() ? "" : ": ") << r.what << ")";
            }
            std::cout << "\n";
            if (r.decoded) {
                print_credential(*r.decoded);
            }
            return r.status == card::VerifyStatus::Valid ? 0 : 1;
        };
    });
}

} // namespace kapal::cli
