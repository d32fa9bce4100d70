#include "kapal/core/audit_chain.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

namespace kapal::core {
namespace {

AuditChainFields entry() {
    return {7, 1764288000000, "u-1", "127.0.0.1", "person.update", "p-9", "alamat pindah"};
}

/// The same message hashed by an independent tool (coreutils' sha256sum).
std::string sha256sum(const std::string& message) {
    const std::string file = "/tmp/kapal_audit_chain_" + std::to_string(::getpid());
    {
        std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "wb"), &std::fclose);
        std::fwrite(message.data(), 1, message.size(), f.get());
    }
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(("sha256sum " + file).c_str(), "r"),
                                               &::pclose);
    char buf[128] = {};
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, pipe.get());
    std::remove(file.c_str());
    return std::string(buf, n).substr(0, 64);
}

TEST(AuditChain, HashesTheDocumentedMessage) {
    const std::string message = "kapal-audit-v1\n64:" + std::string(kAuditGenesisHash) +
                                "\n1:7\n13:1764288000000\n3:u-1\n9:127.0.0.1\n13:person.update\n"
                                "3:p-9\n13:alamat pindah\n";
    EXPECT_EQ(audit_chain_hash(kAuditGenesisHash, entry()), sha256sum(message));
}

TEST(AuditChain, EveryFieldAndThePreviousHashCount) {
    const std::string base = audit_chain_hash(kAuditGenesisHash, entry());
    EXPECT_EQ(base.size(), 64U);
    EXPECT_EQ(base, audit_chain_hash(kAuditGenesisHash, entry())) << "deterministic";
    auto changed = entry();
    changed.seq = 8;
    EXPECT_NE(audit_chain_hash(kAuditGenesisHash, changed), base);
    changed = entry();
    changed.at_ms += 1;
    EXPECT_NE(audit_chain_hash(kAuditGenesisHash, changed), base);
    changed = entry();
    changed.detail = "alamat pindah ";
    EXPECT_NE(audit_chain_hash(kAuditGenesisHash, changed), base);
    EXPECT_NE(audit_chain_hash(base, entry()), base) << "chained to another entry";
    // Moving a character between neighbouring fields changes the hash (length prefixes).
    changed = entry();
    changed.actor = "u-11";
    changed.source = "27.0.0.1";
    EXPECT_NE(audit_chain_hash(kAuditGenesisHash, changed), base);
}

} // namespace
} // namespace kapal::core
