#include "kapal/io/feature.hpp"

#include <charconv>

namespace kapal::io {
namespace {

void append_xy(std::string& out, geo::LonLat p) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, p.lon);
    *r.ptr++ = ' ';
    r = std::to_chars(r.ptr, buf + sizeof buf, p.lat);
    out.append(buf, r.ptr);
}

void append_ring(std::string& out, const geo::Ring& ring) {
    out += '(';
    for (std::size_t i = 0; i <= ring.size() && !ring.empty(); ++i) {
        if (i > 0) {
            out += ", ";
        }
        append_xy(out, ring[i % ring.size()]);
    }
    out += ')';
}

} // namespace

std::string to_wkt(const Geometry& geometry) {
    std::string out;
    if (const auto* p = std::get_if<geo::LonLat>(&geometry)) {
        out = "POINT (";
        append_xy(out, *p);
        out += ')';
    } else if (const auto* mp = std::get_if<geo::MultiPolygon>(&geometry)) {
        out = "MULTIPOLYGON (";
        for (std::size_t i = 0; i < mp->parts.size(); ++i) {
            out += i > 0 ? ", (" : "(";
            append_ring(out, mp->parts[i].outer);
            for (const auto& hole : mp->parts[i].holes) {
                out += ", ";
                append_ring(out, hole);
            }
            out += ')';
        }
        out += ')';
    }
    return out;
}

} // namespace kapal::io
