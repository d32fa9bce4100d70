#include "kapal/app/application.hpp"
#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"
#include "kapal/card/qr_decode.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/card_service.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>

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

std::string time_or_dash(const std::optional<core::Timestamp>& t) {
    return t ? core::format_timestamp(*t) : std::string("-");
}

/// One line per card: number, state, stage, kelurahan, issued, expires, and why it ended.
void print_card_line(const store::CardRecord& c, core::Timestamp now) {
    std::cout << card::format_card_number(c.number) << "  " << service::card_state(c, now);
    if (c.status == "active") {
        std::cout << " ("
                  << (c.handed_over_at ? "handed over"
                      : c.printed_at   ? "printed, to hand over"
                                       : "to print")
                  << ")";
    }
    std::cout << "  person " << c.person_id << "  " << c.kelurahan_code << "  issued "
              << core::format_timestamp(c.issued_at) << "  expires "
              << core::format_timestamp(c.expires_at);
    if (c.status == "revoked") {
        std::cout << "  revoked " << time_or_dash(c.revoked_at) << " (" << c.revoke_reason
                  << (c.revoke_note.empty() ? "" : ": " + c.revoke_note) << ")";
        if (!c.replaced_by.empty()) {
            std::cout << " replaced by " << card::format_card_number(c.replaced_by);
        }
    }
    std::cout << "\n";
}

} // namespace

void add_card(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "card", "The card: issue, reissue, revoke, list, the revocation list, and verify a QR");
    cmd->require_subcommand(1);

    struct Opts {
        std::string dir, qr, image;
    };

    auto o = std::make_shared<Opts>();
    auto* verify = cmd->add_subcommand(
        "verify",
        "Verify the text of a card's QR code with this instance's card keys (current and "
        "retired); exit 0 only when valid");
    verify->add_option("--data", o->dir, "Data directory")->required();
    auto* qr = verify->add_option("--qr", o->qr, "The QR code's text (Base45)");
    verify->add_option("--image", o->image, "A picture (PNG or JPEG) of the card or its QR code")
        ->excludes(qr)
        ->check(CLI::ExistingFile);
    verify->callback([&action, o] {
        action = [o] {
            auto a = app::Application::open(o->dir);
            if (!a) {
                return report_error(a.error());
            }
            std::string text = o->qr;
            if (!o->image.empty()) {
                std::ifstream in(o->image, std::ios::binary);
                const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
                auto decoded = card::decode_qr(bytes);
                if (!decoded) {
                    return report_error(decoded.error());
                }
                text = std::move(*decoded);
            } else if (text.empty()) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "give --qr or --image",
                                          {{"--qr", ErrorCode::InvalidArgument, "or --image"}}});
            }
            auto checked = (*a)->cards().check(text);
            if (!checked) {
                return report_error(checked.error());
            }
            const auto& r = checked->result;
            std::cout << card::to_string(r.status);
            if (!r.where.empty() || !r.what.empty()) {
                std::cout << " (" << r.where << (r.where.empty() ? "" : ": ") << r.what << ")";
            }
            std::cout << "\n";
            if (r.decoded) {
                print_credential(*r.decoded);
            }
            if (checked->record) {
                std::cout << "  registry:      ";
                print_card_line(*checked->record, (*a)->clock().now());
            }
            return r.status == card::VerifyStatus::Valid ? 0 : 1;
        };
    });

    struct LifeOpts {
        std::string dir, person, reissue, number, reason, note, stage, kelurahan, out;
    };

    auto l = std::make_shared<LifeOpts>();

    auto* issue = cmd->add_subcommand(
        "issue", "Issue a person's card (signed with the current card key); print its number");
    issue->add_option("--data", l->dir, "Data directory")->required();
    issue->add_option("--person", l->person, "The person's id")->required();
    issue->add_option("--reissue",
                      l->reissue,
                      "Replace the active card, revoking it for this reason (hilang, rusak, ...)");
    issue->callback([&action, l] {
        action = [l] {
            auto a = app::Application::open(l->dir);
            if (!a) {
                return report_error(a.error());
            }
            auto card = (*a)->cards().issue(
                core::PersonId(l->person), app::Application::cli_actor(), l->reissue);
            if (!card) {
                return report_error(card.error());
            }
            std::cout << "issued card " << card::format_card_number(card->number) << " to "
                      << card->person_id << ", valid until "
                      << core::format_timestamp(card->expires_at) << "\n";
            return 0;
        };
    });

    auto* revoke = cmd->add_subcommand("revoke", "Revoke a card");
    revoke->add_option("--data", l->dir, "Data directory")->required();
    revoke->add_option("--card", l->number, "Card number (dashes optional)")->required();
    revoke
        ->add_option("--reason",
                     l->reason,
                     "meninggal, pindah, penipuan, hilang, rusak, reissue, nonaktif or lainnya")
        ->required();
    revoke->add_option("--note", l->note, "Free text kept with the revocation");
    revoke->callback([&action, l] {
        action = [l] {
            auto a = app::Application::open(l->dir);
            if (!a) {
                return report_error(a.error());
            }
            auto card =
                (*a)->cards().revoke(l->number, l->reason, l->note, app::Application::cli_actor());
            if (!card) {
                return report_error(card.error());
            }
            std::cout << "revoked card " << card::format_card_number(card->number) << " ("
                      << card->revoke_reason << ")\n";
            return 0;
        };
    });

    auto* list = cmd->add_subcommand(
        "list", "A person's cards (--person), or the print queue (--stage, --kelurahan)");
    list->add_option("--data", l->dir, "Data directory")->required();
    auto* person = list->add_option("--person", l->person, "One person's cards, newest first");
    list->add_option("--stage", l->stage, "to_print, to_hand_over or handed_over")
        ->excludes(person);
    list->add_option("--kelurahan", l->kelurahan, "Cards of this area code")->excludes(person);
    list->callback([&action, l] {
        action = [l] {
            auto a = app::Application::open(l->dir);
            if (!a) {
                return report_error(a.error());
            }
            const auto actor = app::Application::cli_actor();
            std::vector<store::CardRecord> cards;
            if (!l->person.empty()) {
                auto history = (*a)->cards().history(core::PersonId(l->person), actor);
                if (!history) {
                    return report_error(history.error());
                }
                cards = std::move(*history);
            } else {
                store::CardQuery query;
                query.limit = 100'000;
                if (!l->stage.empty()) {
                    query.stage = service::parse_card_stage(l->stage);
                    if (!query.stage) {
                        return report_error(Error{ErrorCode::InvalidArgument,
                                                  "unknown stage " + l->stage,
                                                  {{"--stage",
                                                    ErrorCode::InvalidArgument,
                                                    "to_print, to_hand_over or handed_over"}}});
                    }
                }
                if (!l->kelurahan.empty()) {
                    query.area_codes = {l->kelurahan};
                }
                auto found = (*a)->cards().list(query, actor);
                if (!found) {
                    return report_error(found.error());
                }
                cards = std::move(*found);
            }
            for (const auto& c : cards) {
                print_card_line(c, (*a)->clock().now());
            }
            return 0;
        };
    });

    struct RenderOpts {
        std::string dir, person, number, out, side = "front", kelurahan, stage = "to_print";
    };

    auto r = std::make_shared<RenderOpts>();
    auto* render = cmd->add_subcommand(
        "render", "A card as PNG (one side, 300 dpi) or PDF (both sides), by the file's extension");
    render->add_option("--data", r->dir, "Data directory")->required();
    auto* by_person = render->add_option("--person", r->person, "The person's active card");
    render->add_option("--card", r->number, "A card by number")->excludes(by_person);
    render->add_option("--out", r->out, "FILE.png or FILE.pdf")->required();
    render->add_option("--side", r->side, "front or back (PNG)")
        ->check(CLI::IsMember({"front", "back"}));
    render->callback([&action, r] {
        action = [r] {
            auto a = app::Application::open(r->dir);
            if (!a) {
                return report_error(a.error());
            }
            const auto actor = app::Application::cli_actor();
            std::string number = r->number;
            if (!r->person.empty()) {
                auto history = (*a)->cards().history(core::PersonId(r->person), actor);
                if (!history) {
                    return report_error(history.error());
                }
                const auto active =
                    std::find_if(history->begin(), history->end(), [](const auto& c) {
                        return c.status == "active";
                    });
                if (active == history->end()) {
                    return report_error(
                        Error{ErrorCode::NotFound,
                              "person " + r->person + " holds no active card",
                              {{"--person", ErrorCode::NotFound, "issue one first"}}});
                }
                number = active->number;
            } else if (number.empty()) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "give --person or --card",
                                          {{"--person", ErrorCode::InvalidArgument, "or --card"}}});
            }
            const bool pdf = r->out.size() > 4 && r->out.substr(r->out.size() - 4) == ".pdf";
            const bool png = r->out.size() > 4 && r->out.substr(r->out.size() - 4) == ".png";
            if (!pdf && !png) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "--out must end in .png or .pdf",
                                          {{"--out", ErrorCode::InvalidArgument, ".png or .pdf"}}});
            }
            std::optional<card::CardSide> side;
            if (png) {
                side = r->side == "back" ? card::CardSide::Back : card::CardSide::Front;
            }
            auto bytes = (*a)->cards().render(number, side, actor);
            if (!bytes) {
                return report_error(bytes.error());
            }
            return write_output(std::string(bytes->begin(), bytes->end()), r->out);
        };
    });

    auto* sheet = cmd->add_subcommand(
        "sheet", "A4 print sheets (10 cards a page, crop marks, backs for duplex) of a kelurahan");
    sheet->add_option("--data", r->dir, "Data directory")->required();
    sheet->add_option("--kelurahan", r->kelurahan, "Area code: its cards")->required();
    sheet->add_option("--stage", r->stage, "to_print (default), to_hand_over or handed_over")
        ->check(CLI::IsMember({"to_print", "to_hand_over", "handed_over"}));
    sheet->add_option("--out", r->out, "FILE.pdf")->required();
    sheet->callback([&action, r] {
        action = [r] {
            auto a = app::Application::open(r->dir);
            if (!a) {
                return report_error(a.error());
            }
            store::CardQuery query;
            query.stage = service::parse_card_stage(r->stage);
            query.area_codes = {r->kelurahan};
            auto pdf = (*a)->cards().sheet(query, app::Application::cli_actor());
            if (!pdf) {
                return report_error(pdf.error());
            }
            return write_output(std::string(pdf->begin(), pdf->end()), r->out);
        };
    });

    auto* revocations = cmd->add_subcommand(
        "revocations",
        "Write the signed revocation list (what /.well-known/kapal-revocations serves)");
    revocations->add_option("--data", l->dir, "Data directory")->required();
    revocations->add_option("--out", l->out, "File to write (default: standard output)");
    revocations->callback([&action, l] {
        action = [l] {
            auto a = app::Application::open(l->dir);
            if (!a) {
                return report_error(a.error());
            }
            auto signed_list = (*a)->cards().revocation_list();
            if (!signed_list) {
                return report_error(signed_list.error());
            }
            return write_output(std::string(signed_list->begin(), signed_list->end()), l->out);
        };
    });
}

} // namespace kapal::cli
