// A person's photo over HTTP against the real server (SQLite, and PostgreSQL as pg.*): upload
// with If-Match, read back the same bytes with an ETag and 304, a new person version that the
// history shows, the audit entries, refusals that name the field, the areas and roles.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/kapal_server.hpp"
#include "integration/test_photo.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class PhotoHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>(Settings{{"requests_per_second_per_address", "0"},
                                                         {"requests_per_second_per_user", "0"}});
        const auto op_barat = server_->add_user("op.barat", "operator", {"64.74.03"});
        const auto viewer = server_->add_user("lihat", "viewer", {"64.74.01"});
        server_->start();
        barat_ = server_->login("op.barat", op_barat);
        viewer_ = server_->login("lihat", viewer);
        const json siti = {{"nik", "6474014703850002"},
                           {"full_name", "Siti Aminah"},
                           {"sex", "P"},
                           {"birth_date", "1985-03-07"},
                           {"address", {{"kelurahan_code", "64.74.01.1003"}}},
                           {"categories", {"fisik"}}};
        auto created = server_->request("POST", "/api/v1/persons", siti.dump());
        ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "no answer");
        id_ = json::parse(created->body)["id"].get<std::string>();
    }

    static void TearDownTestSuite() { server_.reset(); }

    static std::string path() { return "/api/v1/persons/" + id_ + "/photo"; }

    static std::string version() {
        auto current = server_->request("GET", "/api/v1/persons/" + id_);
        EXPECT_TRUE(current && current->status == 200);
        return current ? current->header("ETag") : "";
    }

    static std::optional<HttpResponse> put(const std::string& body,
                                           const std::string& type,
                                           const Credentials& who,
                                           const std::string& if_match) {
        return server_->send(
            "PUT", path(), body, {{"Content-Type", type}, {"If-Match", if_match}}, who);
    }

    /// The problem's type id and the field of its one error.
    static void
    expect_problem(const std::optional<HttpResponse>& res, int status, const std::string& code) {
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->status, status) << res->body;
        const json body = json::parse(res->body);
        EXPECT_NE(body["type"].get<std::string>().find(code), std::string::npos) << res->body;
        ASSERT_TRUE(body.contains("errors")) << res->body;
        ASSERT_EQ(body["errors"].size(), 1U) << res->body;
        EXPECT_EQ(body["errors"][0]["field"], "photo") << res->body;
    }

    static std::unique_ptr<KapalServer> server_;
    static Credentials barat_;
    static Credentials viewer_;
    static std::string id_;
};

std::unique_ptr<KapalServer> PhotoHttp::server_;
Credentials PhotoHttp::barat_;
Credentials PhotoHttp::viewer_;
std::string PhotoHttp::id_;

TEST_F(PhotoHttp, AnUploadedPhotoReadsBackWithItsETagAndANewVersion) {
    const std::string before = version();
    auto uploaded = put(as_body(kRedPhotoPng), "image/png", server_->admin(), before);
    ASSERT_TRUE(uploaded.has_value());
    ASSERT_EQ(uploaded->status, 200) << uploaded->body;
    const json person = json::parse(uploaded->body);
    const std::string photo_id = person["photo_id"].get<std::string>();
    EXPECT_FALSE(photo_id.empty());
    EXPECT_NE(uploaded->header("ETag"), before);
    EXPECT_EQ(uploaded->header("ETag"), "\"" + std::to_string(person["version"].get<int>()) + "\"");

    auto got = server_->request("GET", path());
    ASSERT_TRUE(got.has_value());
    ASSERT_EQ(got->status, 200) << got->body;
    EXPECT_EQ(got->body, as_body(kRedPhotoPng));
    EXPECT_EQ(got->header("Content-Type"), "image/png");
    EXPECT_EQ(got->header("ETag"), "\"" + photo_id + "\"");
    EXPECT_NE(got->header("Cache-Control").find("private"), std::string::npos);
    auto again = server_->request("GET", path(), "", {{"If-None-Match", got->header("ETag")}});
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->status, 304);
    EXPECT_TRUE(again->body.empty());
    // A viewer of the area reads it too.
    auto viewed = server_->send("GET", path(), "", {}, viewer_);
    ASSERT_TRUE(viewed.has_value());
    EXPECT_EQ(viewed->status, 200);
    EXPECT_EQ(viewed->body, as_body(kRedPhotoPng));

    // The history shows the version that set it; the audit log the file.
    auto versions = server_->request("GET", "/api/v1/persons/" + id_ + "/versions");
    ASSERT_TRUE(versions && versions->status == 200);
    const json items = json::parse(versions->body)["items"];
    ASSERT_GE(items.size(), 2U);
    EXPECT_EQ(items.back()["photo_id"], photo_id);
    auto audit = server_->request("GET", "/api/v1/audit?action=person.file.add&subject=" + id_);
    ASSERT_TRUE(audit && audit->status == 200) << (audit ? audit->body : "");
    const json entries = json::parse(audit->body)["items"];
    ASSERT_GE(entries.size(), 1U) << audit->body;
    EXPECT_NE(entries[0]["detail"].get<std::string>().find("kind=foto id=" + photo_id),
              std::string::npos);

    // A PUT of the person keeps the photo whatever its body says.
    json body = person;
    body["photo_id"] = "01900000-0000-7000-8000-000000000bad";
    body["phone"] = "081234567890";
    auto edited = server_->request(
        "PUT", "/api/v1/persons/" + id_, body.dump(), {{"If-Match", uploaded->header("ETag")}});
    ASSERT_TRUE(edited.has_value());
    ASSERT_EQ(edited->status, 200) << edited->body;
    EXPECT_EQ(json::parse(edited->body)["photo_id"], photo_id);

    // Removed: the person has no photo in a new version; reading it is 404.
    auto removed = server_->request("DELETE", path(), "", {{"If-Match", edited->header("ETag")}});
    ASSERT_TRUE(removed.has_value());
    ASSERT_EQ(removed->status, 200) << removed->body;
    EXPECT_EQ(json::parse(removed->body)["photo_id"], "");
    auto gone = server_->request("GET", path());
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(gone->status, 404);
    auto twice = server_->request("DELETE", path(), "", {{"If-Match", removed->header("ETag")}});
    ASSERT_TRUE(twice.has_value());
    EXPECT_EQ(twice->status, 404);
}

TEST_F(PhotoHttp, BadUploadsAreRefusedNamingTheField) {
    const std::string v = version();
    expect_problem(put(as_body(kRedPhotoPng), "image/gif", server_->admin(), v),
                   415,
                   "person.photo_type_unsupported");
    std::string big = as_body(kRedPhotoPng);
    big.resize(600 * 1024, '\0');
    expect_problem(put(big, "image/png", server_->admin(), v), 413, "person.photo_too_large");
    expect_problem(put("this is not a picture at all", "image/jpeg", server_->admin(), v),
                   422,
                   "person.photo_invalid");
    expect_problem(
        put(as_body(kRedPhotoPng), "image/jpeg", server_->admin(), v), 422, "person.photo_invalid");
    std::string truncated = as_body(kRedPhotoPng).substr(0, 70);
    expect_problem(put(truncated, "image/png", server_->admin(), v), 422, "person.photo_invalid");
    expect_problem(
        put(as_body(kTinyPng), "image/png", server_->admin(), v), 422, "person.photo_invalid");
    // Without If-Match, or with a stale one.
    auto unconditional = server_->send(
        "PUT", path(), as_body(kRedPhotoPng), {{"Content-Type", "image/png"}}, server_->admin());
    ASSERT_TRUE(unconditional.has_value());
    EXPECT_EQ(unconditional->status, 428) << unconditional->body;
    auto stale = put(as_body(kRedPhotoPng), "image/png", server_->admin(), "\"999\"");
    ASSERT_TRUE(stale.has_value());
    EXPECT_EQ(stale->status, 412) << stale->body;
    // Nothing of that changed the person.
    EXPECT_EQ(version(), v);
}

TEST_F(PhotoHttp, OtherAreasDoNotSeeItAndViewersCannotChangeIt) {
    auto given = put(as_body(kRedPhotoPng), "image/png", server_->admin(), version());
    ASSERT_TRUE(given && given->status == 200) << (given ? given->body : "no answer");
    // An operator of another kecamatan: as if the person did not exist.
    auto other = server_->send("GET", path(), "", {}, barat_);
    ASSERT_TRUE(other.has_value());
    EXPECT_EQ(other->status, 404);
    auto other_put = put(as_body(kRedPhotoPng), "image/png", barat_, version());
    ASSERT_TRUE(other_put.has_value());
    EXPECT_EQ(other_put->status, 404);
    auto other_delete = server_->send("DELETE", path(), "", {{"If-Match", version()}}, barat_);
    ASSERT_TRUE(other_delete.has_value());
    EXPECT_EQ(other_delete->status, 404);
    // A viewer of the area reads, but may not upload or remove.
    auto viewer_put = put(as_body(kRedPhotoPng), "image/png", viewer_, version());
    ASSERT_TRUE(viewer_put.has_value());
    EXPECT_EQ(viewer_put->status, 403);
    auto viewer_delete = server_->send("DELETE", path(), "", {{"If-Match", version()}}, viewer_);
    ASSERT_TRUE(viewer_delete.has_value());
    EXPECT_EQ(viewer_delete->status, 403);
    // Anonymous: nothing.
    auto anonymous = server_->send("GET", path(), "", {}, Credentials{});
    ASSERT_TRUE(anonymous.has_value());
    EXPECT_EQ(anonymous->status, 401);
}

TEST_F(PhotoHttp, TheCardPictureShowsThePhotoInsteadOfTheSilhouette) {
    auto issued = server_->request("POST", "/api/v1/persons/" + id_ + "/cards");
    ASSERT_TRUE(issued.has_value());
    ASSERT_EQ(issued->status, 201) << issued->body;
    const std::string image = "/api/v1/cards/" +
                              json::parse(issued->body)["number"].get<std::string>() +
                              "/image?format=png&side=front";
    // Whatever an earlier test left: first without a photo.
    const json person = json::parse(server_->request("GET", "/api/v1/persons/" + id_)->body);
    if (!person["photo_id"].get<std::string>().empty()) {
        auto removed = server_->request("DELETE", path(), "", {{"If-Match", version()}});
        ASSERT_TRUE(removed && removed->status == 200);
    }
    auto silhouette = server_->request("GET", image);
    ASSERT_TRUE(silhouette && silhouette->status == 200) << (silhouette ? silhouette->body : "");
    auto uploaded = put(as_body(kRedPhotoPng), "image/png", server_->admin(), version());
    ASSERT_TRUE(uploaded && uploaded->status == 200) << (uploaded ? uploaded->body : "");
    auto photographed = server_->request("GET", image);
    ASSERT_TRUE(photographed && photographed->status == 200);
    EXPECT_EQ(photographed->body.substr(0, 4), "\x89PNG");
    EXPECT_NE(photographed->body, silhouette->body);
}

} // namespace
} // namespace kapal::testing
