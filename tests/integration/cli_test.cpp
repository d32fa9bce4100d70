// The `kapal` command line: init, demo-data, import, export, template, check.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

std::string slurp(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t count_lines(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Cli, InitRefusesToOverwriteAndKeepsKeysPrivate) {
    KapalServer server;
    std::vector<std::string> init = {kapal_binary(), "init", "--data", server.dir()};
    const auto store = server.store_args();
    init.insert(init.end(), store.begin(), store.end());
    const auto again = run(init);
    EXPECT_NE(again.exit_code, 0);
    EXPECT_NE(again.output.find("already"), std::string::npos) << again.output;

    struct stat st {};

    ASSERT_EQ(::stat((server.dir() + "/keys/data.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);

    // A key others may read is refused, with the fix in the message (like ssh).
    ASSERT_EQ(::chmod((server.dir() + "/keys/index.key").c_str(), 0644), 0);
    const auto refused = server.cli({"check"});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.output.find("chmod 600"), std::string::npos) << refused.output;
    ASSERT_EQ(::chmod((server.dir() + "/keys/index.key").c_str(), 0600), 0);
    EXPECT_EQ(server.cli({"check"}).exit_code, 0);
}

TEST(Cli, InitPrintsTheFirstAdminAndUsersAreManagedFromTheCommandLine) {
    KapalServer server; // kapal init
    const auto& init = server.init_output();
    EXPECT_NE(init.find("user 'admin', password '"), std::string::npos) << init;
    const auto added = server.cli({"user",
                                   "add",
                                   "--username",
                                   "Operator.Utara",
                                   "--role",
                                   "operator",
                                   "--area",
                                   "64.74.01"});
    ASSERT_EQ(added.exit_code, 0) << added.output;
    EXPECT_NE(added.output.find("Password (shown only now): "), std::string::npos);
    const auto no_area = server.cli({"user", "add", "--username", "viewer2", "--role", "viewer"});
    EXPECT_NE(no_area.exit_code, 0);
    EXPECT_NE(no_area.output.find("user.area_invalid"), std::string::npos) << no_area.output;
    ASSERT_EQ(server.cli({"user", "disable", "--username", "operator.utara"}).exit_code, 0);
    const auto list = server.cli({"user", "list"});
    EXPECT_NE(list.output.find("admin\tadmin\t*\tactive"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("operator.utara\toperator\t64.74.01\tdisabled"), std::string::npos)
        << list.output;
    // the store holds Argon2id hashes, never the printed passwords
    const auto hashes = server.sql("SELECT password_hash FROM users");
    EXPECT_NE(hashes.find("$argon2id$"), std::string::npos) << hashes;
    const auto printed = init.substr(init.find("password '") + 10, 24);
    EXPECT_EQ(hashes.find(printed), std::string::npos);
    EXPECT_EQ(server.store_contents().find(printed), std::string::npos);
}

TEST(Cli, DemoDataIsDeterministicAndIdempotent) {
    KapalServer server;
    const auto first = server.cli({"demo-data", "--persons", "300", "--seed", "5"});
    ASSERT_EQ(first.exit_code, 0) << first.output;
    EXPECT_NE(first.output.find("300 persons added"), std::string::npos) << first.output;
    const auto second = server.cli({"demo-data", "--persons", "300", "--seed", "5"});
    EXPECT_NE(second.output.find("0 persons added, 300 already present"), std::string::npos)
        << second.output;
    EXPECT_NE(server.cli({"check"}).output.find("300 persons"), std::string::npos);
}

TEST(Cli, DuplicatesScanQueuesTheDemoDataNearDuplicatesOnce) {
    KapalServer server;
    ASSERT_EQ(server.cli({"demo-data", "--persons", "300", "--seed", "5"}).exit_code, 0);
    const auto first = server.cli({"duplicates", "scan"});
    ASSERT_EQ(first.exit_code, 0) << first.output;
    // The demo data holds injected near-duplicates: the scan finds some and queues them all.
    const auto number = [](const std::string& out, const std::string& key) {
        const auto at = out.find(key + " ");
        return at == std::string::npos ? -1 : std::stoi(out.substr(at + key.size() + 1));
    };
    const int found = number(first.output, "found");
    EXPECT_GT(found, 0) << first.output;
    EXPECT_EQ(number(first.output, "added"), found) << first.output;
    EXPECT_EQ(number(first.output, "persons") > 250, true) << first.output;
    // Again: the same pairs, none new.
    const auto second = server.cli({"duplicates", "scan"});
    ASSERT_EQ(second.exit_code, 0) << second.output;
    EXPECT_EQ(number(second.output, "found"), found) << second.output;
    EXPECT_EQ(number(second.output, "added"), 0) << second.output;
    const auto listed = server.cli({"duplicates", "list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    EXPECT_EQ(std::count(listed.output.begin(), listed.output.end(), '\n'), found) << listed.output;
    EXPECT_NE(listed.output.find("  terbuka  "), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("  pemindaian"), std::string::npos) << listed.output;
}

TEST(Cli, ExportMasksNikUnlessAskedAndReimportsIntoAnotherStore) {
    KapalServer source;
    ASSERT_EQ(source.cli({"demo-data", "--persons", "120", "--seed", "9"}).exit_code, 0);
    TempDir tmp;
    const auto masked = tmp.path() + "/masked.csv";
    const auto exported = source.cli({"export", "persons", "--format", "csv", "--out", masked});
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    const auto text = slurp(masked);
    EXPECT_EQ(count_lines(text), 121U);
    EXPECT_NE(text.find("**********"), std::string::npos);

    const auto clear = tmp.path() + "/clear.csv";
    ASSERT_EQ(source.cli({"export", "persons", "--with-nik", "--out", clear}).exit_code, 0);
    // The export in clear is a bulk reveal: it is in the audit log; the masked one is not.
    const auto audit = source.cli({"audit", "--action", "person.export_unmasked"});
    ASSERT_EQ(audit.exit_code, 0) << audit.output;
    EXPECT_EQ(count_lines(audit.output), 1U) << audit.output;
    EXPECT_NE(audit.output.find("persons=120 file=" + clear), std::string::npos) << audit.output;
    KapalServer target;
    const auto imported = target.cli({"import", "persons", clear});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    EXPECT_NE(imported.output.find("120 baru"), std::string::npos) << imported.output;
    EXPECT_NE(imported.output.find("0 ditolak"), std::string::npos) << imported.output;

    // the masked file cannot be imported: every NIK is refused, none is "repaired"
    const auto refused = target.cli({"import", "persons", masked, "--dry-run"});
    EXPECT_NE(refused.output.find("120 ditolak"), std::string::npos) << refused.output;

    const auto xlsx = tmp.path() + "/persons.xlsx";
    ASSERT_EQ(source.cli({"export", "persons", "--format", "xlsx", "--out", xlsx}).exit_code, 0);
    EXPECT_EQ(slurp(xlsx).substr(0, 2), "PK");
}

// The national layout: what one store exports in it (NIK in clear), an empty store imports as
// the same persons, on either backend; the export in clear is audited with its layout.
TEST(Cli, DtksExportImportsBackIntoAnEmptyStoreAsTheSamePersons) {
    KapalServer source;
    ASSERT_EQ(source.cli({"demo-data", "--persons", "120", "--seed", "9"}).exit_code, 0);
    TempDir tmp;
    // Rows as a sorted list: the stores list persons in the order of their own ids.
    const auto sorted_lines = [](const std::string& text) {
        std::vector<std::string> lines;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            lines.push_back(line);
        }
        std::sort(lines.begin(), lines.end());
        return lines;
    };
    for (const std::string format : {"csv", "xlsx"}) {
        const auto file = tmp.path() + "/dtks." + format;
        const auto exported = source.cli({"export",
                                          "persons",
                                          "--layout",
                                          "dtks",
                                          "--format",
                                          format,
                                          "--with-nik",
                                          "--out",
                                          file});
        ASSERT_EQ(exported.exit_code, 0) << exported.output;
        EXPECT_NE(exported.output.find("120 persons written"), std::string::npos)
            << exported.output;

        KapalServer target;
        const auto imported = target.cli({"import", "persons", file});
        ASSERT_EQ(imported.exit_code, 0) << imported.output;
        EXPECT_NE(imported.output.find("120 baru"), std::string::npos) << imported.output;
        EXPECT_NE(imported.output.find(" 0 ditolak"), std::string::npos) << imported.output;
        const auto again = target.cli({"import", "persons", file});
        EXPECT_NE(again.output.find(" 0 baru, 120 sama,"), std::string::npos) << again.output;

        // The target's own DTKS export is the source's, row for row.
        const auto back = tmp.path() + "/back-" + format + ".csv";
        const auto source_csv = tmp.path() + "/source-" + format + ".csv";
        ASSERT_EQ(target.cli({"export", "persons", "--layout", "dtks", "--with-nik", "--out", back})
                      .exit_code,
                  0);
        ASSERT_EQ(
            source.cli({"export", "persons", "--layout", "dtks", "--with-nik", "--out", source_csv})
                .exit_code,
            0);
        const auto want = sorted_lines(slurp(source_csv));
        EXPECT_EQ(want.size(), 121U);
        EXPECT_EQ(sorted_lines(slurp(back)), want) << format;
    }
    const auto audit = source.cli({"audit", "--action", "person.export_unmasked"});
    ASSERT_EQ(audit.exit_code, 0) << audit.output;
    EXPECT_NE(audit.output.find("layout=dtks"), std::string::npos) << audit.output;

    // GIS formats have no DTKS layout: refused, naming the option.
    const auto refused = source.cli({"export",
                                     "persons",
                                     "--layout",
                                     "dtks",
                                     "--format",
                                     "geojson",
                                     "--out",
                                     tmp.path() + "/x"});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.output.find("csv or xlsx"), std::string::npos) << refused.output;
}

TEST(Cli, ImportWritesARejectsFileThatCanBeFixedAndImportedAgain) {
    KapalServer server;
    TempDir tmp;
    const auto file = tmp.path() + "/in.csv";
    std::ofstream(file) << "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam,Catatan\n"
                           "6474011503850001,Ahmad,L,15/03/1985,Lok Tuan,fisik,ok\n"
                           "6.47401E+15,Budi,L,01/01/1990,Lok Tuan,fisik,rusak oleh Excel\n";
    const auto rejects = tmp.path() + "/rejects.csv";
    const auto result = server.cli({"import", "persons", file, "--rejects", rejects});
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("1 baru"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("1 ditolak"), std::string::npos) << result.output;
    const auto text = slurp(rejects);
    EXPECT_NE(text.find("rusak oleh Excel"), std::string::npos); // original columns kept
    EXPECT_NE(text.find("Baris"), std::string::npos);

    // fix the NIK in the rejects file and import it again
    auto fixed = text;
    fixed.replace(fixed.find("6.47401E+15"), 11, "6474010101900002");
    std::ofstream(tmp.path() + "/fixed.csv") << fixed;
    const auto second = server.cli({"import", "persons", tmp.path() + "/fixed.csv"});
    EXPECT_NE(second.output.find("1 baru"), std::string::npos) << second.output;
}

TEST(Cli, TemplateIsWrittenAsXlsxAndCsv) {
    TempDir tmp;
    const auto xlsx = run({kapal_binary(), "import", "template", "--out", tmp.path() + "/t.xlsx"});
    ASSERT_EQ(xlsx.exit_code, 0) << xlsx.output;
    EXPECT_EQ(slurp(tmp.path() + "/t.xlsx").substr(0, 2), "PK");
    ASSERT_EQ(run({kapal_binary(), "import", "template", "--out", tmp.path() + "/t.csv"}).exit_code,
              0);
    EXPECT_NE(slurp(tmp.path() + "/t.csv").find("Nama Lengkap"), std::string::npos);
}

TEST(Cli, AStoreFromANewerProgramIsRefusedClearly) {
    KapalServer server;
    // What a newer program's migration would leave: SQLite's user_version, PostgreSQL's
    // schema_version rows.
    server.sql(server.on_postgres()
                   ? "INSERT INTO schema_version (version, applied_at) VALUES (999, 0)"
                   : "PRAGMA user_version = 999;");
    const auto check = server.cli({"check"});
    EXPECT_NE(check.exit_code, 0);
    EXPECT_NE(check.output.find("999"), std::string::npos) << check.output;
}

/// The file names in DIR/keys.
std::set<std::string> key_files(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/keys")) {
        out.insert(e.path().filename().string());
    }
    return out;
}

TEST(Cli, KeyRotationReencryptsEverythingKeepsTheOldKeysAndSurvivesAnInterruption) {
    KapalServer server;
    ASSERT_EQ(server.cli({"demo-data", "--persons", "200", "--seed", "4"}).exit_code, 0);
    TempDir tmp;
    const auto before = tmp.path() + "/before.csv";
    ASSERT_EQ(server.cli({"export", "persons", "--with-nik", "--out", before}).exit_code, 0);
    const std::string old_data = slurp(server.dir() + "/keys/data.key");

    // Not while the server has the directory open.
    server.start();
    const auto busy = server.cli({"keys", "rotate"});
    EXPECT_NE(busy.exit_code, 0);
    EXPECT_NE(busy.output.find("stop it first"), std::string::npos) << busy.output;
    server.stop(SIGTERM);

    const auto rotated = server.cli({"keys", "rotate", "--reason", "laptop hilang"});
    ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
    EXPECT_NE(rotated.output.find("400 NIK/KK values"), std::string::npos) << rotated.output;
    EXPECT_NE(slurp(server.dir() + "/keys/data.key"), old_data);
    auto files = key_files(server.dir());
    // data.key and index.key, and one retired copy of each; the other keys of the directory
    // (audit.key, the card keys) are not this rotation's.
    EXPECT_EQ(std::count_if(
                  files.begin(),
                  files.end(),
                  [](const std::string& f) { return f.find(".retired-") != std::string::npos; }),
              2);
    ASSERT_EQ(files.count("data.key") + files.count("index.key"), 2U);
    std::string retired_data;
    std::string retired_index;
    for (const auto& f : files) {
        if (f.rfind("data.key.retired-", 0) == 0) {
            retired_data = f;
        } else if (f.rfind("index.key.retired-", 0) == 0) {
            retired_index = f;
        }
    }
    ASSERT_FALSE(retired_data.empty());
    ASSERT_FALSE(retired_index.empty());
    EXPECT_EQ(slurp(server.dir() + "/keys/" + retired_data), old_data);
    const auto after = tmp.path() + "/after.csv";
    ASSERT_EQ(server.cli({"export", "persons", "--with-nik", "--out", after}).exit_code, 0);
    EXPECT_EQ(slurp(after), slurp(before)); // the same NIKs and KKs, under new keys
    const auto audit = server.cli({"audit", "--action", "keys.rotate"});
    EXPECT_NE(audit.output.find("reason=laptop hilang"), std::string::npos) << audit.output;

    // A crash after the commit but before the files were renamed: the new keys are still
    // *.new and the old ones current. The next command finds which pair fits and settles it.
    const std::string keys = server.dir() + "/keys/";
    std::filesystem::rename(keys + "data.key", keys + "data.key.new");
    std::filesystem::rename(keys + "index.key", keys + "index.key.new");
    std::filesystem::rename(keys + retired_data, keys + "data.key");
    std::filesystem::rename(keys + retired_index, keys + "index.key");
    const auto settled = server.cli({"check"});
    ASSERT_EQ(settled.exit_code, 0) << settled.output;
    EXPECT_EQ(key_files(server.dir()).count("data.key.new"), 0U);
    ASSERT_EQ(server.cli({"export", "persons", "--with-nik", "--out", after}).exit_code, 0);
    EXPECT_EQ(slurp(after), slurp(before));

    // A crash before the commit: fresh *.new keys that fit nothing are dropped.
    const std::string current = slurp(keys + "data.key");
    std::ofstream(keys + "data.key.new") << std::string(64, 'a') << "\n";
    std::ofstream(keys + "index.key.new") << std::string(64, 'b') << "\n";
    ::chmod((keys + "data.key.new").c_str(), 0600);
    ::chmod((keys + "index.key.new").c_str(), 0600);
    ASSERT_EQ(server.cli({"check"}).exit_code, 0);
    EXPECT_EQ(key_files(server.dir()).count("index.key.new"), 0U);
    EXPECT_EQ(slurp(keys + "data.key"), current);
    ASSERT_EQ(server.cli({"export", "persons", "--with-nik", "--out", after}).exit_code, 0);
    EXPECT_EQ(slurp(after), slurp(before));
}

} // namespace
} // namespace kapal::testing

namespace kapal::testing {
namespace {

TEST(Cli, RouteVisitPrintsAnOrderedVisitListOfAKelurahan) {
    KapalServer server;
    ASSERT_EQ(server.cli({"demo-data", "--persons", "150", "--seed", "4"}).exit_code, 0);
    const auto csv =
        server.cli({"route", "visit", "--kelurahan", "64.74.01.1003", "--start", "117.47,0.13"});
    ASSERT_EQ(csv.exit_code, 0) << csv.output;
    std::istringstream lines(csv.output);
    std::string line;
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line.rfind("urutan,id,nama,alamat,rt,rw,kelurahan,lon,lat,jarak_m,kumulatif_m", 0),
              0U)
        << line;
    int stops = 0;
    double previous = -1;
    std::string summary;
    while (std::getline(lines, line)) {
        if (line.find(" stops, ") != std::string::npos) {
            summary = line;
            break;
        }
        if (line.rfind(std::to_string(stops + 1) + ",", 0) == 0) {
            ++stops;
            // kumulatif_m is the 11th column; names and streets hold no commas in demo data.
            std::istringstream cells(line);
            std::string cell;
            for (int i = 0; i < 11; ++i) {
                std::getline(cells, cell, ',');
            }
            const double cumulative = std::stod(cell);
            EXPECT_GE(cumulative, previous) << line;
            previous = cumulative;
        }
    }
    EXPECT_GT(stops, 2);
    EXPECT_EQ(summary.rfind(std::to_string(stops) + " stops, ", 0), 0U) << summary;

    const auto json_out = server.cli({"route",
                                      "visit",
                                      "--kelurahan",
                                      "64.74.01.1003",
                                      "--start",
                                      "117.47,0.13",
                                      "--format",
                                      "json"});
    ASSERT_EQ(json_out.exit_code, 0) << json_out.output;
    EXPECT_NE(json_out.output.find("\"total_m\""), std::string::npos);

    const std::string pdf = server.dir() + "/kunjungan.pdf";
    const auto printed = server.cli({"route",
                                     "visit",
                                     "--kelurahan",
                                     "64.74.01.1003",
                                     "--start",
                                     "117.47,0.13",
                                     "--format",
                                     "pdf",
                                     "--out",
                                     pdf});
    ASSERT_EQ(printed.exit_code, 0) << printed.output;
    const auto text = run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf, "-"});
    ASSERT_EQ(text.exit_code, 0) << text.output;
    EXPECT_NE(text.output.find("Daftar kunjungan rumah"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find(std::to_string(stops) + " rumah"), std::string::npos) << text.output;
    const auto no_out = server.cli({"route",
                                    "visit",
                                    "--kelurahan",
                                    "64.74.01.1003",
                                    "--start",
                                    "117.47,0.13",
                                    "--format",
                                    "pdf"});
    EXPECT_NE(no_out.exit_code, 0);
    EXPECT_NE(no_out.output.find("--out"), std::string::npos) << no_out.output;

    const auto bad_start =
        server.cli({"route", "visit", "--kelurahan", "64.74.01.1003", "--start", "117.47"});
    EXPECT_NE(bad_start.exit_code, 0);
    EXPECT_NE(bad_start.output.find("--start"), std::string::npos) << bad_start.output;
    const auto unknown = server.cli({"route",
                                     "visit",
                                     "--persons",
                                     "0190a5d0-0000-7000-8000-000000000001",
                                     "--start",
                                     "117.47,0.13"});
    EXPECT_NE(unknown.exit_code, 0);
    EXPECT_NE(unknown.output.find("persons[0]"), std::string::npos) << unknown.output;
}

TEST(Cli, AuditVerifyFindsATamperedEntryAndCheckpointsAreSignedAndExported) {
    KapalServer server;
    ASSERT_EQ(server.cli({"demo-data", "--persons", "20", "--seed", "6"}).exit_code, 0);
    server.start(); // serve signs a checkpoint of the log at start
    const auto whole = server.cli({"audit", "verify"});
    ASSERT_EQ(whole.exit_code, 0) << whole.output;
    EXPECT_NE(whole.output.find("The audit log is whole."), std::string::npos) << whole.output;
    EXPECT_NE(whole.output.find("1 checkpoint(s) compared"), std::string::npos) << whole.output;

    const std::string held = server.dir() + "/held-by-province.jsonl";
    const auto exported = server.cli({"audit", "checkpoints", "--out", held});
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    std::ifstream in(held);
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_NE(line.find("\"signature\""), std::string::npos) << line;

    // A write after the checkpoint, then someone edits an entry in the database itself.
    auto res = server.request("GET", "/api/v1/persons?limit=1");
    ASSERT_TRUE(res.has_value());
    server.sql("UPDATE audit_log SET detail = 'diubah' WHERE seq = 3");
    const auto tampered = server.cli({"audit", "verify", "--checkpoints", held});
    EXPECT_NE(tampered.exit_code, 0) << tampered.output;
    EXPECT_NE(tampered.output.find("FINDING at entry 3"), std::string::npos) << tampered.output;

    const auto listed = server.cli({"audit", "--limit", "2"});
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    EXPECT_EQ(std::count(listed.output.begin(), listed.output.end(), '\n'), 2) << listed.output;
}

} // namespace
} // namespace kapal::testing
