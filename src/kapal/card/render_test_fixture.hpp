#pragma once
// Shared by the card_render tests: a signed credential of a Bontang registrant, the card face
// that shows it, and PNG <-> Cairo surface helpers for looking at pixels.

#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"
#include "kapal/card/render.hpp"

#include <cairo.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace kapal::card::fixture {

/// 2026-11-28T00:00:00Z: the fixed issue instant; cards run five 365-day years.
inline constexpr std::int64_t kIssuedAt = 1795824000;
inline constexpr std::int64_t kExpiresAt = kIssuedAt + std::int64_t{5} * 365 * 86400;

/// A fixed test signing key.
inline CardKey key() {
    std::array<std::uint8_t, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) {
        seed[i] = static_cast<std::uint8_t>(0x40 + 3 * i);
    }
    return card_key_from_seed(seed);
}

/// A fictional registrant of Guntung, Bontang Utara.
inline core::Person person() {
    core::Person p;
    p.nik = "6474014107850003";
    p.full_name = "Siti Nurhaliza binti Abdul Rahman";
    p.sex = core::Sex::Female;
    p.birth_date = core::make_date(1985, 7, 1);
    p.address = {"Jl. Brigjend Katamso Gg. Mawar No. 27", "012", "004", "64.74.01.1003"};
    p.categories = {core::Category::Fisik, core::Category::SensorikRungu};
    p.assistive_devices = {"kursi_roda", "alat_bantu_dengar"};
    p.therapies = {"fisioterapi"};
    return p;
}

inline Credential credential(const core::Person& p, std::uint32_t serial = 1234) {
    return person_credential(p,
                             CardFacts{make_card_number("64.74", serial),
                                       "https://kapal.bontangkota.go.id",
                                       kIssuedAt,
                                       kExpiresAt});
}

/// The thirteen basic services of the Bontang card (DESIGN.md §2.3).
inline std::vector<std::string> bontang_services() {
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

/// The face of a person's card with the given QR text.
inline CardFace face(const core::Person& p, const Credential& c, std::string qr_text) {
    CardFace f;
    f.issuer = "Dinas Sosial dan Pemberdayaan Masyarakat Kota Bontang";
    f.full_name = p.full_name;
    f.card_number = format_card_number(c.identity.id);
    f.kelurahan = "Guntung";
    f.kecamatan = "Bontang Utara";
    f.categories = p.categories;
    f.valid_from = "28-11-2026";
    f.valid_until = "27-11-2031";
    f.qr_text = std::move(qr_text);
    f.verify_url = "https://kapal.bontangkota.go.id/verifikasi";
    f.hotline = "0548-21234";
    f.services = bontang_services();
    return f;
}

/// The default face: person(), signed with key().
inline CardFace face() {
    const auto p = person();
    const auto c = credential(p);
    return face(p, c, encode_credential(c, key()).qr_text);
}

struct SurfaceFree {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};

using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceFree>;

/// A PNG read back with Cairo (an image surface; check its status).
inline SurfacePtr read_png(const std::vector<std::uint8_t>& png) {
    struct Reader {
        const std::vector<std::uint8_t>* bytes;
        std::size_t offset;
    } reader{&png, 0};

    auto read = [](void* closure, unsigned char* data, unsigned int length) {
        auto* r = static_cast<Reader*>(closure);
        if (r->bytes->size() - r->offset < length) {
            return CAIRO_STATUS_READ_ERROR;
        }
        std::memcpy(data, r->bytes->data() + r->offset, length);
        r->offset += length;
        return CAIRO_STATUS_SUCCESS;
    };
    return SurfacePtr(cairo_image_surface_create_from_png_stream(read, &reader));
}

/// A surface written as PNG.
inline std::vector<std::uint8_t> write_png(cairo_surface_t* surface) {
    std::vector<std::uint8_t> out;
    cairo_surface_write_to_png_stream(
        surface,
        [](void* closure, const unsigned char* data, unsigned int length) {
            auto* o = static_cast<std::vector<std::uint8_t>*>(closure);
            o->insert(o->end(), data, data + length);
            return CAIRO_STATUS_SUCCESS;
        },
        &out);
    return out;
}

/// The colour of a pixel as 0xRRGGBB (opaque surfaces).
inline std::uint32_t pixel(cairo_surface_t* s, int x, int y) {
    cairo_surface_flush(s);
    const unsigned char* row = cairo_image_surface_get_data(s) +
                               static_cast<std::ptrdiff_t>(y) * cairo_image_surface_get_stride(s);
    std::uint32_t p = 0;
    std::memcpy(&p, row + static_cast<std::ptrdiff_t>(4) * x, 4);
    return p & 0xffffffU;
}

/// Millimetres on the card to PNG pixels at 300 dpi.
inline int px(double mm) {
    return static_cast<int>(mm * kCardDpi / 25.4);
}

} // namespace kapal::card::fixture
