#include "kapal/integrity/names.hpp"

#include <gtest/gtest.h>

namespace kapal::integrity {
namespace {

std::string norm(std::string_view written) {
    return joined(normalize_name(written).tokens);
}

TEST(Names, TitlesAndDegreesAreDropped) {
    EXPECT_EQ(norm("H. Ahmad Yani, S.Pd."), "ahmad yani");
    EXPECT_EQ(norm("Hj. Siti Aminah, S.Pd., M.Si."), "siti aminah");
    EXPECT_EQ(norm("Drs. H. Rahmat Hidayat, M.M."), "rahmat hidayat");
    EXPECT_EQ(norm("dr. Yusuf S.H."), "yusuf");
    EXPECT_EQ(norm("Ir. Budi Santoso, S.Kom"), "budi santoso");
    EXPECT_EQ(norm("H.Ahmad"), "ahmad");
    EXPECT_EQ(norm("Ahmad SPd"), "ahmad");
    EXPECT_EQ(norm("Haji"), "haji") << "a title alone is the name";
    EXPECT_EQ(norm("Yani, Ahmad"), "yani ahmad") << "after a comma: not degrees, more name";
}

TEST(Names, BinAndBintiKeepTheFathersNameApart) {
    const auto n = normalize_name("Ahmad bin Yusuf");
    EXPECT_EQ(joined(n.tokens), "ahmad");
    EXPECT_EQ(joined(n.patronym), "yusuf");
    EXPECT_EQ(joined(normalize_name("Siti Aminah binti H. Umar").patronym), "umar");
    EXPECT_EQ(norm("Siti Aminah Bt. Umar"), "siti aminah");
}

TEST(Names, TheMuhammadFamilyIsOneToken) {
    for (const char* written : {"Muhammad Rizal",
                                "Muhamad Rizal",
                                "Mohammad Rizal",
                                "Mochammad Rizal",
                                "Moh. Rizal",
                                "Muh Rizal",
                                "M. Rizal",
                                "Mhd. Rizal"}) {
        EXPECT_EQ(norm(written), "muhammad rizal") << written;
    }
    EXPECT_EQ(norm("M"), "m") << "a lone initial stays";
    EXPECT_EQ(norm("Abd. Rahman"), "abdul rahman");
}

TEST(Names, OldSpellingIsWrittenNew) {
    EXPECT_EQ(norm("Soekarno"), "sukarno");
    EXPECT_EQ(norm("Djoko Tjahjono"), "joko cahjono");
    EXPECT_EQ(norm("Sjamsul"), "syamsul");
    EXPECT_EQ(norm("Njoman"), "nyoman");
    EXPECT_EQ(norm("Choirul Achmad"), "khoirul akhmad");
}

TEST(Names, SpacingPunctuationCaseAndAccentsDoNotMatter) {
    EXPECT_EQ(norm("  SITI   aminah "), "siti aminah");
    EXPECT_EQ(norm("Ma'ruf Amin"), "maruf amin");
    EXPECT_EQ(norm("Ma\xE2\x80\x99ruf"), "maruf");
    EXPECT_EQ(norm("Nur-Aini"), "nur aini");
    EXPECT_EQ(norm("Jos\xC3\xA9"), "jose");
    EXPECT_EQ(norm(""), "");
    EXPECT_EQ(norm("123 !!"), "");
}

TEST(Names, PhoneticKeysJoinCommonVariants) {
    const auto same = [](std::string_view a, std::string_view b) {
        return normalize_name(a).phonetic == normalize_name(b).phonetic;
    };
    EXPECT_TRUE(same("Fatimah", "Patima"));
    EXPECT_TRUE(same("Akhmad", "Ahmad"));
    EXPECT_TRUE(same("Achmad", "Ahmad"));
    EXPECT_TRUE(same("Abdullah", "Abdulah"));
    EXPECT_TRUE(same("Syamsul", "Samsul"));
    EXPECT_TRUE(same("Zainab", "Sainab"));
    EXPECT_TRUE(same("Hendry", "Hendri"));
    EXPECT_TRUE(same("Arif", "Arip"));
    EXPECT_TRUE(same("Taufiq", "Taufik"));
    EXPECT_FALSE(same("Rina", "Rini"));
    EXPECT_FALSE(same("Budi", "Bayu"));
}

} // namespace
} // namespace kapal::integrity
