#pragma once
// A database of its own on the test PostgreSQL server of ctest's fixture `postgres`
// (KAPAL_TEST_POSTGRES, see src/kapal/store/postgres/CMakeLists.txt), and SQL on it.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <vector>

namespace kapal::testing {

/// KAPAL_TEST_POSTGRES: the conninfo of the fixture's server ("" when not run by ctest).
inline std::string server_conninfo() {
    const char* env = std::getenv("KAPAL_TEST_POSTGRES");
    return env != nullptr ? env : "";
}

/// Runs `sql` on the database of `conninfo`; the values of its result, row by row. A failure
/// fails the test.
inline std::vector<std::vector<std::string>> sql_table(const std::string& conninfo,
                                                       const std::string& sql) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    // Not on stderr: the NOTICE of DROP DATABASE IF EXISTS when there was none.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    std::vector<std::vector<std::string>> out;
    if (PQstatus(conn) != CONNECTION_OK) {
        ADD_FAILURE() << "cannot connect to " << conninfo << ": " << PQerrorMessage(conn);
    } else {
        PGresult* r = PQexec(conn, sql.c_str());
        const auto status = PQresultStatus(r);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
        } else {
            for (int row = 0; row < PQntuples(r); ++row) {
                auto& values = out.emplace_back();
                for (int col = 0; col < PQnfields(r); ++col) {
                    values.emplace_back(PQgetvalue(r, row, col));
                }
            }
        }
        PQclear(r);
    }
    PQfinish(conn);
    return out;
}

/// The first value of the result of `sql` on `conninfo` ("" if none).
inline std::string sql_value(const std::string& conninfo, const std::string& sql) {
    const auto table = sql_table(conninfo, sql);
    return table.empty() || table[0].empty() ? std::string() : table[0][0];
}

/// The result of `sql` on `conninfo` as the sqlite3 shell prints it: values separated by '|',
/// each row ended by '\n'.
inline std::string sql_rows(const std::string& conninfo, const std::string& sql) {
    std::string out;
    for (const auto& row : sql_table(conninfo, sql)) {
        for (std::size_t col = 0; col < row.size(); ++col) {
            out += (col == 0 ? "" : "|") + row[col];
        }
        out += '\n';
    }
    return out;
}

/// A fresh database copied from the fixture's kapal_template, dropped at destruction. The name
/// holds the process id and a counter, so tests that ctest runs in parallel processes, and
/// several databases of one test, never meet.
class TestDatabase {
  public:
    TestDatabase() {
        static std::atomic<int> counter{0};
        name_ = "kapal_it_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        // A database of a dead process whose pid came round again would be in the way.
        sql_value(server_conninfo(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        sql_value(server_conninfo(), "CREATE DATABASE " + name_ + " TEMPLATE kapal_template");
        // The same server, user and socket as KAPAL_TEST_POSTGRES, another database.
        char* error = nullptr;
        PQconninfoOption* options = PQconninfoParse(server_conninfo().c_str(), &error);
        PQfreemem(error);
        std::string query;
        for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
            const std::string keyword = o->keyword;
            if (o->val != nullptr &&
                (keyword == "host" || keyword == "port" || keyword == "user")) {
                query += (query.empty() ? "?" : "&") + keyword + "=" + o->val;
            }
        }
        PQconninfoFree(options);
        uri_ = "postgresql:///" + name_ + query;
    }

    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;
    TestDatabase(TestDatabase&&) = delete;
    TestDatabase& operator=(TestDatabase&&) = delete;

    ~TestDatabase() {
        sql_value(server_conninfo(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }

    const std::string& name() const { return name_; }

    /// libpq URI of the database, e.g. for `kapal init --store`.
    const std::string& uri() const { return uri_; }

  private:
    std::string name_;
    std::string uri_;
};

} // namespace kapal::testing
