#pragma once
// A small RAII layer over libpq for the PostgreSQL store: one connection with its cache of
// prepared statements, bound parameters (never values spliced into SQL), results read in
// binary format, transactions that roll back unless committed, and COPY ... FROM STDIN.
// Internal to store/postgres; libpq's header stays in the .cpp (forward declarations here).

#include "kapal/core/result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;   // PGconn
struct pg_result; // PGresult

namespace kapal::store::detail {

/// Parameters of one statement, in the order of $1, $2, ... Text, integers and reals travel in
/// text format (the server parses them exactly: reals are written in their shortest round-trip
/// form); bytes travel in binary format, so encrypted values and blind indexes are sent as they
/// are.
class PgParams {
  public:
    PgParams& text(std::string_view v);
    PgParams& int64(std::int64_t v);
    PgParams& real(double v);
    PgParams& boolean(bool v);
    PgParams& bytes(std::span<const std::uint8_t> v);
    PgParams& null();

    /// text(*v) or null().
    PgParams& opt_text(const std::optional<std::string>& v);

    int size() const { return static_cast<int>(values_.size()); }

    /// Arrays for libpq, valid while this object is unchanged.
    std::vector<const char*> values() const;
    std::vector<int> lengths() const;

    const int* formats() const { return formats_.data(); }

  private:
    std::vector<std::string> values_;
    std::vector<bool> null_;
    std::vector<int> formats_;
};

/// A statement's result, read in binary format. Columns are read by index with the accessor
/// that fits their type; a NULL reads as empty or zero (check is_null where it matters).
class PgResult {
  public:
    explicit PgResult(pg_result* result);
    PgResult(const PgResult&) = delete;
    PgResult& operator=(const PgResult&) = delete;
    PgResult(PgResult&& other) noexcept;
    PgResult& operator=(PgResult&& other) noexcept;
    ~PgResult();

    int rows() const;

    /// Rows changed by an INSERT, UPDATE or DELETE.
    std::int64_t affected() const;

    bool is_null(int row, int col) const;

    /// A text column (raw UTF-8 bytes).
    std::string_view text(int row, int col) const;

    /// A bigint, integer, smallint or boolean column.
    std::int64_t int64(int row, int col) const;

    /// A double precision column.
    double real(int row, int col) const;

    /// A bytea column.
    std::span<const std::uint8_t> bytes(int row, int col) const;

    /// The command tag ("COMMIT", "INSERT 0 1", ...).
    std::string_view command_status() const;

    pg_result* raw() const { return result_; }

  private:
    pg_result* result_;
};

/// One connection to the server with its prepared statements. Not thread-safe: the store
/// hands each connection to one thread at a time.
class PgConnection {
  public:
    /// Connects with `conninfo` (keyword=value pairs or a postgresql:// URI), sets the client
    /// encoding to UTF-8, `application_name`, and lock_timeout. Errors: StoreUnavailable.
    static Result<std::unique_ptr<PgConnection>> connect(const std::string& conninfo,
                                                         int lock_timeout_ms);

    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;
    PgConnection(PgConnection&&) = delete;
    PgConnection& operator=(PgConnection&&) = delete;
    ~PgConnection();

    /// Runs `sql` as a prepared statement (prepared on first use, then cached by its text).
    Result<PgResult> exec(std::string_view sql, const PgParams& params = {});

    /// Runs `sql` once without keeping it prepared (rare, variable SQL).
    Result<PgResult> exec_once(const std::string& sql, const PgParams& params = {});

    /// Runs SQL text of one or more statements without parameters (migrations, BEGIN, ...).
    Result<void> run(const char* sql);

    /// Runs `copy_sql` (COPY ... FROM STDIN) and sends `data` in the format it names.
    Result<void> copy_in(const std::string& copy_sql, std::string_view data);

    /// Waits up to `timeout_ms` for a notification on a channel this connection LISTENs to and
    /// drains every one that arrived; true when there was one. Errors: StoreUnavailable.
    Result<bool> wait_notification(int timeout_ms);

    /// False once the connection to the server is lost.
    bool ok() const;

    /// Reconnects a lost connection (its prepared statements are gone with it).
    /// Errors: StoreUnavailable.
    Result<void> reconnect();

    /// The server's setting `name` (server_encoding, server_version, ...), "" if unknown.
    std::string parameter(const char* name) const;

    /// "postgresql://user@host:port/dbname", without any password.
    std::string location() const;

  private:
    PgConnection(pg_conn* conn, int lock_timeout_ms);
    Result<void> configure();

    pg_conn* conn_;
    int lock_timeout_ms_;
    std::unordered_map<std::string, std::string> prepared_; // SQL text -> statement name
    int next_statement_ = 0;
};

/// A transaction that rolls back unless committed.
class PgTransaction {
  public:
    /// Starts a transaction with `begin_sql` ("BEGIN", "BEGIN ISOLATION LEVEL ...").
    static Result<PgTransaction> begin(PgConnection& conn, const char* begin_sql = "BEGIN");

    PgTransaction(const PgTransaction&) = delete;
    PgTransaction& operator=(const PgTransaction&) = delete;
    PgTransaction(PgTransaction&& other) noexcept;
    PgTransaction& operator=(PgTransaction&&) = delete;
    ~PgTransaction();

    Result<void> commit();

  private:
    explicit PgTransaction(PgConnection& conn)
        : conn_(&conn) {}

    PgConnection* conn_;
};

/// The error of a failed statement: SQLSTATE class 23505 (unique violation) is AlreadyExists,
/// lost connections, lock timeouts, serialization failures and exhausted resources are
/// StoreUnavailable, data or index corruption is StoreCorrupt, invalid text encoding is
/// InvalidArgument, anything else Internal.
Error pg_error(const pg_conn* conn, const pg_result* result, std::string_view what);

/// Appends to `out` a bytea[] array literal of `values` ({"\\x..", ...}), for `= ANY($n)`.
void append_bytea_array(std::string& out, std::span<const std::span<const std::uint8_t>> values);

} // namespace kapal::store::detail
