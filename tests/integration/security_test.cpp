// Who may do what, over real sockets to a real `kapal serve`: the authorization matrix of every
// route × every role × inside/outside the caller's area, IDOR attempts, CSRF, session fixation,
// lockout, cookies, per-user limits, and that no NIK reaches the store (file or database) or the
// logs.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "integration/kapal_server.hpp"
#include "integration/test_photo.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> kRoles = {
    "admin", "operator", "penyalur", "merchant", "auditor", "viewer"};

/// A valid person in `kelurahan` with a NIK made unique by `serial` (1..9999). These persons
/// differ only in a digit of the NIK, so the duplicate check takes them for one another: the
/// warning person.possible_duplicate is confirmed up front (the record keeps the confirmation
/// only when the warning was raised).
std::string person_in(const std::string& kelurahan, int serial) {
    char nik[24];
    std::snprintf(nik, sizeof nik, "647401470385%04d", serial % 10000);
    return json{{"nik", nik},
                {"full_name", "Warga " + std::to_string(serial)},
                {"sex", "P"},
                {"birth_date", "1985-03-07"},
                {"address", {{"kelurahan_code", kelurahan}}},
                {"categories", {"fisik"}},
                {"confirmed_warnings", {"person.possible_duplicate"}},
                {"warning_reason", "uji keamanan: orang berbeda"}}
        .dump();
}

std::string nik_of(int serial) {
    char nik[24];
    std::snprintf(nik, sizeof nik, "647401470385%04d", serial % 10000);
    return nik;
}

/// `text` in lower-case hexadecimal, as PostgreSQL shows a bytea.
std::string hex_of(const std::string& text) {
    static const char* const kDigits = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : text) {
        out += kDigits[c >> 4];
        out += kDigits[c & 0xF];
    }
    return out;
}

class Security : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = new KapalServer(Settings{{"requests_per_second_per_address", "0"},
                                           {"requests_per_second_per_user", "0"}});
        // One account per role; operator and viewer see Bontang Utara (64.74.01) only.
        const std::map<std::string, std::vector<std::string>> areas = {
            {"operator", {"64.74.01"}},
            {"viewer", {"64.74.01"}},
            {"penyalur", {"64.74"}},
            {"merchant", {"64.74"}},
            {"auditor", {}},
        };
        passwords_ = new std::map<std::string, std::string>();
        (*passwords_)["admin"] = server_->admin_password();
        for (const auto& [role, codes] : areas) {
            (*passwords_)[role] = server_->add_user("u." + role, role, codes);
        }
        (*passwords_)["other"] = server_->add_user("u.other", "viewer", {"64.74"});
        // A second admin: the checker of aid lists the instance's admin proposes.
        (*passwords_)["admin2"] = server_->add_user("u.admin2", "admin", {});
        server_->start();
        server_->wait_for_point_index(); // the map routes answer 503 until then
        // Person "in" lives in Bontang Utara, person "out" in Bontang Selatan.
        auto in = server_->request("POST", "/api/v1/persons", person_in("64.74.01.1003", 1));
        auto out = server_->request("POST", "/api/v1/persons", person_in("64.74.02.1001", 2));
        ASSERT_EQ(in->status, 201) << in->body;
        ASSERT_EQ(out->status, 201) << out->body;
        in_id_ = new std::string(json::parse(in->body)["id"]);
        out_id_ = new std::string(json::parse(out->body)["id"]);
    }

    static void TearDownTestSuite() {
        server_->stop(SIGTERM);
        delete server_;
        delete passwords_;
        delete in_id_;
        delete out_id_;
    }

    static std::string username(const std::string& role) {
        return role == "admin" ? "admin" : "u." + role;
    }

    static Credentials login(const std::string& role) {
        return server_->login(username(role), passwords_->at(role));
    }

    static KapalServer* server_;
    static std::map<std::string, std::string>* passwords_;
    static std::string* in_id_;
    static std::string* out_id_;
};

KapalServer* Security::server_ = nullptr;
std::map<std::string, std::string>* Security::passwords_ = nullptr;
std::string* Security::in_id_ = nullptr;
std::string* Security::out_id_ = nullptr;

// ---------------------------------------------------------------------------------------------
// The matrix

enum class Scope { In, Out };

/// One classified route: who may call it, and how to call it on a record inside or outside the
/// caller's area.
struct RouteCase {
    std::set<std::string> roles; ///< empty with open = anyone
    bool open = false;
    bool scoped = false; ///< answers differ inside/outside the caller's area
    int ok = 200;        ///< status of an allowed call inside the area
    int out = 404;       ///< status of an allowed, scoped call outside the area
    /// Sends the request as `who`; `scope` picks the record; `serial` makes bodies unique.
    std::function<std::optional<HttpResponse>(const Credentials& who, Scope scope, int serial)>
        call;
    /// For users whose areas cover a whole cycle (a transfer batch does): here the operator and
    /// the viewer, limited to one kecamatan, get 403 whatever the record.
    bool whole_instance = false;
};

const std::set<std::string> kReaders = {"admin", "operator", "auditor", "viewer"};
const std::set<std::string> kWriters = {"admin", "operator"};
const std::set<std::string> kUnmaskers = {"admin", "operator", "auditor"};

TEST_F(Security, AuthorizationMatrixCoversEveryRouteEveryRoleAndScope) {
    KapalServer& s = *server_;
    auto id = [](Scope scope) {
        return scope == Scope::In ? *in_id_ : *out_id_;
    };
    auto kel = [](Scope scope) {
        return scope == Scope::In ? "64.74.01.1003" : "64.74.02.1001";
    };

    std::map<std::string, RouteCase> table;
    table["GET /healthz"] = {{}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
                                 return s.send("GET", "/healthz", "", {}, who);
                             }};
    // The card keys: public by design (verifiers check cards offline with them).
    table["GET /.well-known/kapal-keys.json"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/.well-known/kapal-keys.json", "", {}, who);
        }};
    // Card verification: anyone who holds a card may check it (a malformed one answers 200 too).
    table["POST /api/v1/cards/verify"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST", "/api/v1/cards/verify", R"({"qr":"HELLO WORLD"})", {}, who);
        }};
    table["GET /api/v1/openapi.json"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/openapi.json", "", {}, who);
        }};
    // Open, but answers 401 to wrong credentials: checked with a wrong password here, and with
    // right ones in the session tests below.
    table["POST /api/v1/auth/login"] = {
        {}, true, false, 401, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST",
                          "/api/v1/auth/login",
                          R"({"username":"admin","password":"salah salah salah"})",
                          {},
                          who);
        }};
    table["POST /api/v1/auth/logout"] = {{kRoles.begin(), kRoles.end()},
                                         false,
                                         false,
                                         204,
                                         0,
                                         [&](const Credentials& who, Scope, int) {
                                             return s.send(
                                                 "POST", "/api/v1/auth/logout", "", {}, who);
                                         }};
    table["GET /api/v1/auth/me"] = {{kRoles.begin(), kRoles.end()},
                                    false,
                                    false,
                                    200,
                                    0,
                                    [&](const Credentials& who, Scope, int) {
                                        return s.send("GET", "/api/v1/auth/me", "", {}, who);
                                    }};
    table["GET /api/v1/auth/sessions"] = {{kRoles.begin(), kRoles.end()},
                                          false,
                                          false,
                                          200,
                                          0,
                                          [&](const Credentials& who, Scope, int) {
                                              return s.send(
                                                  "GET", "/api/v1/auth/sessions", "", {}, who);
                                          }};
    // Inside = one's own session; outside = the admin's (another user's) session.
    table["DELETE /api/v1/auth/sessions/{id}"] = {
        {kRoles.begin(), kRoles.end()},
        false,
        true,
        204,
        404,
        [&](const Credentials& who, Scope scope, int) -> std::optional<HttpResponse> {
            std::string target_id;
            if (scope == Scope::Out) {
                auto other = login("other");
                auto me = s.send("GET", "/api/v1/auth/me", "", {}, other);
                target_id = json::parse(me->body)["session_id"];
            } else {
                auto me = s.send("GET", "/api/v1/auth/me", "", {}, who);
                if (me->status != 200) {
                    target_id = "0190a000-0000-7000-8000-000000000000";
                } else {
                    target_id = json::parse(me->body).value("session_id", "none");
                }
            }
            return s.send("DELETE", "/api/v1/auth/sessions/" + target_id, "", {}, who);
        }};
    table["GET /api/v1/users"] = {
        {"admin"}, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/users", "", {}, who);
        }};
    table["GET /api/v1/audit"] = {
        {"admin", "auditor"}, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/audit?limit=5", "", {}, who);
        }};
    table["GET /api/v1/audit/verify"] = {
        {"admin", "auditor"}, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/audit/verify", "", {}, who);
        }};
    table["POST /api/v1/persons"] = {
        kWriters, false, true, 201, 403, [&](const Credentials& who, Scope scope, int serial) {
            return s.send("POST", "/api/v1/persons", person_in(kel(scope), serial), {}, who);
        }};
    // A list is never refused for scope: outside records are simply not in it (checked below).
    table["GET /api/v1/persons"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/persons", "", {}, who);
        }};
    // A search answers only in-area persons, never refuses for scope (like the list).
    table["POST /api/v1/persons/search"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send(
                "POST",
                "/api/v1/persons/search",
                R"({"geometry":{"type":"Polygon","coordinates":[[[117,0],[118,0],[118,1],[117,0]]]}})",
                {},
                who);
        }};
    table["POST /api/v1/routes/visit"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST",
                          "/api/v1/routes/visit",
                          json{{"start", {117.47, 0.13}}, {"persons", {id(scope)}}}.dump(),
                          {},
                          who);
        }};
    // Map layers: counts, never refused for scope (other areas are simply not counted; checked
    // in map_api_test.cpp). The public map is open.
    table["GET /api/v1/map/clusters"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send(
                "GET", "/api/v1/map/clusters?bbox=117.3,0,117.6,0.3&zoom=12", "", {}, who);
        }};
    table["GET /api/v1/areas"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/areas", "", {}, who);
        }};
    table["GET /api/v1/public/areas"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/public/areas", "", {}, who);
        }};
    table["POST /api/v1/persons/lookup"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST",
                          "/api/v1/persons/lookup",
                          json{{"nik", nik_of(scope == Scope::In ? 1 : 2)}}.dump(),
                          {},
                          who);
        }};
    table["GET /api/v1/persons/{id}"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/persons/" + id(scope), "", {}, who);
        }};
    table["PUT /api/v1/persons/{id}"] = {
        kWriters, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            auto current = s.request("GET", "/api/v1/persons/" + id(scope));
            auto body = json::parse(current->body);
            body["phone"] = "0812-0000-" + std::to_string(1000 + body["version"].get<int>());
            return s.send("PUT",
                          "/api/v1/persons/" + id(scope),
                          body.dump(),
                          {{"If-Match", current->header("ETag")}},
                          who);
        }};
    // Photos: every call first gives the person a photo as the admin, so that reading and
    // removing find one whatever ran before.
    const auto put_photo = [&](Scope scope, const Credentials& who) {
        auto current = s.request("GET", "/api/v1/persons/" + id(scope));
        return s.send("PUT",
                      "/api/v1/persons/" + id(scope) + "/photo",
                      as_body(kRedPhotoPng),
                      {{"Content-Type", "image/png"}, {"If-Match", current->header("ETag")}},
                      who);
    };
    table["PUT /api/v1/persons/{id}/photo"] = {
        kWriters, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return put_photo(scope, who);
        }};
    table["GET /api/v1/persons/{id}/photo"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            auto given = put_photo(scope, s.admin());
            EXPECT_TRUE(given && given->status == 200) << (given ? given->body : "no answer");
            return s.send("GET", "/api/v1/persons/" + id(scope) + "/photo", "", {}, who);
        }};
    table["DELETE /api/v1/persons/{id}/photo"] = {
        kWriters, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            auto given = put_photo(scope, s.admin());
            EXPECT_TRUE(given && given->status == 200) << (given ? given->body : "no answer");
            if (!given) {
                return given;
            }
            return s.send("DELETE",
                          "/api/v1/persons/" + id(scope) + "/photo",
                          "",
                          {{"If-Match", given->header("ETag")}},
                          who);
        }};
    table["GET /api/v1/persons/{id}/versions"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/persons/" + id(scope) + "/versions", "", {}, who);
        }};
    table["POST /api/v1/persons/{id}/reveal"] = {
        kUnmaskers, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST",
                          "/api/v1/persons/" + id(scope) + "/reveal",
                          R"({"purpose":"uji matriks akses"})",
                          {},
                          who);
        }};

    // OGC API – Features: the descriptions and the areas are open; persons are for readers,
    // the list limited to their areas (never refused), one person outside them absent.
    for (const char* path : {"/ogc",
                             "/ogc/conformance",
                             "/ogc/collections",
                             "/ogc/collections/persons",
                             "/ogc/collections/areas",
                             "/ogc/collections/areas/items"}) {
        table[std::string("GET ") + path] = {
            {}, true, false, 200, 0, [&s, path](const Credentials& who, Scope, int) {
                return s.send("GET", path, "", {}, who);
            }};
    }
    table["GET /ogc/collections/areas/items/{featureId}"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/ogc/collections/areas/items/64.74.01.1003", "", {}, who);
        }};
    table["GET /ogc/collections/persons/items"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/ogc/collections/persons/items", "", {}, who);
        }};
    table["GET /ogc/collections/persons/items/{featureId}"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/ogc/collections/persons/items/" + id(scope), "", {}, who);
        }};

    // The hazard zones layer: for readers, never scoped (zones are not personal data).
    table["GET /ogc/collections/hazards"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/ogc/collections/hazards", "", {}, who);
        }};
    table["GET /ogc/collections/hazards/items"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/ogc/collections/hazards/items", "", {}, who);
        }};
    table["GET /ogc/collections/hazards/items/{featureId}"] = {
        kReaders, false, false, 404, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET",
                          "/ogc/collections/hazards/items/01900000-0000-7000-8000-000000000999",
                          "",
                          {},
                          who);
        }};

    // The facilities layer: as the hazard zones (facilities are no personal data).
    table["GET /ogc/collections/facilities"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/ogc/collections/facilities", "", {}, who);
        }};
    table["GET /ogc/collections/facilities/items"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/ogc/collections/facilities/items", "", {}, who);
        }};
    table["GET /ogc/collections/facilities/items/{featureId}"] = {
        kReaders, false, false, 404, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET",
                          "/ogc/collections/facilities/items/01900000-0000-7000-8000-000000000999",
                          "",
                          {},
                          who);
        }};

    // Downloads: persons for readers (limited to their areas, as the list), areas open. The
    // persons' formats alternate, so that every one, and the DTKS layout, meets the matrix.
    table["GET /api/v1/exports/persons"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int serial) {
            static const char* const kQueries[] = {
                "format=geojson", "layout=dtks", "layout=dtks&format=xlsx", "format=xlsx"};
            return s.send("GET",
                          std::string("/api/v1/exports/persons?") +
                              kQueries[static_cast<std::size_t>(serial) % 4],
                          "",
                          {},
                          who);
        }};
    table["GET /api/v1/exports/areas"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/exports/areas?format=csv", "", {}, who);
        }};

    // Hazard zones: the map for readers, uploads for writers; an evacuation list is never
    // refused for scope (it lists only the caller's areas, like a search).
    const std::string hazard_map =
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
        R"("geometry":{"type":"Polygon","coordinates":[[[117,0],[118,0],[118,1],[117,0]]]}}]})";
    table["GET /api/v1/hazards"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/hazards", "", {}, who);
        }};
    table["POST /api/v1/hazards"] = {
        kWriters, false, false, 201, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST",
                          "/api/v1/hazards?filename=z.geojson&hazard=banjir&level=tinggi",
                          hazard_map,
                          {},
                          who);
        }};
    // Accounts: admins only. The admin's calls make a new account each, and disable, enable
    // and reset the password of one target account (made at the first call).
    table["POST /api/v1/users"] = {
        {"admin"}, false, false, 201, 0, [&](const Credentials& who, Scope, int serial) {
            return s.send(
                "POST",
                "/api/v1/users",
                json{{"username", "made." + std::to_string(serial)}, {"role", "auditor"}}.dump(),
                {},
                who);
        }};
    bool target_made = false;
    for (const std::string verb : {"disable", "enable", "password"}) {
        table["POST /api/v1/users/{username}/" + verb] = {
            {"admin"}, false, false, 200, 0, [&, verb](const Credentials& who, Scope, int) {
                if (!target_made) {
                    auto made = s.request(
                        "POST", "/api/v1/users", R"({"username":"u.target","role":"auditor"})");
                    EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "");
                    target_made = true;
                }
                return s.send("POST", "/api/v1/users/u.target/" + verb, "", {}, who);
            }};
    }
    // The dashboard's figures: counts of the caller's areas, never refused for scope.
    table["GET /api/v1/stats"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/stats", "", {}, who);
        }};
    // The registry's flows: figures of the areas inside the caller's scope, never refused for
    // scope (integration/flows_http_test.cpp checks what each caller gets).
    table["GET /api/v1/stats/flows"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/stats/flows?period=2026-Q3&level=kelurahan", "", {}, who);
        }};
    table["GET /api/v1/stats/indicators"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send(
                "GET", "/api/v1/stats/indicators?period=2026-Q3&level=kelurahan", "", {}, who);
        }};
    table["GET /api/v1/reports/rakor"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/reports/rakor?period=2026-Q3&format=xlsx", "", {}, who);
        }};
    table["GET /api/v1/stats/flows/monthly"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/stats/flows/monthly?months=3", "", {}, who);
        }};
    // Imports: writers only; rows outside the caller's areas are refused row by row in the
    // report (integration/import_http_test.cpp), so the call itself is never refused for scope.
    table["GET /api/v1/imports/template"] = {
        kWriters, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/imports/template?format=csv", "", {}, who);
        }};
    table["POST /api/v1/imports/persons"] = {
        kWriters, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST",
                          "/api/v1/imports/persons?filename=a.csv&dry_run=true",
                          "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                          "6474011503850001,Ahmad,L,15/03/1985,Lok Tuan,fisik\n",
                          {},
                          who);
        }};
    std::string zone_id;
    table["GET /api/v1/hazards/{id}/evacuation"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            if (zone_id.empty()) {
                auto made =
                    s.request("POST",
                              "/api/v1/hazards?filename=z.geojson&hazard=banjir&level=tinggi",
                              hazard_map);
                zone_id = json::parse(made->body)["imported"][0]["id"].get<std::string>();
            }
            return s.send("GET", "/api/v1/hazards/" + zone_id + "/evacuation", "", {}, who);
        }};

    // Facilities: the list for readers, uploads for writers; a coverage report is never
    // refused for scope (it counts and lists only the caller's areas, like a search).
    const std::string facility_file =
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
        R"("geometry":{"type":"Point","coordinates":[117.47,0.13]}}]})";
    table["GET /api/v1/facilities"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/facilities", "", {}, who);
        }};
    table["POST /api/v1/facilities"] = {
        kWriters, false, false, 201, 0, [&](const Credentials& who, Scope, int) {
            return s.send(
                "POST", "/api/v1/facilities?filename=f.geojson&kind=slb", facility_file, {}, who);
        }};
    table["GET /api/v1/facilities/coverage"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/facilities/coverage?kind=slb&max_m=1000", "", {}, who);
        }};
    table["GET /api/v1/facilities/nearest"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/facilities/nearest?kind=slb", "", {}, who);
        }};
    table["GET /api/v1/persons/{id}/facilities"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/persons/" + id(scope) + "/facilities", "", {}, who);
        }};

    // Cards. Writes that change a card's state get a fresh card (issued by the admin) each call,
    // so that every allowed call can succeed; reads use the card of the person of the scope.
    auto fresh_card = [&](Scope scope) {
        auto issued = s.request(
            "POST", "/api/v1/persons/" + id(scope) + "/cards", R"({"replace_reason":"rusak"})");
        EXPECT_TRUE(issued && issued->status == 201) << (issued ? issued->body : "no answer");
        return issued && issued->status == 201
                   ? json::parse(issued->body)["number"].get<std::string>()
                   : std::string("647400000000");
    };
    const std::map<Scope, std::string> card_of = {{Scope::In, fresh_card(Scope::In)},
                                                  {Scope::Out, fresh_card(Scope::Out)}};
    table["GET /.well-known/kapal-revocations"] = {
        {}, true, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/.well-known/kapal-revocations", "", {}, who);
        }};
    table["POST /api/v1/persons/{id}/cards"] = {
        kWriters, false, true, 201, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST",
                          "/api/v1/persons/" + id(scope) + "/cards",
                          R"({"replace_reason":"rusak"})",
                          {},
                          who);
        }};
    table["GET /api/v1/persons/{id}/aid"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/persons/" + id(scope) + "/aid", "", {}, who);
        }};
    table["GET /api/v1/persons/{id}/cards"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/persons/" + id(scope) + "/cards", "", {}, who);
        }};
    table["GET /api/v1/cards"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/cards?stage=to_print", "", {}, who);
        }};
    table["GET /api/v1/cards/{number}"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/cards/" + card_of.at(scope), "", {}, who);
        }};
    table["GET /api/v1/cards/{number}/image"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/cards/" + card_of.at(scope) + "/image", "", {}, who);
        }};
    // Print sheets: operators and admins; a scoped caller asking for another area is refused.
    table["GET /api/v1/cards/sheet"] = {
        kWriters, false, true, 200, 403, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET",
                          std::string("/api/v1/cards/sheet?stage=to_print&kelurahan=") + kel(scope),
                          "",
                          {},
                          who);
        }};
    table["POST /api/v1/cards/{number}/revoke"] = {
        kWriters, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST",
                          "/api/v1/cards/" + fresh_card(scope) + "/revoke",
                          R"({"reason":"lainnya","note":"uji matriks"})",
                          {},
                          who);
        }};
    for (const std::string path : {"/api/v1/cards/printed", "/api/v1/cards/handed-over"}) {
        table["POST " + path] = {
            kWriters, false, true, 200, 404, [&, path](const Credentials& who, Scope scope, int) {
                return s.send(
                    "POST", path, R"({"numbers":[")" + fresh_card(scope) + R"("]})", {}, who);
            }};
    }

    // The services the card opens: the catalogue for readers, edited by admins; requests of
    // the persons of the caller's areas. A new service needs a code of its own on every call.
    const std::set<std::string> kAdmins = {"admin"};
    table["GET /api/v1/services"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/services", "", {}, who);
        }};
    table["POST /api/v1/services"] = {
        kAdmins, false, false, 201, 0, [&](const Credentials& who, Scope, int serial) {
            return s.send("POST",
                          "/api/v1/services",
                          R"({"code":"uji_)" + std::to_string(serial) + R"(","name":"Uji"})",
                          {},
                          who);
        }};
    table["PUT /api/v1/services/{code}"] = {
        kAdmins, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("PUT",
                          "/api/v1/services/rujukan",
                          R"({"name":"Rujukan ke layanan profesional lain","position":12})",
                          {},
                          who);
        }};
    auto open_request = [&](Scope scope) {
        auto opened = s.request("POST",
                                "/api/v1/persons/" + id(scope) + "/service-requests",
                                R"({"service":"pangan"})");
        EXPECT_TRUE(opened && opened->status == 201) << (opened ? opened->body : "no answer");
        return opened && opened->status == 201 ? json::parse(opened->body)["id"].get<std::string>()
                                               : std::string("x");
    };
    const std::map<Scope, std::string> request_of = {{Scope::In, open_request(Scope::In)},
                                                     {Scope::Out, open_request(Scope::Out)}};
    table["GET /api/v1/persons/{id}/service-requests"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/persons/" + id(scope) + "/service-requests", "", {}, who);
        }};
    table["POST /api/v1/persons/{id}/service-requests"] = {
        kWriters, false, true, 201, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST",
                          "/api/v1/persons/" + id(scope) + "/service-requests",
                          R"({"service":"sandang","note":"uji"})",
                          {},
                          who);
        }};
    table["POST /api/v1/service-requests/scan"] = {
        kWriters, false, true, 201, 404, [&](const Credentials& who, Scope scope, int) {
            auto card = s.request("GET", "/api/v1/cards/" + fresh_card(scope));
            const std::string qr =
                card && card->status == 200 ? json::parse(card->body)["qr"].get<std::string>() : "";
            return s.send("POST",
                          "/api/v1/service-requests/scan",
                          json{{"qr", qr}, {"service", "kedaruratan"}}.dump(),
                          {},
                          who);
        }};
    table["GET /api/v1/service-requests/{id}"] = {
        kReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", "/api/v1/service-requests/" + request_of.at(scope), "", {}, who);
        }};
    table["POST /api/v1/service-requests/{id}/status"] = {
        kWriters, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST",
                          "/api/v1/service-requests/" + open_request(scope) + "/status",
                          R"({"status":"diproses"})",
                          {{"If-Match", "\"1\""}},
                          who);
        }};

    // Social assistance: programmes and cycles for everyone signed in (a penyalur or merchant
    // sees those assigned to them: both are, here); lists made by writers within their areas,
    // approved by admins; handovers by the assigned penyalur (and admins) wherever the person
    // lives. Writes that move a list along get a fresh cycle per call.
    const std::set<std::string> kEveryone(kRoles.begin(), kRoles.end());
    const std::set<std::string> kHandOvers = {"admin", "penyalur"};
    const std::set<std::string> kDeliveryReaders = {
        "admin", "operator", "auditor", "viewer", "penyalur"};
    std::map<std::string, std::string> user_ids;
    {
        auto users = s.request("GET", "/api/v1/users");
        const json page = json::parse(users->body);
        for (const auto& u : page["items"]) {
            user_ids[u["username"].get<std::string>()] = u["id"].get<std::string>();
        }
    }
    {
        auto made = s.request("POST",
                              "/api/v1/aid/programs",
                              json{{"code", "matriks"},
                                   {"name", "Matriks"},
                                   {"source", "APBD"},
                                   {"kind", "barang"},
                                   {"channel", "langsung"},
                                   {"unit_value", 100000},
                                   {"rule", "true"},
                                   {"assignees", {user_ids["u.penyalur"], user_ids["u.merchant"]}}}
                                  .dump());
        ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
    }
    int next_cycle = 0;
    const auto etag_of = [&](const std::string& cycle_id) {
        auto got = s.request("GET", "/api/v1/aid/cycles/" + cycle_id);
        return got && got->status == 200 ? got->header("ETag") : std::string("\"1\"");
    };
    // A new cycle of the programme, its list generated and, as asked, proposed by the second
    // admin (so that the role's admin may approve it) and approved.
    const auto new_cycle = [&](const std::string& state) {
        auto made = s.request("POST",
                              "/api/v1/aid/programs/matriks/cycles",
                              json{{"number", ++next_cycle},
                                   {"name", "Tahap " + std::to_string(next_cycle)},
                                   {"starts_on", "2020-01-01"},
                                   {"ends_on", "2099-12-31"}}
                                  .dump());
        EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        const std::string cycle_id =
            made && made->status == 201 ? json::parse(made->body)["id"].get<std::string>() : "x";
        const auto step = [&](const std::string& action, const Credentials& who) {
            auto res = s.send("POST",
                              "/api/v1/aid/cycles/" + cycle_id + "/list/" + action,
                              "",
                              {{"If-Match", etag_of(cycle_id)}},
                              who);
            EXPECT_TRUE(res && res->status == 200) << action << ": " << (res ? res->body : "");
        };
        step("generate", s.admin());
        if (state != "draft") {
            step("propose", login("admin2"));
        }
        if (state == "approved") {
            step("approve", s.admin());
        }
        return cycle_id;
    };
    const std::string draft_cycle = new_cycle("draft");
    const std::string approved_cycle = new_cycle("approved");
    const auto qr_of = [&](Scope scope) {
        auto card = s.request("GET", "/api/v1/cards/" + card_of.at(scope));
        return card && card->status == 200 ? json::parse(card->body)["qr"].get<std::string>()
                                           : std::string();
    };
    const auto handed_over = [&](Scope scope) {
        auto res = s.send(
            "POST",
            "/api/v1/aid/cycles/" + approved_cycle + "/handovers",
            json{{"qr", qr_of(scope)}, {"evidence", "iVBORw0KGgo="}, {"evidence_type", "image/png"}}
                .dump(),
            {},
            login("penyalur"));
        EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
        return res && res->status == 201 ? json::parse(res->body)["id"].get<std::string>()
                                         : std::string("x");
    };
    const std::map<Scope, std::string> delivery_of = {{Scope::In, handed_over(Scope::In)},
                                                      {Scope::Out, handed_over(Scope::Out)}};
    table["GET /api/v1/aid/programs"] = {
        kEveryone, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/programs", "", {}, who);
        }};
    table["POST /api/v1/aid/programs"] = {
        kAdmins, false, false, 201, 0, [&](const Credentials& who, Scope, int serial) {
            return s.send("POST",
                          "/api/v1/aid/programs",
                          json{{"code", "uji_" + std::to_string(serial)},
                               {"name", "Uji"},
                               {"source", "CSR"},
                               {"kind", "layanan"},
                               {"channel", "langsung"},
                               {"unit_value", 0}}
                              .dump(),
                          {},
                          who);
        }};
    table["GET /api/v1/aid/programs/{code}"] = {
        kEveryone, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/programs/matriks", "", {}, who);
        }};
    table["PUT /api/v1/aid/programs/{code}"] = {
        kAdmins, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            auto current = s.request("GET", "/api/v1/aid/programs/matriks");
            json body = json::parse(current->body);
            for (const char* key :
                 {"version", "created_at", "created_by", "updated_at", "updated_by"}) {
                body.erase(key);
            }
            return s.send("PUT",
                          "/api/v1/aid/programs/matriks",
                          body.dump(),
                          {{"If-Match", current->header("ETag")}},
                          who);
        }};
    table["GET /api/v1/aid/programs/{code}/cycles"] = {
        kEveryone, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/programs/matriks/cycles", "", {}, who);
        }};
    table["POST /api/v1/aid/programs/{code}/cycles"] = {
        kAdmins, false, false, 201, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST",
                          "/api/v1/aid/programs/matriks/cycles",
                          json{{"number", ++next_cycle},
                               {"name", "Uji"},
                               {"starts_on", "2026-01-01"},
                               {"ends_on", "2026-12-31"}}
                              .dump(),
                          {},
                          who);
        }};
    table["GET /api/v1/aid/cycles/{id}"] = {
        kEveryone, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/cycles/" + approved_cycle, "", {}, who);
        }};
    table["POST /api/v1/aid/rules/preview"] = {
        kUnmaskers, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST",
                          "/api/v1/aid/rules/preview",
                          R"({"rule":"age >= 18 and not dtks"})",
                          {},
                          who);
        }};
    table["POST /api/v1/aid/cycles/{id}/list/generate"] = {
        kWriters, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST",
                          "/api/v1/aid/cycles/" + draft_cycle + "/list/generate",
                          "",
                          {{"If-Match", etag_of(draft_cycle)}},
                          who);
        }};
    table["GET /api/v1/aid/cycles/{id}/list"] = {
        kEveryone, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/cycles/" + approved_cycle + "/list", "", {}, who);
        }};
    // Add: the person is first taken off (as the admin); remove: first put back.
    for (const auto& [action, undo] :
         {std::pair<std::string, std::string>{"add", "remove"}, {"remove", "add"}}) {
        table["POST /api/v1/aid/cycles/{id}/list/" + action] = {
            kWriters,
            false,
            true,
            200,
            404,
            [&, action = action, undo = undo](const Credentials& who, Scope scope, int) {
                const json body{{"person_id", id(scope)}, {"reason", "uji matriks"}};
                s.request("POST",
                          "/api/v1/aid/cycles/" + draft_cycle + "/list/" + undo,
                          body.dump(),
                          {{"If-Match", etag_of(draft_cycle)}});
                return s.send("POST",
                              "/api/v1/aid/cycles/" + draft_cycle + "/list/" + action,
                              body.dump(),
                              {{"If-Match", etag_of(draft_cycle)}},
                              who);
            }};
    }
    for (const auto& [action, from] : {std::pair<std::string, std::string>{"propose", "draft"},
                                       {"approve", "proposed"},
                                       {"return", "proposed"}}) {
        table["POST /api/v1/aid/cycles/{id}/list/" + action] = {
            action == "propose" ? kWriters : kAdmins,
            false,
            false,
            200,
            0,
            [&, action = action, from = from](const Credentials& who, Scope, int) {
                const std::string cycle_id = new_cycle(from);
                return s.send("POST",
                              "/api/v1/aid/cycles/" + cycle_id + "/list/" + action,
                              action == "return" ? R"({"reason":"uji"})" : "",
                              {{"If-Match", etag_of(cycle_id)}},
                              who);
            }};
    }
    table["POST /api/v1/aid/cycles/{id}/beneficiary"] = {
        kHandOvers, false, false, 200, 0, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST",
                          "/api/v1/aid/cycles/" + approved_cycle + "/beneficiary",
                          json{{"qr", qr_of(scope)}}.dump(),
                          {},
                          who);
        }};
    table["GET /api/v1/aid/cycles/{id}/beneficiaries"] = {
        kHandOvers, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET",
                          "/api/v1/aid/cycles/" + approved_cycle + "/beneficiaries?q=Siti",
                          "",
                          {},
                          who);
        }};
    table["POST /api/v1/aid/cycles/{id}/handovers"] = {
        kHandOvers, false, false, 201, 0, [&](const Credentials& who, Scope scope, int) {
            const std::string cycle_id = new_cycle("approved");
            return s.send("POST",
                          "/api/v1/aid/cycles/" + cycle_id + "/handovers",
                          json{{"qr", qr_of(scope)}}.dump(),
                          {},
                          who);
        }};
    table["GET /api/v1/aid/cycles/{id}/deliveries"] = {
        kDeliveryReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send(
                "GET", "/api/v1/aid/cycles/" + approved_cycle + "/deliveries", "", {}, who);
        }};
    table["GET /api/v1/aid/deliveries/{id}/evidence"] = {
        kDeliveryReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET",
                          "/api/v1/aid/deliveries/" + delivery_of.at(scope) + "/evidence",
                          "",
                          {},
                          who);
        }};
    table["GET /api/v1/aid/cycles/{id}/realisation"] = {
        kReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send(
                "GET", "/api/v1/aid/cycles/" + approved_cycle + "/realisation", "", {}, who);
        }};

    // Vouchers: merchants registered by admins and listed for office staff and merchants (a
    // merchant sees its own e-warong); the scan and redemption by the assigned merchant (and
    // admins, naming the merchant); balances for office staff within their areas and the
    // assigned merchant; the ledger and what is owed for admins, auditors and the merchant (its
    // own lines).
    const std::set<std::string> kMerchantReaders = {
        "admin", "operator", "auditor", "viewer", "merchant"};
    const std::set<std::string> kRedeemers = {"admin", "merchant"};
    const std::set<std::string> kLedgerReaders = {"admin", "auditor", "merchant"};
    const auto merchant_body = [&](const std::string& name) {
        return json{{"name", name},
                    {"user_id", user_ids["u.merchant"]},
                    {"kelurahan_code", "64.74.01.1003"},
                    {"lon", 117.49},
                    {"lat", 0.13}}
            .dump();
    };
    std::string own_merchant = "x";
    {
        auto made = s.request("POST", "/api/v1/aid/merchants", merchant_body("E-Warong Matriks"));
        ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        own_merchant = json::parse(made->body)["id"].get<std::string>();
        auto programme = s.request("POST",
                                   "/api/v1/aid/programs",
                                   json{{"code", "matriks_v"},
                                        {"name", "Matriks voucher"},
                                        {"source", "APBN"},
                                        {"kind", "voucher"},
                                        {"channel", "voucher"},
                                        {"unit_value", 100000},
                                        {"rule", "true"},
                                        {"assignees", {user_ids["u.merchant"]}}}
                                       .dump());
        ASSERT_TRUE(programme && programme->status == 201)
            << (programme ? programme->body : "no answer");
    }
    std::string voucher_cycle = "x";
    {
        auto made = s.request("POST",
                              "/api/v1/aid/programs/matriks_v/cycles",
                              json{{"number", 1},
                                   {"name", "Tahap 1"},
                                   {"starts_on", "2020-01-01"},
                                   {"ends_on", "2099-12-31"}}
                                  .dump());
        ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        voucher_cycle = json::parse(made->body)["id"].get<std::string>();
        for (const auto& [action, who] : std::vector<std::pair<std::string, Credentials>>{
                 {"generate", s.admin()}, {"propose", login("admin2")}, {"approve", s.admin()}}) {
            auto res = s.send("POST",
                              "/api/v1/aid/cycles/" + voucher_cycle + "/list/" + action,
                              "",
                              {{"If-Match", etag_of(voucher_cycle)}},
                              who);
            ASSERT_TRUE(res && res->status == 200) << action << ": " << (res ? res->body : "");
        }
    }
    const std::string vouchers = "/api/v1/aid/cycles/" + voucher_cycle + "/voucher";
    table["GET /api/v1/aid/merchants"] = {
        kMerchantReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/merchants?format=geojson", "", {}, who);
        }};
    table["POST /api/v1/aid/merchants"] = {
        kAdmins, false, false, 201, 0, [&](const Credentials& who, Scope, int serial) {
            return s.send("POST",
                          "/api/v1/aid/merchants",
                          merchant_body("E-Warong " + std::to_string(serial)),
                          {},
                          who);
        }};
    table["GET /api/v1/aid/merchants/{id}"] = {
        kMerchantReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/merchants/" + own_merchant, "", {}, who);
        }};
    table["PUT /api/v1/aid/merchants/{id}"] = {
        kAdmins, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            auto current = s.request("GET", "/api/v1/aid/merchants/" + own_merchant);
            return s.send("PUT",
                          "/api/v1/aid/merchants/" + own_merchant,
                          merchant_body("E-Warong Matriks"),
                          {{"If-Match", current ? current->header("ETag") : "\"1\""}},
                          who);
        }};
    table["GET /api/v1/aid/merchants/{id}/transactions"] = {
        kLedgerReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send(
                "GET", "/api/v1/aid/merchants/" + own_merchant + "/transactions", "", {}, who);
        }};
    table["POST /api/v1/aid/cycles/{id}/voucher/holder"] = {
        kRedeemers, false, false, 200, 0, [&](const Credentials& who, Scope scope, int) {
            return s.send("POST", vouchers + "/holder", json{{"qr", qr_of(scope)}}.dump(), {}, who);
        }};
    table["GET /api/v1/aid/cycles/{id}/voucher/holders"] = {
        kRedeemers, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", vouchers + "/holders?q=Siti", "", {}, who);
        }};
    table["POST /api/v1/aid/cycles/{id}/voucher/redemptions"] = {
        kRedeemers, false, false, 201, 0, [&](const Credentials& who, Scope scope, int) {
            return s.send(
                "POST",
                vouchers + "/redemptions",
                json{{"qr", qr_of(scope)}, {"amount", 1}, {"merchant_id", own_merchant}}.dump(),
                {},
                who);
        }};
    table["GET /api/v1/aid/cycles/{id}/voucher/balances/{person}"] = {
        kMerchantReaders, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET", vouchers + "/balances/" + id(scope), "", {}, who);
        }};
    table["GET /api/v1/aid/cycles/{id}/voucher/ledger"] = {
        kLedgerReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", vouchers + "/ledger", "", {}, who);
        }};
    table["GET /api/v1/aid/cycles/{id}/voucher/merchant-totals"] = {
        kLedgerReaders, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", vouchers + "/merchant-totals", "", {}, who);
        }};

    // The duplicate review queue: read by office staff (admin, operator, auditor), decided by an
    // admin or an operator whose areas hold both homes, scanned by an admin. A pair of two
    // persons alike in everything but one NIK digit, in the scope's kelurahan, born on a day of
    // their own (so that they pair with each other only).
    const std::set<std::string> kReviewers = {"admin", "operator", "auditor"};
    const auto make_pair = [&](Scope scope, int serial) -> std::string {
        const int day = 1 + serial % 28;
        const int month = 1 + (serial / 28) % 12;
        const int year = 1940 + (serial / 336) % 50;
        char birth[16];
        std::snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, month, day);
        std::string ids[2];
        for (int i = 0; i < 2; ++i) {
            char nik[24];
            // The last digits step by 37 a serial: persons of two serials differ in at least
            // two digits (never "one digit off"), the pair's two in the last one only.
            std::snprintf(nik,
                          sizeof nik,
                          "647401%02d%02d%02d%03d%d",
                          day + 40,
                          month,
                          year % 100,
                          (serial * 37) % 1000,
                          i);
            json p{{"nik", nik},
                   {"full_name", "Ratna Kusumawardani"},
                   {"sex", "P"},
                   {"birth_date", birth},
                   {"address", {{"kelurahan_code", kel(scope)}}},
                   {"categories", {"fisik"}},
                   {"confirmed_warnings", {"person.possible_duplicate"}},
                   {"warning_reason", "uji keamanan: antrean duplikat"}};
            auto made = s.request("POST", "/api/v1/persons", p.dump());
            if (!made || made->status != 201) {
                ADD_FAILURE() << (made ? made->body : "no answer");
                return "missing";
            }
            ids[i] = json::parse(made->body)["id"].get<std::string>();
        }
        auto pairs = s.request("GET", "/api/v1/duplicates?person_id=" + ids[1]);
        if (pairs && pairs->status == 200) {
            const json listed = json::parse(pairs->body);
            for (const auto& item : listed["items"]) {
                if ((item["person_a"] == ids[0] || item["person_b"] == ids[0])) {
                    return item["id"].get<std::string>();
                }
            }
        }
        ADD_FAILURE() << "the pair was not queued: " << (pairs ? pairs->body : "no answer");
        return "missing";
    };
    const std::string pair_in = make_pair(Scope::In, 1);
    const std::string pair_out = make_pair(Scope::Out, 2);
    table["GET /api/v1/duplicates"] = {
        kReviewers, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/duplicates?state=terbuka", "", {}, who);
        }};
    table["GET /api/v1/duplicates/{id}"] = {
        kReviewers, false, true, 200, 404, [&](const Credentials& who, Scope scope, int) {
            return s.send("GET",
                          "/api/v1/duplicates/" + (scope == Scope::In ? pair_in : pair_out),
                          "",
                          {},
                          who);
        }};
    table["POST /api/v1/duplicates/{id}/distinct"] = {
        kWriters, false, true, 200, 404, [&](const Credentials& who, Scope scope, int serial) {
            const std::string pair = make_pair(scope, 100 + serial);
            return s.send("POST",
                          "/api/v1/duplicates/" + pair + "/distinct",
                          json{{"reason", "dua orang berbeda"}}.dump(),
                          {{"If-Match", "\"1\""}},
                          who);
        }};
    table["POST /api/v1/duplicates/{id}/merge"] = {
        kWriters, false, true, 200, 404, [&](const Credentials& who, Scope scope, int serial) {
            const std::string pair = make_pair(scope, 2000 + serial);
            auto current = s.request("GET", "/api/v1/duplicates/" + pair);
            const std::string keep =
                current ? json::parse(current->body).value("person_a", std::string()) : "";
            return s.send("POST",
                          "/api/v1/duplicates/" + pair + "/merge",
                          json{{"keep_id", keep}, {"reason", "orang yang sama"}}.dump(),
                          {{"If-Match", "\"1\""}},
                          who);
        }};
    table["POST /api/v1/duplicates/scan"] = {
        kAdmins, false, false, 200, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST", "/api/v1/duplicates/scan", "", {}, who);
        }};

    // Transfer batches of a transfer programme: made and settled by writers, read by readers,
    // the bank file (account numbers in clear) by those who may unmask; all of them only by users
    // whose areas cover every beneficiary of the cycle. A person with an account gives each
    // batch a line.
    {
        json with_account = json::parse(person_in("64.74.01.1003", 77));
        with_account["account"] = {{"kind", "bank"},
                                   {"provider", "Bankaltimtara"},
                                   {"number", "0012345678"},
                                   {"holder_name", "Warga 77"}};
        auto made = s.request("POST", "/api/v1/persons", with_account.dump());
        ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        auto programme = s.request("POST",
                                   "/api/v1/aid/programs",
                                   json{{"code", "matriks_tf"},
                                        {"name", "Matriks transfer"},
                                        {"source", "APBD"},
                                        {"kind", "tunai"},
                                        {"channel", "transfer"},
                                        {"unit_value", 300000},
                                        {"rule", "true"}}
                                       .dump());
        ASSERT_TRUE(programme && programme->status == 201)
            << (programme ? programme->body : "no answer");
    }
    int next_transfer_cycle = 0;
    const auto new_transfer_cycle = [&] {
        auto made = s.request("POST",
                              "/api/v1/aid/programs/matriks_tf/cycles",
                              json{{"number", ++next_transfer_cycle},
                                   {"name", "Tahap " + std::to_string(next_transfer_cycle)},
                                   {"starts_on", "2020-01-01"},
                                   {"ends_on", "2099-12-31"}}
                                  .dump());
        EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        const std::string cycle_id =
            made && made->status == 201 ? json::parse(made->body)["id"].get<std::string>() : "x";
        for (const auto& [action, who] : {std::pair{"generate", s.admin()},
                                          std::pair{"propose", login("admin2")},
                                          std::pair{"approve", s.admin()}}) {
            auto res = s.send("POST",
                              "/api/v1/aid/cycles/" + cycle_id + "/list/" + action,
                              "",
                              {{"If-Match", etag_of(cycle_id)}},
                              who);
            EXPECT_TRUE(res && res->status == 200) << action << ": " << (res ? res->body : "");
        }
        return cycle_id;
    };
    const std::string transfer_cycle = new_transfer_cycle();
    std::string batch_id = "x";
    {
        auto made = s.request("POST", "/api/v1/aid/cycles/" + transfer_cycle + "/batches", "");
        ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        batch_id = json::parse(made->body)["id"].get<std::string>();
    }
    table["GET /api/v1/aid/cycles/{id}/batches"] = {
        kReaders,
        false,
        false,
        200,
        0,
        [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/cycles/" + transfer_cycle + "/batches", "", {}, who);
        },
        true};
    table["POST /api/v1/aid/cycles/{id}/batches"] = {
        kWriters,
        false,
        false,
        201,
        0,
        [&](const Credentials& who, Scope, int) {
            return s.send(
                "POST", "/api/v1/aid/cycles/" + new_transfer_cycle() + "/batches", "", {}, who);
        },
        true};
    table["GET /api/v1/aid/batches/{id}"] = {
        kReaders,
        false,
        false,
        200,
        0,
        [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/batches/" + batch_id, "", {}, who);
        },
        true};
    table["GET /api/v1/aid/batches/{id}/file"] = {
        kUnmaskers,
        false,
        false,
        200,
        0,
        [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/aid/batches/" + batch_id + "/file", "", {}, who);
        },
        true};
    table["POST /api/v1/aid/batches/{id}/result"] = {
        kWriters,
        false,
        false,
        200,
        0,
        [&](const Credentials& who, Scope, int) {
            return s.send("POST",
                          "/api/v1/aid/batches/" + batch_id + "/result",
                          "delivery_id,status,reason,paid_at\n",
                          {},
                          who);
        },
        true};

    // Offline sync (docs/sync.md). A batch's refusals are per op (200); a conflict that does not
    // exist is 404 to whoever may read conflicts.
    table["POST /api/v1/sync/batch"] = {
        {"admin", "operator", "penyalur"},
        false,
        false,
        200,
        0,
        [&](const Credentials& who, Scope, int serial) {
            const nlohmann::json op{{"key", "security-" + std::to_string(serial)},
                                    {"seq", 1},
                                    {"type", "person.update"},
                                    {"at", "2026-01-01T00:00:00Z"},
                                    {"person_id", "0193a000-0000-7000-8000-000000000abc"},
                                    {"base_version", 1},
                                    {"changes", {{"phone", "0811"}}}};
            return s.send("POST",
                          "/api/v1/sync/batch",
                          nlohmann::json{{"device_id", "d"}, {"ops", {op}}}.dump(),
                          {},
                          who);
        }};
    table["GET /api/v1/sync/pull"] = {{"admin", "operator", "auditor", "viewer", "penyalur"},
                                      false,
                                      false,
                                      200,
                                      0,
                                      [&](const Credentials& who, Scope, int) {
                                          return s.send(
                                              "GET", "/api/v1/sync/pull?limit=5", "", {}, who);
                                      }};
    table["GET /api/v1/sync/conflicts"] = {{"admin", "operator", "auditor"},
                                           false,
                                           false,
                                           200,
                                           0,
                                           [&](const Credentials& who, Scope, int) {
                                               return s.send(
                                                   "GET", "/api/v1/sync/conflicts", "", {}, who);
                                           }};
    table["GET /api/v1/sync/conflicts/{id}"] = {
        {"admin", "operator", "auditor"},
        false,
        false,
        404,
        0,
        [&](const Credentials& who, Scope, int) {
            return s.send(
                "GET", "/api/v1/sync/conflicts/0193a000-0000-7000-8000-000000000abc", "", {}, who);
        }};
    table["POST /api/v1/sync/conflicts/{id}/resolve"] = {
        {"admin"}, false, false, 404, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST",
                          "/api/v1/sync/conflicts/0193a000-0000-7000-8000-000000000abc/resolve",
                          R"({"version":1,"choose":{},"reason":"uji keamanan"})",
                          {},
                          who);
        }};

    // The province package (docs/province.md): this instance neither joined a province nor is
    // one, so an allowed caller gets 404 (integration/province_test.cpp covers the real thing).
    table["POST /api/v1/province/package"] = {
        {"admin"}, false, false, 404, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST", "/api/v1/province/package?period=2026-Q3", "", {}, who);
        }};
    table["POST /api/v1/province/review"] = {
        {"admin"}, false, false, 404, 0, [&](const Credentials& who, Scope, int) {
            return s.send("POST", "/api/v1/province/review", "{}", {}, who);
        }};
    table["GET /api/v1/province/summary"] = {
        {"admin", "auditor", "viewer"},
        false,
        false,
        404,
        0,
        [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/province/summary", "", {}, who);
        }};
    table["GET /api/v1/province/cross-registered"] = {
        {"admin"}, false, false, 404, 0, [&](const Credentials& who, Scope, int) {
            return s.send("GET", "/api/v1/province/cross-registered", "", {}, who);
        }};

    // Every route the program registers must be classified here, and nothing else.
    const auto routes = s.cli({"routes"});
    ASSERT_EQ(routes.exit_code, 0) << routes.output;
    std::set<std::string> registered;
    std::istringstream lines(routes.output);
    std::string line;
    while (std::getline(lines, line)) {
        const auto tab = line.find('\t');
        const auto tab2 = line.find('\t', tab + 1);
        ASSERT_NE(tab2, std::string::npos) << line;
        const std::string key = line.substr(0, tab) + " " + line.substr(tab + 1, tab2 - tab - 1);
        registered.insert(key);
        ASSERT_TRUE(table.count(key) == 1) << "route not classified in the matrix: " << key;
        // The program's own classification agrees with the table.
        const std::string access = line.substr(tab2 + 1);
        const auto& c = table[key];
        if (c.open) {
            EXPECT_EQ(access, "open") << key;
        } else {
            std::set<std::string> listed;
            std::istringstream roles(access);
            for (std::string r; std::getline(roles, r, ',');) {
                listed.insert(r);
            }
            EXPECT_EQ(listed, c.roles) << key;
        }
    }
    for (const auto& [key, c] : table) {
        EXPECT_TRUE(registered.count(key) == 1) << "classified but not registered: " << key;
    }

    std::map<std::string, std::string> scoped_role_area = {{"operator", "64.74.01"},
                                                           {"viewer", "64.74.01"}};
    int serial = 100;
    int checked = 0;
    std::map<std::string, Credentials> sessions;
    for (const auto& [key, c] : table) {
        // Anonymous.
        auto anon = c.call(Credentials{}, Scope::In, ++serial);
        ASSERT_TRUE(anon.has_value()) << key;
        EXPECT_EQ(anon->status, c.open ? c.ok : 401) << key << " as anonymous: " << anon->body;
        ++checked;
        if (c.open) {
            continue;
        }
        // Logout and revoking end the session: those routes get a fresh one per call.
        const bool ends_session = key.find("logout") != std::string::npos ||
                                  key.find("sessions/{id}") != std::string::npos;
        for (const auto& role : kRoles) {
            for (const Scope scope : {Scope::In, Scope::Out}) {
                if (sessions.count(role) == 0) {
                    sessions[role] = login(role);
                }
                const Credentials who = ends_session ? login(role) : sessions[role];
                auto res = c.call(who, scope, ++serial);
                ASSERT_TRUE(res.has_value()) << key << " as " << role;
                int expected = 0;
                if (c.roles.count(role) == 0 ||
                    (c.whole_instance && scoped_role_area.count(role) == 1)) {
                    expected = 403;
                } else if (scope == Scope::Out && c.scoped &&
                           (scoped_role_area.count(role) == 1 ||
                            key.find("sessions/{id}") != std::string::npos)) {
                    expected = c.out;
                } else {
                    expected = c.ok;
                }
                EXPECT_EQ(res->status, expected)
                    << key << " as " << role << (scope == Scope::In ? " inside" : " outside")
                    << ": " << res->body;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 150);
}

TEST_F(Security, ListsAndLookupsNeverShowRecordsOutsideTheArea) {
    for (const auto& role : {"operator", "viewer"}) {
        const auto who = login(role);
        auto page = server_->send("GET", "/api/v1/persons?limit=1000", "", {}, who);
        ASSERT_EQ(page->status, 200);
        const json parsed = json::parse(page->body);
        const json& items = parsed["items"];
        ASSERT_FALSE(items.empty());
        for (const auto& item : items) {
            EXPECT_EQ(item["address"]["kelurahan_code"].get<std::string>().rfind("64.74.01", 0), 0U)
                << role << " saw " << item["id"];
            EXPECT_NE(item["id"], *out_id_);
        }
        // Guessing ids and NIKs of the other kecamatan: as if they did not exist.
        EXPECT_EQ(
            server_->send("GET", "/api/v1/persons/" + *out_id_ + "/versions", "", {}, who)->status,
            404);
        EXPECT_EQ(server_
                      ->send("GET",
                             "/api/v1/persons/" + *out_id_ + "?as_of=2030-01-01T00:00:00Z",
                             "",
                             {},
                             who)
                      ->status,
                  404);
        EXPECT_EQ(
            server_
                ->send("POST", "/api/v1/persons/lookup", json{{"nik", nik_of(2)}}.dump(), {}, who)
                ->status,
            404);
        auto unknown = server_->send(
            "GET", "/api/v1/persons/0190a000-0000-7000-8000-000000000000", "", {}, who);
        auto hidden = server_->send("GET", "/api/v1/persons/" + *out_id_, "", {}, who);
        // Outside and unknown give the same answer: nothing to learn by probing.
        EXPECT_EQ(json::parse(hidden->body)["code"], json::parse(unknown->body)["code"]);
    }
}

TEST_F(Security, CsrfTokenIsRequiredForUnsafeMethodsOfCookieSessions) {
    auto who = login("operator");
    const std::string body = person_in("64.74.01.1003", 7001);
    Headers headers = {{"Content-Type", "application/json"}, {"Cookie", who.cookie}};
    auto missing = http_request(server_->port(), "POST", "/api/v1/persons", headers, body);
    EXPECT_EQ(missing->status, 403);
    EXPECT_EQ(json::parse(missing->body)["code"], "csrf.failed");
    auto wrong_headers = headers;
    wrong_headers.emplace_back("X-CSRF-Token", std::string(64, '0'));
    auto wrong = http_request(server_->port(), "POST", "/api/v1/persons", wrong_headers, body);
    EXPECT_EQ(wrong->status, 403);
    // Another session's token does not fit this one.
    auto other = login("operator");
    auto swapped_headers = headers;
    swapped_headers.emplace_back("X-CSRF-Token", other.csrf);
    EXPECT_EQ(
        http_request(server_->port(), "POST", "/api/v1/persons", swapped_headers, body)->status,
        403);
    // The right token from another site's page (Origin) is refused too.
    auto cross = headers;
    cross.emplace_back("X-CSRF-Token", who.csrf);
    cross.emplace_back("Origin", "https://evil.example");
    EXPECT_EQ(http_request(server_->port(), "POST", "/api/v1/persons", cross, body)->status, 403);
    // Nothing was written by the refused requests.
    EXPECT_EQ(server_->request("POST", "/api/v1/persons/lookup", json{{"nik", nik_of(7001)}}.dump())
                  ->status,
              404);
    auto ok = server_->send("POST", "/api/v1/persons", body, {}, who);
    EXPECT_EQ(ok->status, 201) << ok->body;
    // Safe methods need no token; bearer tokens need none (a browser never sends them itself).
    EXPECT_EQ(
        server_->send("GET", "/api/v1/persons", "", {}, Credentials{"", who.cookie, ""})->status,
        200);
    EXPECT_EQ(server_->request("POST", "/api/v1/persons", person_in("64.74.01.1003", 7002))->status,
              201);
}

TEST_F(Security, LoginAlwaysIssuesAFreshSessionAndEndsAPlantedOne) {
    const auto attacker = login("viewer");
    // The victim's browser carries the attacker's session cookie when the victim signs in.
    const std::string body =
        json{{"username", "u.operator"}, {"password", passwords_->at("operator")}}.dump();
    auto res = http_request(server_->port(),
                            "POST",
                            "/api/v1/auth/login",
                            {{"Content-Type", "application/json"}, {"Cookie", attacker.cookie}},
                            body);
    ASSERT_EQ(res->status, 200) << res->body;
    const auto cookie = res->header("Set-Cookie");
    EXPECT_NE(cookie.substr(0, cookie.find(';')), attacker.cookie);
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    EXPECT_NE(cookie.find("Path=/"), std::string::npos);
    EXPECT_EQ(cookie.find("Secure"), std::string::npos); // plain HTTP here; see the limits test
    // The planted session is over, so the attacker cannot ride along.
    EXPECT_EQ(server_->send("GET", "/api/v1/auth/me", "", {}, attacker)->status, 401);
    // The answer never contains the password or the session secret in its body.
    EXPECT_EQ(res->body.find(passwords_->at("operator")), std::string::npos);
    EXPECT_EQ(res->body.find(cookie.substr(cookie.find('=') + 1, 43)), std::string::npos);
}

TEST_F(Security, LogoutAndRevokedSessionsStopWorking) {
    const auto phone = login("operator");
    const auto laptop = login("operator");
    auto me = server_->send("GET", "/api/v1/auth/me", "", {}, phone);
    ASSERT_EQ(me->status, 200);
    const std::string phone_session = json::parse(me->body)["session_id"];
    auto list = server_->send("GET", "/api/v1/auth/sessions", "", {}, laptop);
    ASSERT_EQ(list->status, 200);
    bool listed = false;
    const json sessions = json::parse(list->body);
    for (const auto& s : sessions["items"]) {
        listed = listed || s["id"] == phone_session;
    }
    EXPECT_TRUE(listed);
    // The lost phone is signed out from the laptop.
    EXPECT_EQ(
        server_->send("DELETE", "/api/v1/auth/sessions/" + phone_session, "", {}, laptop)->status,
        204);
    auto gone = server_->send("GET", "/api/v1/auth/me", "", {}, phone);
    EXPECT_EQ(gone->status, 401);
    EXPECT_EQ(json::parse(gone->body)["code"], "session.expired");
    auto out = server_->send("POST", "/api/v1/auth/logout", "", {}, laptop);
    EXPECT_EQ(out->status, 204);
    EXPECT_NE(out->header("Set-Cookie").find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(server_->send("GET", "/api/v1/auth/me", "", {}, laptop)->status, 401);
}

TEST_F(Security, RepeatedFailuresLockTheAccountWithTheSameAnswerForUnknownUsers) {
    const auto password = server_->add_user("u.lockout", "viewer", {"64.74"});
    // add_user ran while the server runs: the account is read from the store at login.
    auto attempt = [&](const std::string& user, const std::string& pw) {
        return server_->send("POST",
                             "/api/v1/auth/login",
                             json{{"username", user}, {"password", pw}}.dump(),
                             {},
                             Credentials{});
    };
    auto wrong = attempt("u.lockout", "bukan kata sandinya");
    auto unknown = attempt("u.tidak.ada", "bukan kata sandinya");
    ASSERT_EQ(wrong->status, 401);
    ASSERT_EQ(unknown->status, 401);
    EXPECT_EQ(wrong->body, unknown->body);
    for (int i = 0; i < 5; ++i) {
        (void)attempt("u.lockout", "bukan kata sandinya");
    }
    // Six failures: even the right password now waits.
    auto locked = attempt("u.lockout", password);
    EXPECT_EQ(locked->status, 429);
    EXPECT_EQ(json::parse(locked->body)["code"], "login.throttled");
    EXPECT_FALSE(locked->header("Retry-After").empty());
    // Other accounts from the same address are not locked by it.
    auto other = attempt("admin", server_->admin_password());
    EXPECT_EQ(other->status, 200);
}

TEST_F(Security, RevealShowsNumbersToAllowedRolesAndTheAuditorSeesWhoAsked) {
    const auto op = login("operator");
    auto masked = server_->send("GET", "/api/v1/persons/" + *in_id_, "", {}, op);
    ASSERT_EQ(masked->status, 200);
    EXPECT_EQ(masked->body.find(nik_of(1)), std::string::npos);
    auto no_purpose = server_->send("POST", "/api/v1/persons/" + *in_id_ + "/reveal", "{}", {}, op);
    EXPECT_EQ(no_purpose->status, 400);
    auto shown = server_->send("POST",
                               "/api/v1/persons/" + *in_id_ + "/reveal",
                               R"({"purpose":"cek KTP asli saat kunjungan rumah"})",
                               {},
                               op);
    ASSERT_EQ(shown->status, 200) << shown->body;
    EXPECT_EQ(json::parse(shown->body)["nik"], nik_of(1));
    EXPECT_EQ(shown->header("Cache-Control"), "no-store");

    const auto auditor = login("auditor");
    auto log = server_->send(
        "GET", "/api/v1/audit?action=person.unmask&subject=" + *in_id_, "", {}, auditor);
    ASSERT_EQ(log->status, 200);
    bool found = false;
    const json entries = json::parse(log->body);
    for (const auto& e : entries["items"]) {
        if (e["detail"] == "purpose=cek KTP asli saat kunjungan rumah") {
            found = true;
            EXPECT_EQ(e["source"], "127.0.0.1");
            EXPECT_FALSE(e["actor"].get<std::string>().empty());
        }
        EXPECT_EQ(e.dump().find(nik_of(1)), std::string::npos);
    }
    EXPECT_TRUE(found) << log->body;
}

TEST_F(Security, ApiTokensAreNarrowedExpireAndCanBeRevoked) {
    const auto token =
        server_->make_token("u.operator", {"--role", "viewer", "--name", "dashboard"});
    const Credentials bearer{token, "", ""};
    EXPECT_EQ(server_->send("GET", "/api/v1/persons/" + *in_id_, "", {}, bearer)->status, 200);
    // Read-only: the token's viewer role may not write, though the account may.
    EXPECT_EQ(server_->send("POST", "/api/v1/persons", person_in("64.74.01.1003", 7101), {}, bearer)
                  ->status,
              403);
    EXPECT_EQ(server_->send("GET", "/api/v1/persons/" + *out_id_, "", {}, bearer)->status, 404);
    // A token cannot be wider than its account.
    const auto wider = server_->cli({"token", "create", "--user", "u.operator", "--role", "admin"});
    EXPECT_NE(wider.exit_code, 0);
    const auto listed = server_->cli({"token", "list", "--user", "u.operator"});
    ASSERT_EQ(listed.exit_code, 0);
    EXPECT_EQ(listed.output.find(token), std::string::npos); // never printed again
    const std::string token_id = listed.output.substr(0, listed.output.find('\t'));
    ASSERT_EQ(server_->cli({"token", "revoke", "--id", token_id}).exit_code, 0);
    auto revoked = server_->send("GET", "/api/v1/persons/" + *in_id_, "", {}, bearer);
    EXPECT_EQ(revoked->status, 401);
    EXPECT_EQ(json::parse(revoked->body)["code"], "token.invalid");
    EXPECT_EQ(server_->send("GET", "/api/v1/auth/me", "", {}, Credentials{"ksg_nonsense", "", ""})
                  ->status,
              401);
}

TEST_F(Security, NoNikInTheStoreFileOrTheLogsAfterAnImport) {
    TempDir tmp;
    const std::string csv = tmp.path() + "/warga.csv";
    std::vector<std::string> niks;
    {
        std::ofstream out(csv);
        out << "nik;nama_lengkap;jenis_kelamin;tanggal_lahir;kode_kelurahan;ragam_disabilitas\n";
        for (int i = 0; i < 50; ++i) {
            char nik[24];
            std::snprintf(nik, sizeof nik, "647401450385%04d", i + 1);
            niks.emplace_back(nik);
            out << nik << ";Warga Impor " << i << ";P;05/03/1985;64.74.01.1003;fisik\n";
        }
    }
    const auto imported = server_->cli({"import", "persons", csv});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    // Use them through the API as well, so the server's log has had its chance.
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(server_->request("POST", "/api/v1/persons/lookup", json{{"nik", niks[i]}}.dump())
                      ->status,
                  200);
    }
    (void)server_->request("POST", "/api/v1/persons", person_in("64.74.01.1003", 1)); // duplicate
    // SQLite: the bytes of store.db and its WAL; PostgreSQL: pg_dump of the database, every row
    // of every table, with bytea columns in hex.
    const std::string store = server_->store_contents();
    ASSERT_GT(store.size(), 10000U);
    EXPECT_NE(store.find("Warga Impor 7"), std::string::npos); // names are there: the scan works
    for (const auto& nik : niks) {
        EXPECT_EQ(store.find(nik), std::string::npos) << nik << " in clear in the store";
        EXPECT_EQ(store.find(hex_of(nik)), std::string::npos) << nik << " as hex in the store";
        EXPECT_EQ(server_->output().find(nik), std::string::npos) << nik << " in the server log";
        EXPECT_EQ(imported.output.find(nik), std::string::npos) << nik << " in the import output";
    }
    EXPECT_EQ(store.find(nik_of(1)), std::string::npos);
    EXPECT_EQ(server_->output().find(passwords_->at("operator")), std::string::npos);
}

TEST(SecurityLimits, SecureCookiesAndPerUserLimits) {
    KapalServer server(Settings{{"secure_cookies", "always"},
                                {"requests_per_second_per_address", "0"},
                                {"requests_per_second_per_user", "1"},
                                {"burst_per_user", "3"}});
    server.start();
    auto res =
        server.send("POST",
                    "/api/v1/auth/login",
                    json{{"username", "admin"}, {"password", server.admin_password()}}.dump(),
                    {},
                    Credentials{});
    ASSERT_EQ(res->status, 200) << res->body;
    const auto cookie = res->header("Set-Cookie");
    EXPECT_EQ(cookie.rfind("__Host-kapal_session=", 0), 0U) << cookie;
    EXPECT_NE(cookie.find("; Secure"), std::string::npos);
    // Three requests of one user pass, the fourth at once is refused; another user (same
    // address, like phones behind one carrier address) is not affected.
    const Credentials admin = server.admin();
    int refused = 0;
    for (int i = 0; i < 4; ++i) {
        auto r = server.send("GET", "/api/v1/auth/me", "", {}, admin);
        if (r->status == 429) {
            ++refused;
            EXPECT_FALSE(r->header("Retry-After").empty());
        }
    }
    EXPECT_GE(refused, 1);
    const auto password = server.add_user("u.lain", "viewer", {"64.74"});
    const auto token = server.make_token("u.lain");
    EXPECT_EQ(server.send("GET", "/api/v1/auth/me", "", {}, Credentials{token, "", ""})->status,
              200);
    (void)password;
}

} // namespace
} // namespace kapal::testing
