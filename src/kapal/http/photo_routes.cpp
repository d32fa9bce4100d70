#include "kapal/http/photo_routes.hpp"

#include "kapal/http/person_json.hpp"
#include "kapal/http/route_support.hpp"

#include <algorithm>
#include <cctype>
#include <span>
#include <string>
#include <string_view>

namespace kapal::http {
namespace {

/// The media type of the request's Content-Type without parameters, lower case; "" when none.
std::string media_type_of(const Request& req) {
    const std::string_view value = req.header("Content-Type").value_or("");
    std::string_view type = value.substr(0, value.find(';'));
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front())) != 0) {
        type.remove_prefix(1);
    }
    while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())) != 0) {
        type.remove_suffix(1);
    }
    std::string out(type);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return out;
}

Response person_answer(const core::PersonRecord& r) {
    auto res = Response::json(200, person_to_json(r));
    res.set_header("ETag", etag(r.version));
    return res;
}

/// The ETag of a photo: its file id (a new photo is a new file).
std::string photo_etag(const std::string& file_id) {
    return "\"" + file_id + "\"";
}

} // namespace

void add_photo_routes(Router& router, service::PersonService& persons) {
    router.add("PUT",
               "/api/v1/persons/{id}/photo",
               writers_access(),
               guarded([&persons](const Request& req) -> Result<Response> {
                   const core::PersonId id{std::string(req.path_param("id"))};
                   KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
                   const auto* data = reinterpret_cast<const std::uint8_t*>(req.body.data());
                   KAPAL_ASSIGN_OR_RETURN(
                       updated,
                       persons.set_photo(id,
                                         version,
                                         std::span<const std::uint8_t>(data, req.body.size()),
                                         media_type_of(req),
                                         actor_of(req)));
                   return person_answer(updated);
               }));

    router.add("GET",
               "/api/v1/persons/{id}/photo",
               readers_access(),
               guarded([&persons](const Request& req) -> Result<Response> {
                   const core::PersonId id{std::string(req.path_param("id"))};
                   KAPAL_ASSIGN_OR_RETURN(file, persons.photo(id, actor_of(req)));
                   Response res;
                   res.set_header("ETag", photo_etag(file.id));
                   // Personal data: only the reader's own browser may keep it, and must ask
                   // again (a 304 when unchanged) before using it.
                   res.set_header("Cache-Control", "private, no-cache");
                   if (auto none_match = req.header("If-None-Match");
                       none_match && *none_match == photo_etag(file.id)) {
                       res.status = 304;
                       return res;
                   }
                   res.status = 200;
                   res.set_header("Content-Type", file.media_type);
                   res.body.assign(file.bytes.begin(), file.bytes.end());
                   return res;
               }));

    router.add("DELETE",
               "/api/v1/persons/{id}/photo",
               writers_access(),
               guarded([&persons](const Request& req) -> Result<Response> {
                   const core::PersonId id{std::string(req.path_param("id"))};
                   KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
                   KAPAL_ASSIGN_OR_RETURN(updated,
                                          persons.remove_photo(id, version, actor_of(req)));
                   return person_answer(updated);
               }));
}

} // namespace kapal::http
