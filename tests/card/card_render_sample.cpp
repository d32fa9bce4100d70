// Renders the worked example of docs/card-format.md (tests/card/card_example.hpp) as a card:
//   kapal_card_render_sample OUTDIR [CARDS]
// writes OUTDIR/card-front.png, card-back.png, card.pdf and sheet.pdf (CARDS copies, default
// 10) and prints how long each took. docs/images/card-front.png and card-back.png come from it.

#include "kapal/card/render.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "card/card_example.hpp"

namespace {

bool save(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
}

} // namespace

int main(int argc, char** argv) {
    using namespace kapal::card;
    if (argc < 2) {
        std::cerr << "usage: kapal_card_render_sample OUTDIR [CARDS]\n";
        return 64;
    }
    const std::string dir = argv[1];
    const std::size_t cards = argc > 2 ? std::stoul(argv[2]) : 10;

    const auto credential = example::credential();
    CardFace face;
    face.issuer = "Dinas Sosial dan Pemberdayaan Masyarakat Kota Bontang";
    face.full_name = credential.identity.full_name;
    face.card_number = format_card_number(credential.identity.id);
    face.kelurahan = "Guntung";
    face.kecamatan = "Bontang Utara";
    face.categories = credential.kapal->categories;
    face.valid_from = "28-11-2026";
    face.valid_until = "27-11-2031";
    face.qr_text = encode_credential(credential, example::key()).qr_text;
    face.verify_url = "https://kapal.bontangkota.go.id/verifikasi";
    face.hotline = "0548-21234";
    face.services = {"Pendataan dan pengaduan",
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

    using Clock = std::chrono::steady_clock;
    auto timed = [](const char* what, auto&& make) {
        const auto start = Clock::now();
        auto result = make();
        const auto ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        std::cout << what << ": " << ms << " ms\n";
        return result;
    };
    const auto front = timed("front PNG", [&] { return render_card_png(face, CardSide::Front); });
    const auto back = timed("back PNG", [&] { return render_card_png(face, CardSide::Back); });
    const auto pdf = timed("card PDF", [&] { return render_card_pdf(face); });
    const std::vector<CardFace> faces(cards, face);
    const auto sheet = timed("sheet PDF", [&] { return render_card_sheet_pdf(faces); });
    for (const auto* r : {&front, &back, &pdf, &sheet}) {
        if (!*r) {
            std::cerr << r->error().message << "\n";
            return 65;
        }
    }
    const bool ok = save(dir + "/card-front.png", *front) && save(dir + "/card-back.png", *back) &&
                    save(dir + "/card.pdf", *pdf) && save(dir + "/sheet.pdf", *sheet);
    std::cout << cards << " cards on " << (cards + 9) / 10 * 2 << " pages, " << sheet->size()
              << " bytes\n";
    return ok ? 0 : 74;
}
