#include "kapal/store/postgres/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace kapal::store::detail {

namespace {

constexpr int kBinary = 1;
constexpr int kText = 0;

/// libpq prints server notices ("extension already exists, skipping") to stderr by default;
/// library code never prints.
void ignore_notice(void* /*arg*/, const char* /*message*/) {}

ErrorCode code_of_sqlstate(std::string_view state) {
    if (state == "23505") {
        return ErrorCode::AlreadyExists;
    }
    if (state == "22021") { // character_not_in_repertoire: text that is not UTF-8
        return ErrorCode::InvalidArgument;
    }
    if (state.size() != 5) {
        return ErrorCode::StoreUnavailable; // no SQLSTATE: the connection failed
    }
    const std::string_view cls = state.substr(0, 2);
    // 08 connection, 53 insufficient resources, 57 operator intervention (shutdown, cancel),
    // 58 system error, 40 rollback (serialization failure, deadlock), 55P03 lock timeout,
    // 28 authentication, 3D unknown database.
    if (cls == "08" || cls == "53" || cls == "57" || cls == "58" || cls == "40" || cls == "28" ||
        cls == "3D" || state == "55P03") {
        return ErrorCode::StoreUnavailable;
    }
    if (state == "XX001" || state == "XX002") {
        return ErrorCode::StoreCorrupt;
    }
    return ErrorCode::Internal;
}

std::uint64_t read_be(const char* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    }
    return v;
}

/// The first line of a message, without its trailing newline.
std::string first_line(const char* message) {
    if (message == nullptr) {
        return "no message";
    }
    std::string_view m(message);
    if (const auto nl = m.find('\n'); nl != std::string_view::npos) {
        m = m.substr(0, nl);
    }
    return std::string(m);
}

} // namespace

// ---- errors -------------------------------------------------------------------------------

Error pg_error(const pg_conn* conn, const pg_result* result, std::string_view what) {
    std::string state;
    std::string message;
    if (result != nullptr) {
        if (const char* s = PQresultErrorField(result, PG_DIAG_SQLSTATE); s != nullptr) {
            state = s;
        }
        // Only the primary message: the DETAIL of a unique violation quotes the key's value
        // (a blind index, a token hash), which must not end up in logs.
        if (const char* m = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY); m != nullptr) {
            message = m;
        }
    }
    if (message.empty() && conn != nullptr) {
        message = first_line(PQerrorMessage(conn));
    }
    if (state.empty() && conn != nullptr && PQstatus(conn) == CONNECTION_OK && result != nullptr) {
        state = "XX000"; // a client-side failure on a live connection
    }
    std::string text = "postgresql: ";
    text += what;
    text += ": ";
    text += message;
    if (!state.empty()) {
        text += " (SQLSTATE " + state + ")";
    }
    return Error{code_of_sqlstate(state), std::move(text), {}};
}

void append_bytea_array(std::string& out, std::span<const std::span<const std::uint8_t>> values) {
    static constexpr std::array<char, 16> kHex = {
        '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    out += '{';
    bool first = true;
    for (const auto& v : values) {
        // In an array literal a backslash escapes the next character: "\\x.." is bytea "\x..".
        out += first ? R"("\\x)" : R"(,"\\x)";
        first = false;
        for (const std::uint8_t b : v) {
            out += kHex[b >> 4];
            out += kHex[b & 15];
        }
        out += '"';
    }
    out += '}';
}

// ---- parameters ---------------------------------------------------------------------------

PgParams& PgParams::text(std::string_view v) {
    values_.emplace_back(v);
    null_.push_back(false);
    formats_.push_back(kText);
    return *this;
}

PgParams& PgParams::int64(std::int64_t v) {
    return text(std::to_string(v));
}

PgParams& PgParams::real(double v) {
    std::array<char, 32> buf{};
    // Shortest form that reads back as the same double.
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return text(std::string_view(buf.data(), static_cast<std::size_t>(r.ptr - buf.data())));
}

PgParams& PgParams::boolean(bool v) {
    return text(v ? "true" : "false");
}

PgParams& PgParams::bytes(std::span<const std::uint8_t> v) {
    values_.emplace_back(reinterpret_cast<const char*>(v.data()), v.size());
    null_.push_back(false);
    formats_.push_back(kBinary);
    return *this;
}

PgParams& PgParams::null() {
    values_.emplace_back();
    null_.push_back(true);
    formats_.push_back(kText);
    return *this;
}

PgParams& PgParams::opt_text(const std::optional<std::string>& v) {
    return v ? text(*v) : null();
}

std::vector<const char*> PgParams::values() const {
    std::vector<const char*> out;
    out.reserve(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
        out.push_back(null_[i] ? nullptr : values_[i].data());
    }
    return out;
}

std::vector<int> PgParams::lengths() const {
    std::vector<int> out;
    out.reserve(values_.size());
    for (const auto& v : values_) {
        out.push_back(static_cast<int>(v.size()));
    }
    return out;
}

// ---- results ------------------------------------------------------------------------------

PgResult::PgResult(pg_result* result)
    : result_(result) {}

PgResult::PgResult(PgResult&& other) noexcept
    : result_(std::exchange(other.result_, nullptr)) {}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
    if (this != &other) {
        PQclear(result_);
        result_ = std::exchange(other.result_, nullptr);
    }
    return *this;
}

PgResult::~PgResult() {
    PQclear(result_);
}

int PgResult::rows() const {
    return PQntuples(result_);
}

std::int64_t PgResult::affected() const {
    const char* n = PQcmdTuples(result_);
    std::int64_t v = 0;
    if (n != nullptr) {
        std::from_chars(n, n + std::strlen(n), v);
    }
    return v;
}

bool PgResult::is_null(int row, int col) const {
    return PQgetisnull(result_, row, col) != 0;
}

std::string_view PgResult::text(int row, int col) const {
    return {PQgetvalue(result_, row, col),
            static_cast<std::size_t>(PQgetlength(result_, row, col))};
}

std::int64_t PgResult::int64(int row, int col) const {
    if (is_null(row, col)) {
        return 0;
    }
    const auto n = static_cast<std::size_t>(PQgetlength(result_, row, col));
    // Binary integers are big-endian two's complement of 1 (boolean), 2, 4 or 8 bytes.
    KAPAL_ASSERT(n == 1 || n == 2 || n == 4 || n == 8);
    const std::uint64_t raw = read_be(PQgetvalue(result_, row, col), n);
    if (n == 8) {
        return static_cast<std::int64_t>(raw);
    }
    const std::uint64_t sign = std::uint64_t{1} << (8 * n - 1);
    return static_cast<std::int64_t>(raw ^ sign) - static_cast<std::int64_t>(sign);
}

double PgResult::real(int row, int col) const {
    if (is_null(row, col)) {
        return 0;
    }
    KAPAL_ASSERT(PQgetlength(result_, row, col) == 8);
    return std::bit_cast<double>(read_be(PQgetvalue(result_, row, col), 8));
}

std::span<const std::uint8_t> PgResult::bytes(int row, int col) const {
    if (is_null(row, col)) {
        return {};
    }
    return {reinterpret_cast<const std::uint8_t*>(PQgetvalue(result_, row, col)),
            static_cast<std::size_t>(PQgetlength(result_, row, col))};
}

std::string_view PgResult::command_status() const {
    const char* s = PQcmdStatus(result_);
    return s != nullptr ? std::string_view(s) : std::string_view();
}

// ---- connection ---------------------------------------------------------------------------

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& conninfo,
                                                            int lock_timeout_ms) {
    pg_conn* raw = PQconnectdb(conninfo.c_str());
    if (raw == nullptr) {
        return fail(ErrorCode::StoreUnavailable, "postgresql: out of memory while connecting");
    }
    auto conn = std::unique_ptr<PgConnection>(new PgConnection(raw, lock_timeout_ms));
    if (PQstatus(raw) != CONNECTION_OK) {
        return fail(ErrorCode::StoreUnavailable,
                    "postgresql: cannot connect: " + first_line(PQerrorMessage(raw)));
    }
    KAPAL_TRY(conn->configure());
    return conn;
}

PgConnection::PgConnection(pg_conn* conn, int lock_timeout_ms)
    : conn_(conn)
    , lock_timeout_ms_(lock_timeout_ms) {}

PgConnection::~PgConnection() {
    PQfinish(conn_);
}

Result<void> PgConnection::configure() {
    PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
    if (PQsetClientEncoding(conn_, "UTF8") != 0) {
        return fail(ErrorCode::StoreUnavailable,
                    "postgresql: cannot set the client encoding to UTF8: " +
                        first_line(PQerrorMessage(conn_)));
    }
    // Session settings: no value of ours, only a number, so plain text is safe here.
    const std::string settings = "SET lock_timeout = " + std::to_string(lock_timeout_ms_) +
                                 "; SET application_name = 'kapal'";
    return run(settings.c_str());
}

Result<bool> PgConnection::wait_notification(int timeout_ms) {
    const auto drain = [this] {
        bool any = false;
        while (PGnotify* n = PQnotifies(conn_)) {
            any = true;
            PQfreemem(n);
        }
        return any;
    };
    if (drain()) {
        return true;
    }
    const int fd = PQsocket(conn_);
    if (fd < 0) {
        return fail(ErrorCode::StoreUnavailable, "postgresql: the connection is closed");
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno != EINTR) {
        return fail(ErrorCode::StoreUnavailable, "postgresql: poll failed");
    }
    if (ready <= 0) {
        return false;
    }
    if (PQconsumeInput(conn_) == 0) {
        return fail(ErrorCode::StoreUnavailable,
                    std::string("postgresql: ") + PQerrorMessage(conn_));
    }
    return drain();
}

bool PgConnection::ok() const {
    return PQstatus(conn_) == CONNECTION_OK;
}

Result<void> PgConnection::reconnect() {
    prepared_.clear();
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
        return fail(ErrorCode::StoreUnavailable,
                    "postgresql: cannot reconnect: " + first_line(PQerrorMessage(conn_)));
    }
    return configure();
}

std::string PgConnection::parameter(const char* name) const {
    const char* v = PQparameterStatus(conn_, name);
    return v != nullptr ? v : "";
}

std::string PgConnection::location() const {
    const char* host = PQhost(conn_);
    const char* port = PQport(conn_);
    const char* db = PQdb(conn_);
    const char* user = PQuser(conn_);
    std::string out = "postgresql://";
    if (user != nullptr && *user != '\0') {
        out += user;
        out += '@';
    }
    out += host != nullptr ? host : "";
    if (port != nullptr && *port != '\0') {
        out += ':';
        out += port;
    }
    out += '/';
    out += db != nullptr ? db : "";
    return out;
}

Result<PgResult> PgConnection::exec(std::string_view sql, const PgParams& params) {
    auto it = prepared_.find(std::string(sql));
    if (it == prepared_.end()) {
        const std::string name = "k" + std::to_string(++next_statement_);
        const std::string text(sql);
        PgResult prepared(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
        if (PQresultStatus(prepared.raw()) != PGRES_COMMAND_OK) {
            return fail(pg_error(conn_, prepared.raw(), "preparing " + text));
        }
        it = prepared_.emplace(text, name).first;
    }
    const auto values = params.values();
    const auto lengths = params.lengths();
    PgResult result(PQexecPrepared(conn_,
                                   it->second.c_str(),
                                   params.size(),
                                   values.data(),
                                   lengths.data(),
                                   params.formats(),
                                   kBinary));
    const auto status = PQresultStatus(result.raw());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return fail(pg_error(conn_, result.raw(), it->first));
    }
    return result;
}

Result<PgResult> PgConnection::exec_once(const std::string& sql, const PgParams& params) {
    const auto values = params.values();
    const auto lengths = params.lengths();
    PgResult result(PQexecParams(conn_,
                                 sql.c_str(),
                                 params.size(),
                                 nullptr,
                                 values.data(),
                                 lengths.data(),
                                 params.formats(),
                                 kBinary));
    const auto status = PQresultStatus(result.raw());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return fail(pg_error(conn_, result.raw(), sql));
    }
    return result;
}

Result<void> PgConnection::run(const char* sql) {
    PgResult result(PQexec(conn_, sql));
    const auto status = PQresultStatus(result.raw());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return fail(pg_error(conn_, result.raw(), sql));
    }
    return {};
}

Result<void> PgConnection::copy_in(const std::string& copy_sql, std::string_view data) {
    {
        PgResult start(PQexec(conn_, copy_sql.c_str()));
        if (PQresultStatus(start.raw()) != PGRES_COPY_IN) {
            return fail(pg_error(conn_, start.raw(), copy_sql));
        }
    }
    // Sends in pieces that fit an int; the server reports errors at the end.
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    const char* failure = nullptr;
    for (std::size_t at = 0; at < data.size(); at += kChunk) {
        const std::size_t n = std::min(kChunk, data.size() - at);
        if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1) {
            failure = "sending COPY data failed";
            break;
        }
    }
    if (PQputCopyEnd(conn_, failure) != 1) {
        return fail(ErrorCode::StoreUnavailable,
                    "postgresql: ending COPY: " + first_line(PQerrorMessage(conn_)));
    }
    Result<void> outcome;
    // One result for the COPY, then nullptr.
    while (pg_result* r = PQgetResult(conn_)) {
        PgResult result(r);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && outcome) {
            outcome = fail(pg_error(conn_, r, copy_sql));
        }
    }
    return outcome;
}

// ---- transactions -------------------------------------------------------------------------

Result<PgTransaction> PgTransaction::begin(PgConnection& conn, const char* begin_sql) {
    KAPAL_TRY(conn.run(begin_sql));
    return PgTransaction(conn);
}

PgTransaction::PgTransaction(PgTransaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

PgTransaction::~PgTransaction() {
    if (conn_ != nullptr && conn_->ok()) {
        // Nothing useful can be done if the rollback fails: the connection is then broken
        // and the next use reconnects.
        (void)conn_->run("ROLLBACK");
    }
}

Result<void> PgTransaction::commit() {
    PgConnection* conn = std::exchange(conn_, nullptr);
    auto r = conn->exec_once("COMMIT");
    if (!r) {
        if (conn->ok()) {
            (void)conn->run("ROLLBACK");
        }
        return fail(std::move(r).error());
    }
    // COMMIT of a transaction that had failed answers "ROLLBACK": that is no success.
    if (r->command_status() != "COMMIT") {
        return fail(ErrorCode::Internal, "postgresql: the transaction was rolled back");
    }
    return {};
}

} // namespace kapal::store::detail
