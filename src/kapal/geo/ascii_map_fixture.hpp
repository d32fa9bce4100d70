#pragma once
// Test-only: small spatial fixtures drawn as ASCII grids of named points (after Valhalla's gurka
// tests). Every letter or digit in the drawing is a named node; other characters ('-', '|', '+',
// ' ', '.') are decoration. One character is `unit_m` metres east-west, one line `unit_m` metres
// north-south, north up. Polygons are then written as strings of node names.

#include "kapal/geo/geojson.hpp"
#include "kapal/geo/geometry.hpp"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kapal::geo::testing {

/// Named points of an ASCII drawing, placed in Bontang around `origin` (the top-left character).
class AsciiMap {
  public:
    /// Throws std::invalid_argument when a node name repeats (a broken fixture is a test bug).
    AsciiMap(std::string_view drawing, double unit_m, LonLat origin = {117.45, 0.15}) {
        const double deg_per_m_lat = 1.0 / kMetresPerDegree;
        const double deg_per_m_lon =
            1.0 / (kMetresPerDegree * std::cos(origin.lat * 3.14159265358979323846 / 180.0));
        int row = 0;
        int col = 0;
        for (const char c : drawing) {
            if (c == '\n') {
                ++row;
                col = 0;
                continue;
            }
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                const LonLat p{origin.lon + col * unit_m * deg_per_m_lon,
                               origin.lat - row * unit_m * deg_per_m_lat};
                if (!nodes_.emplace(c, p).second) {
                    throw std::invalid_argument(std::string("node repeated: ") + c);
                }
            }
            ++col;
        }
    }

    /// The point of one node; throws std::out_of_range for an unknown name.
    LonLat at(char name) const { return nodes_.at(name); }

    /// A ring through the named nodes, in order ("abdc").
    Ring ring(std::string_view names) const {
        Ring r;
        for (const char c : names) {
            r.push_back(at(c));
        }
        return r;
    }

    /// A one-part area with an outer ring and optional holes.
    AreaFeature area(std::string code,
                     std::string_view outer,
                     std::initializer_list<std::string_view> holes = {}) const {
        Polygon poly{ring(outer), {}};
        for (const std::string_view h : holes) {
            poly.holes.push_back(ring(h));
        }
        AreaFeature f;
        f.code = std::move(code);
        f.name = f.code;
        f.level = "kelurahan";
        f.shape.parts.push_back(std::move(poly));
        return f;
    }

  private:
    std::map<char, LonLat> nodes_;
};

} // namespace kapal::geo::testing
