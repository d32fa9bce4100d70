// bench/card: how many cards a second go into one print PDF, against an anchor of the same run.
//   kapal_bench_card [CARDS] [REPS] [SEED]        defaults 1000 5 42
// CARDS demo persons of Kota Bontang (service::generate_demo_persons over the reference data in
// data/), each given a photo (a small PNG drawn per person) and a card whose credential is
// signed with an Ed25519 key (card::encode_credential). Timed, REPS times each, interleaved:
//   sign    encode_credential for every card (CBOR, Ed25519, zlib, Base45)
//   sheet   render_card_sheet_pdf of every face into one A4 PDF (ceil(CARDS/10)*2 pages)
//   anchor  a plain Cairo PDF of CARDS pages, one line of Pango text on each: the same
//           libraries (Cairo's PDF surface, zlib, Pango, HarfBuzz, font subsetting) doing the
//           least they can, so the ratio sheet/anchor is the cost of our card layout per page
//           of the libraries' own, and moves less with the load of a shared machine than
//           seconds do.
// Before timing, the answer is checked once: every credential verifies with the key and names
// its card's number, the first card's QR code is read back from its rendered front, and the
// sheet is a PDF with the expected number of pages. Prints every repetition and the medians,
// of wall time and of the process's CPU time (single-threaded work: on a shared machine the
// CPU time is the steadier figure).

#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"
#include "kapal/card/qr_decode.hpp"
#include "kapal/card/render.hpp"
#include "kapal/core/person.hpp"
#include "kapal/service/demo_data.hpp"
#include "kapal/service/reference_data.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
namespace card = kapal::card;
namespace core = kapal::core;
namespace service = kapal::service;

/// 2026-11-28T00:00:00Z, and cards valid for five 365-day years.
constexpr std::int64_t kIssuedAt = 1795824000;
constexpr std::int64_t kExpiresAt = kIssuedAt + std::int64_t{5} * 365 * 86400;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// CPU seconds this process has used: on a shared machine it moves less with the load than
/// wall time (the work is single-threaded).
double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

/// Wall and CPU seconds of one call.
struct Timing {
    double wall = 0;
    double cpu = 0;
};

template <class F> Timing timed(F&& f) {
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    f();
    return {seconds_since(t0), cpu_seconds() - c0};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// "28-11-2026" of seconds since the Unix epoch (UTC), as a card prints dates.
std::string card_date(std::int64_t unix_s) {
    const auto t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 16> out{};
    std::strftime(out.data(), out.size(), "%d-%m-%Y", &tm);
    return out.data();
}

void append_bytes(std::vector<std::uint8_t>& out, const unsigned char* data, unsigned int n) {
    out.insert(out.end(), data, data + n);
}

/// A passport-style photo of 240 x 320 px as PNG: a background, shoulders and a head whose
/// colours and size vary with `seed`, so that no two cards share a picture.
std::vector<std::uint8_t> photo_png(std::uint64_t seed) {
    auto channel = [&](int shift) {
        return static_cast<double>((seed >> shift) & 0xff) / 255.0;
    };
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 240, 320);
    cairo_t* cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.55 + 0.4 * channel(0), 0.6 + 0.3 * channel(8), 0.8);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0.2 * channel(16), 0.2 + 0.3 * channel(24), 0.3 + 0.4 * channel(32));
    cairo_arc(cr, 120, 360, 130, 0, 2 * 3.14159265358979);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.45 + 0.3 * channel(40), 0.3 + 0.2 * channel(40), 0.2);
    cairo_save(cr);
    cairo_translate(cr, 120, 140);
    cairo_scale(cr, 1.0, 1.25 + 0.1 * channel(48));
    cairo_arc(cr, 0, 0, 62 + 10 * channel(56), 0, 2 * 3.14159265358979);
    cairo_restore(cr);
    cairo_fill(cr);
    cairo_destroy(cr);
    std::vector<std::uint8_t> png;
    cairo_surface_write_to_png_stream(
        s,
        [](void* closure, const unsigned char* data, unsigned int n) {
            append_bytes(*static_cast<std::vector<std::uint8_t>*>(closure), data, n);
            return CAIRO_STATUS_SUCCESS;
        },
        &png);
    cairo_surface_destroy(s);
    return png;
}

/// The thirteen basic services of the Bontang card (DESIGN.md §2.3).
std::vector<std::string> bontang_services() {
    return {"Pendataan dan pengaduan",
            "Penanganan kedaruratan",
            "Dokumen kependudukan",
            "Bantuan pangan",
            "Bantuan sandang",
            "Alat bantu dan alat kesehatan",
            "Perbekalan kesehatan",
            "Bimbingan sosial bagi keluarga",
            "Akses pendidikan dan layanan kesehatan dasar",
            "Penelusuran daerah asal",
            "Reunifikasi dengan keluarga asal",
            "Rujukan ke layanan profesional lain",
            "Bimbingan fisik, mental, sosial dan spiritual"};
}

struct Cards {
    std::vector<card::Credential> credentials;
    std::vector<card::CardFace> faces; ///< qr_text filled by sign_all
};

/// Credentials and faces (without QR text) of the persons' cards.
Cards prepare(const std::vector<core::Person>& persons, const service::ReferenceData& reference) {
    Cards out;
    const auto services = bontang_services();
    std::uint32_t serial = 1;
    for (const auto& p : persons) {
        const card::CardFacts facts{card::make_card_number("64.74", serial++),
                                    "https://kapal.bontangkota.go.id",
                                    kIssuedAt,
                                    kExpiresAt};
        out.credentials.push_back(card::person_credential(p, facts));
        card::CardFace f;
        f.issuer = "Dinas Sosial dan Pemberdayaan Masyarakat Kota Bontang";
        f.full_name = p.full_name;
        f.card_number = card::format_card_number(facts.card_number);
        const auto* kel = reference.regions.find(p.address.kelurahan_code);
        const auto* kec = reference.regions.find(core::kecamatan_of(p.address.kelurahan_code));
        f.kelurahan = kel != nullptr ? kel->name : p.address.kelurahan_code;
        f.kecamatan = kec != nullptr ? kec->name : "";
        f.categories = p.categories;
        f.valid_from = card_date(kIssuedAt);
        f.valid_until = card_date(kExpiresAt);
        f.photo = photo_png(0x9e3779b97f4a7c15ULL * serial);
        f.verify_url = "https://kapal.bontangkota.go.id/verifikasi";
        f.hotline = "0548-21234";
        f.services = services;
        out.faces.push_back(std::move(f));
    }
    return out;
}

void sign_all(Cards& cards, const card::CardKey& key) {
    for (std::size_t i = 0; i < cards.faces.size(); ++i) {
        cards.faces[i].qr_text = card::encode_credential(cards.credentials[i], key).qr_text;
    }
}

/// The anchor: `pages` pages of ID-1 size in a Cairo PDF, one line of Pango text each.
std::size_t plain_pdf(std::size_t pages) {
    std::vector<std::uint8_t> pdf;
    cairo_surface_t* s = cairo_pdf_surface_create_for_stream(
        [](void* closure, const unsigned char* data, unsigned int n) {
            append_bytes(*static_cast<std::vector<std::uint8_t>*>(closure), data, n);
            return CAIRO_STATUS_SUCCESS;
        },
        &pdf,
        card::kCardWidthMm / 25.4 * 72,
        card::kCardHeightMm / 25.4 * 72);
    cairo_t* cr = cairo_create(s);
    PangoLayout* layout = pango_cairo_create_layout(cr);
    PangoFontDescription* font = pango_font_description_from_string("DejaVu Sans 9");
    pango_layout_set_font_description(layout, font);
    for (std::size_t i = 0; i < pages; ++i) {
        const auto line = "Kartu " + std::to_string(i + 1) + " dari " + std::to_string(pages);
        pango_layout_set_text(layout, line.c_str(), -1);
        cairo_move_to(cr, 12, 12);
        pango_cairo_show_layout(cr, layout);
        cairo_show_page(cr);
    }
    pango_font_description_free(font);
    g_object_unref(layout);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_surface_destroy(s);
    return pdf.size();
}

/// Pages of a PDF: objects "/Type /Page" (not "/Pages").
std::size_t count_pages(const std::vector<std::uint8_t>& pdf) {
    const std::string_view text(reinterpret_cast<const char*>(pdf.data()), pdf.size());
    std::size_t n = 0;
    for (auto at = text.find("/Type /Page"); at != std::string_view::npos;
         at = text.find("/Type /Page", at + 1)) {
        if (at + 11 >= text.size() || text[at + 11] != 's') {
            ++n;
        }
    }
    return n;
}

/// The check before timing. Empty when everything is right, else what is wrong.
std::string
check(const Cards& cards, const card::CardKey& key, const std::vector<std::uint8_t>& sheet) {
    const core::FixedClock clock(core::from_unix_ms(kIssuedAt * 1000));
    const std::vector<card::VerificationKey> keys{card::verification_key(key)};
    for (std::size_t i = 0; i < cards.faces.size(); ++i) {
        const auto r = card::verify_credential(cards.faces[i].qr_text, keys, clock);
        if (r.status != card::VerifyStatus::Valid) {
            return "card " + std::to_string(i) + ": " + std::string(card::to_string(r.status));
        }
        if (card::format_card_number(r.decoded->credential.identity.id) !=
            cards.faces[i].card_number) {
            return "card " + std::to_string(i) + ": the credential names another card number";
        }
    }
    const auto front = card::render_card_png(cards.faces.front(), card::CardSide::Front);
    if (!front) {
        return "front PNG: " + front.error().message;
    }
    const auto read = card::decode_qr(*front);
    if (!read || *read != cards.faces.front().qr_text) {
        return "the first card's QR code does not read back from its PNG";
    }
    const auto want = (cards.faces.size() + card::kCardsPerSheet - 1) / card::kCardsPerSheet * 2;
    if (sheet.size() < 5 ||
        std::string_view(reinterpret_cast<const char*>(sheet.data()), 5) != "%PDF-") {
        return "the sheet is not a PDF";
    }
    if (count_pages(sheet) != want) {
        return "the sheet has " + std::to_string(count_pages(sheet)) + " pages, not " +
               std::to_string(want);
    }
    return {};
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
    const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 42;
    if (n == 0 || reps < 1) {
        std::fprintf(stderr, "usage: kapal_bench_card [CARDS] [REPS] [SEED]\n");
        return 2;
    }
    auto reference = service::load_reference_data(KAPAL_SOURCE_DIR "/data");
    if (!reference) {
        std::fprintf(stderr, "reference data: %s\n", reference.error().message.c_str());
        return 1;
    }
    const auto& ref = **reference;
    std::vector<service::KecamatanPopulation> population;
    for (const auto& p : ref.population) {
        if (p.code.size() == 8 && p.code.rfind(ref.city_code, 0) == 0) {
            population.push_back({p.code, p.population});
        }
    }
    service::DemoOptions options;
    options.persons = n;
    options.seed = seed;
    options.today = core::make_date(2026, 6, 30);
    const auto persons = service::generate_demo_persons(options, *ref.kelurahan, population);

    std::array<std::uint8_t, 32> key_seed{};
    for (std::size_t i = 0; i < key_seed.size(); ++i) {
        key_seed[i] = static_cast<std::uint8_t>(seed * 31 + i);
    }
    const auto key = card::card_key_from_seed(key_seed);
    auto cards = prepare(persons, ref);
    sign_all(cards, key);
    auto sheet = card::render_card_sheet_pdf(cards.faces);
    if (!sheet) {
        std::fprintf(stderr, "sheet: %s\n", sheet.error().message.c_str());
        return 1;
    }
    if (const auto wrong = check(cards, key, *sheet); !wrong.empty()) {
        std::fprintf(stderr, "check failed: %s\n", wrong.c_str());
        return 1;
    }
    std::size_t qr_chars = 0;
    for (const auto& f : cards.faces) {
        qr_chars += f.qr_text.size();
    }
    std::printf("%zu cards (seed %llu): checked (every credential verifies, the first QR reads "
                "back from its PNG, %zu pages)\n",
                n,
                static_cast<unsigned long long>(seed),
                count_pages(*sheet));
    std::printf("QR text %.0f characters on average; sheet PDF %zu bytes (%.1f KB a card)\n",
                static_cast<double>(qr_chars) / static_cast<double>(n),
                sheet->size(),
                static_cast<double>(sheet->size()) / 1000.0 / static_cast<double>(n));
    std::fflush(stdout);

    std::vector<Timing> sign_t, sheet_t, anchor_t;
    std::size_t anchor_bytes = 0;
    bool same = true;
    for (int r = 0; r < reps; ++r) {
        sign_t.push_back(timed([&] { sign_all(cards, key); }));
        sheet_t.push_back(timed([&] {
            const auto pdf = card::render_card_sheet_pdf(cards.faces);
            same = same && pdf && pdf->size() == sheet->size();
        }));
        anchor_t.push_back(timed([&] { anchor_bytes = plain_pdf(n); }));
        std::printf("rep %d (wall/CPU s): sign %.3f/%.3f, sheet %.3f/%.3f, anchor %.3f/%.3f\n",
                    r + 1,
                    sign_t.back().wall,
                    sign_t.back().cpu,
                    sheet_t.back().wall,
                    sheet_t.back().cpu,
                    anchor_t.back().wall,
                    anchor_t.back().cpu);
        std::fflush(stdout);
    }
    if (!same) {
        std::fprintf(stderr, "a repetition gave another sheet\n");
        return 1;
    }
    const auto med = [](const std::vector<Timing>& ts, bool cpu) {
        std::vector<double> v;
        for (const auto& t : ts) {
            v.push_back(cpu ? t.cpu : t.wall);
        }
        return median(v);
    };
    const auto per_s = [n](double s) {
        return static_cast<double>(n) / s;
    };
    std::printf("medians of %d:\n", reps);
    for (const bool cpu : {false, true}) {
        const double sign = med(sign_t, cpu);
        const double render = med(sheet_t, cpu);
        const double anchor = med(anchor_t, cpu);
        const char* what = cpu ? "CPU " : "wall";
        std::printf("  %s sign   %.3f s = %.0f credentials/s\n", what, sign, per_s(sign));
        std::printf("  %s sheet  %.3f s = %.1f cards/s (%.2f ms a card); with signing %.1f "
                    "cards/s\n",
                    what,
                    render,
                    per_s(render),
                    render * 1000 / static_cast<double>(n),
                    per_s(sign + render));
        std::printf("  %s anchor %.3f s = %.0f plain pages/s (%zu bytes)\n",
                    what,
                    anchor,
                    per_s(anchor),
                    anchor_bytes);
        std::printf("  %s ratio sheet/anchor %.1f (time per card / time per plain page)\n",
                    what,
                    render / anchor);
    }
    return 0;
}
