#include "kapal/integrity/audit_log.hpp"

#include "kapal/core/audit_chain.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace kapal::integrity {
namespace {

namespace fs = std::filesystem;

/// A data directory with a SQLite store holding `entries` audit entries (seq 1..entries).
class AuditLogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("kapal-audit-test-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_);
        open();
        for (int i = 1; i <= 12; ++i) {
            store::AuditEntry e;
            e.at = core::from_unix_ms(1'764'288'000'000 + i);
            e.actor = "user-" + std::to_string(i % 3);
            e.source = "10.0.0." + std::to_string(i);
            e.action = i % 2 == 0 ? "person.update" : "person.unmask";
            e.subject = "person-" + std::to_string(i);
            e.detail = "alasan " + std::to_string(i);
            ASSERT_TRUE(store_->append_audit(e));
        }
    }

    void TearDown() override {
        store_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    void open() {
        auto opened = store::open_sqlite_store(dir_ / "store.db", keys_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
    }

    /// Runs SQL on the file directly, as someone with the file in hand would, with the store
    /// closed; then opens the store again.
    void tamper(const std::string& sql) {
        store_.reset();
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((dir_ / "store.db").c_str(), &db), SQLITE_OK);
        char* message = nullptr;
        const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
        EXPECT_EQ(rc, SQLITE_OK) << (message != nullptr ? message : "");
        sqlite3_free(message);
        sqlite3_close(db);
        open();
    }

    AuditVerification verify(const std::vector<AuditCheckpoint>& checkpoints = {}) {
        auto v = verify_audit_log(*store_, checkpoints);
        EXPECT_TRUE(v.has_value()) << v.error().message;
        return v ? *v : AuditVerification{};
    }

    fs::path dir_;
    store::StoreKeys keys_ = store::generate_store_keys();
    std::unique_ptr<store::Store> store_;
};

TEST_F(AuditLogTest, AnIntactLogVerifiesAndEachEntryChainsToTheOneBefore) {
    const auto v = verify();
    EXPECT_TRUE(v.findings.empty()) << v.findings.front().message;
    EXPECT_EQ(v.entries, 12);
    EXPECT_EQ(v.last_seq, 12);
    store::AuditQuery q;
    q.oldest_first = true;
    q.limit = 2;
    auto first = store_->list_audit(q);
    ASSERT_TRUE(first.has_value());
    ASSERT_EQ(first->size(), 2U);
    EXPECT_EQ(first->at(0).seq, 1);
    EXPECT_EQ(first->at(1).hash,
              core::audit_chain_hash(first->at(0).hash,
                                     {2,
                                      core::to_unix_ms(first->at(1).at),
                                      first->at(1).actor,
                                      first->at(1).source,
                                      first->at(1).action,
                                      first->at(1).subject,
                                      first->at(1).detail}));
    q.after_seq = 10;
    auto rest = store_->list_audit(q);
    ASSERT_TRUE(rest.has_value());
    ASSERT_EQ(rest->size(), 2U);
    EXPECT_EQ(rest->at(0).seq, 11);
}

TEST_F(AuditLogTest, AModifiedEntryIsNamed) {
    tamper("UPDATE audit_log SET detail = 'alasan lain' WHERE seq = 5");
    const auto v = verify();
    ASSERT_EQ(v.findings.size(), 1U);
    EXPECT_EQ(v.findings[0].seq, 5);
    EXPECT_NE(v.findings[0].message.find("entry 5"), std::string::npos);
    EXPECT_EQ(v.entries, 4) << "entries before the first bad one";
}

TEST_F(AuditLogTest, ADeletedEntryIsNamed) {
    tamper("DELETE FROM audit_log WHERE seq = 7");
    const auto v = verify();
    ASSERT_EQ(v.findings.size(), 1U);
    EXPECT_EQ(v.findings[0].seq, 7);
    EXPECT_NE(v.findings[0].message.find("missing"), std::string::npos);
}

TEST_F(AuditLogTest, AnInsertedEntryIsNamed) {
    // Make room after entry 3 and put an entry there, hash copied from its neighbour.
    tamper("UPDATE audit_log SET seq = seq + 100 WHERE seq > 3; "
           "UPDATE audit_log SET seq = seq - 99 WHERE seq > 100; "
           "INSERT INTO audit_log (seq, at, actor, source, action, subject, detail, hash) "
           "SELECT 4, at, 'intruder', source, action, subject, 'disisipkan', hash FROM audit_log "
           "WHERE seq = 3");
    const auto v = verify();
    ASSERT_EQ(v.findings.size(), 1U);
    EXPECT_EQ(v.findings[0].seq, 4);
}

TEST_F(AuditLogTest, ReorderedEntriesAreNamed) {
    // Swap the contents (and hashes) of entries 8 and 9.
    tamper("UPDATE audit_log SET seq = -8 WHERE seq = 8; "
           "UPDATE audit_log SET seq = 8 WHERE seq = 9; "
           "UPDATE audit_log SET seq = 9 WHERE seq = -8");
    const auto v = verify();
    ASSERT_EQ(v.findings.size(), 1U);
    EXPECT_EQ(v.findings[0].seq, 8);
}

TEST_F(AuditLogTest, CheckpointsCatchARewrittenChainAndATruncatedLog) {
    auto made = make_checkpoint(*store_, dir_, core::from_unix_ms(1'764'290'000'000));
    ASSERT_TRUE(made.has_value()) << made.error().message;
    ASSERT_TRUE(made->has_value());
    EXPECT_EQ((*made)->seq, 12);
    EXPECT_TRUE(checkpoint_signature_valid(**made));
    EXPECT_EQ(fs::status(dir_ / "keys" / "audit.key").permissions() &
                  (fs::perms::group_all | fs::perms::others_all),
              fs::perms::none);
    auto again = make_checkpoint(*store_, dir_, core::from_unix_ms(1'764'290'000'001));
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(again->has_value()) << "nothing new to cover";

    auto held = read_checkpoints(checkpoints_file(dir_));
    ASSERT_TRUE(held.has_value()) << held.error().message;
    ASSERT_EQ(held->size(), 1U);
    EXPECT_EQ(checkpoint_json(held->front()), checkpoint_json(**made));
    EXPECT_TRUE(verify(*held).findings.empty());
    EXPECT_EQ(verify(*held).checkpoints_checked, 1U);

    // A forged checkpoint (another hash, same signature) is refused.
    auto forged = *held;
    forged[0].hash[0] = forged[0].hash[0] == 'a' ? 'b' : 'a';
    const auto f = verify(forged);
    ASSERT_EQ(f.findings.size(), 1U);
    EXPECT_NE(f.findings[0].message.find("bad signature"), std::string::npos);
    const auto untrusted = verify_audit_log(*store_, *held, std::string(64, '0'));
    ASSERT_TRUE(untrusted.has_value());
    ASSERT_EQ(untrusted->findings.size(), 1U);
    EXPECT_NE(untrusted->findings[0].message.find("not by the trusted key"), std::string::npos);

    // Someone rewrites entry 6 and recomputes every hash after it: the chain holds, the
    // checkpoint does not.
    store_.reset();
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((dir_ / "store.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db,
                               "UPDATE audit_log SET detail = 'ditulis ulang' WHERE seq = 6",
                               nullptr,
                               nullptr,
                               nullptr),
                  SQLITE_OK);
        std::string prev(core::kAuditGenesisHash);
        sqlite3_stmt* select = nullptr;
        sqlite3_prepare_v2(db,
                           "SELECT seq, at, actor, source, action, subject, detail FROM "
                           "audit_log ORDER BY seq",
                           -1,
                           &select,
                           nullptr);
        std::vector<std::pair<std::int64_t, std::string>> hashes;
        while (sqlite3_step(select) == SQLITE_ROW) {
            const auto text = [&](int col) {
                return std::string(reinterpret_cast<const char*>(sqlite3_column_text(select, col)));
            };
            prev = core::audit_chain_hash(prev,
                                          {sqlite3_column_int64(select, 0),
                                           sqlite3_column_int64(select, 1),
                                           text(2),
                                           text(3),
                                           text(4),
                                           text(5),
                                           text(6)});
            hashes.emplace_back(sqlite3_column_int64(select, 0), prev);
        }
        sqlite3_finalize(select);
        for (const auto& [seq, hash] : hashes) {
            const std::string sql =
                "UPDATE audit_log SET hash = '" + hash + "' WHERE seq = " + std::to_string(seq);
            ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        }
        sqlite3_close(db);
    }
    open();
    const auto rewritten = verify(*held);
    ASSERT_EQ(rewritten.findings.size(), 1U);
    EXPECT_EQ(rewritten.findings[0].seq, 12);
    EXPECT_NE(rewritten.findings[0].message.find("rewritten"), std::string::npos);

    // Entries removed from the end: the chain that is left is whole, but the checkpoint covers
    // entry 12.
    tamper("DELETE FROM audit_log WHERE seq > 9");
    const auto truncated = verify(*held);
    ASSERT_EQ(truncated.findings.size(), 1U);
    EXPECT_EQ(truncated.findings[0].seq, 10);
    EXPECT_NE(truncated.findings[0].message.find("truncated"), std::string::npos);
}

TEST_F(AuditLogTest, ABadCheckpointFileNamesTheLine) {
    std::ofstream(checkpoints_file(dir_)) << "\n{\"seq\": 1}\n";
    auto held = read_checkpoints(checkpoints_file(dir_));
    ASSERT_FALSE(held.has_value());
    EXPECT_NE(held.error().message.find("line 2"), std::string::npos) << held.error().message;
    EXPECT_FALSE(parse_checkpoint("not json").has_value());
}

} // namespace
} // namespace kapal::integrity
