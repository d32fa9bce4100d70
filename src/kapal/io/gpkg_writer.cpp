#include "kapal/io/gpkg_writer.hpp"

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <mutex>

namespace kapal::io {
namespace {

constexpr int kFeaturesPerTransaction = 10000;

Error gdal_error(const std::string& what) {
    const char* msg = CPLGetLastErrorMsg();
    return Error{
        ErrorCode::Io, what + (msg != nullptr && *msg != 0 ? ": " + std::string(msg) : ""), {}};
}

OGRwkbGeometryType layer_type(GeometryKind kind) {
    return kind == GeometryKind::Point ? wkbPoint : wkbMultiPolygon;
}

OGRGeometryH make_ring(const geo::Ring& ring) {
    OGRGeometryH r = OGR_G_CreateGeometry(wkbLinearRing);
    for (const auto& p : ring) {
        OGR_G_AddPoint_2D(r, p.lon, p.lat);
    }
    if (!ring.empty()) {
        OGR_G_AddPoint_2D(r, ring.front().lon, ring.front().lat);
    }
    return r;
}

/// The OGR geometry of `geometry`, owned by the caller; nullptr for none.
OGRGeometryH make_geometry(const Geometry& geometry) {
    if (const auto* p = std::get_if<geo::LonLat>(&geometry)) {
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, p->lon, p->lat);
        return g;
    }
    if (const auto* mp = std::get_if<geo::MultiPolygon>(&geometry)) {
        OGRGeometryH g = OGR_G_CreateGeometry(wkbMultiPolygon);
        for (const auto& part : mp->parts) {
            OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
            OGR_G_AddGeometryDirectly(poly, make_ring(part.outer));
            for (const auto& hole : part.holes) {
                OGR_G_AddGeometryDirectly(poly, make_ring(hole));
            }
            OGR_G_AddGeometryDirectly(g, poly);
        }
        return g;
    }
    return nullptr;
}

} // namespace

struct GpkgWriter::Impl {
    GDALDatasetH dataset = nullptr;
    OGRLayerH layer = nullptr;
    OGRSpatialReferenceH srs = nullptr;
    std::size_t field_count = 0;
    int in_transaction = 0; ///< features written in the open transaction

    ~Impl() {
        if (dataset != nullptr) {
            if (in_transaction > 0) {
                GDALDatasetCommitTransaction(dataset);
            }
            GDALClose(dataset);
        }
        if (srs != nullptr) {
            OSRRelease(srs);
        }
    }
};

GpkgWriter::GpkgWriter(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

GpkgWriter::~GpkgWriter() = default;

Result<std::unique_ptr<GpkgWriter>> GpkgWriter::create(const std::filesystem::path& file,
                                                       const std::string& layer,
                                                       const FeatureSchema& schema) {
    static std::once_flag registered;
    std::call_once(registered, [] {
        // Library code never prints: GDAL's messages come back in the errors we return.
        CPLSetErrorHandler(CPLQuietErrorHandler);
        GDALAllRegister();
    });
    CPLErrorReset();
    GDALDriverH driver = GDALGetDriverByName("GPKG");
    if (driver == nullptr) {
        return fail(ErrorCode::Io, "GDAL has no GPKG driver");
    }
    std::error_code ec;
    std::filesystem::remove(file, ec);
    auto impl = std::make_unique<Impl>();
    impl->dataset = GDALCreate(driver, file.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (impl->dataset == nullptr) {
        return fail(gdal_error("cannot create " + file.string()));
    }
    impl->srs = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(impl->srs, 4326);
    OSRSetAxisMappingStrategy(impl->srs, OAMS_TRADITIONAL_GIS_ORDER);
    impl->layer = GDALDatasetCreateLayer(
        impl->dataset, layer.c_str(), impl->srs, layer_type(schema.geometry), nullptr);
    if (impl->layer == nullptr) {
        return fail(gdal_error("cannot create layer " + layer));
    }
    auto add_field = [&](const std::string& name, FieldType type) -> bool {
        OGRFieldType t = OFTString;
        switch (type) {
        case FieldType::String:
            t = OFTString;
            break;
        case FieldType::Integer:
            t = OFTInteger64;
            break;
        case FieldType::Real:
            t = OFTReal;
            break;
        case FieldType::Boolean:
            t = OFTInteger;
            break;
        }
        OGRFieldDefnH def = OGR_Fld_Create(name.c_str(), t);
        if (type == FieldType::Boolean) {
            OGR_Fld_SetSubType(def, OFSTBoolean);
        }
        const bool ok = OGR_L_CreateField(impl->layer, def, TRUE) == OGRERR_NONE;
        OGR_Fld_Destroy(def);
        return ok;
    };
    if (!add_field("id", FieldType::String)) {
        return fail(gdal_error("cannot add field id"));
    }
    for (const auto& f : schema.fields) {
        if (!add_field(f.name, f.type)) {
            return fail(gdal_error("cannot add field " + f.name));
        }
    }
    impl->field_count = schema.fields.size();
    return std::unique_ptr<GpkgWriter>(new GpkgWriter(std::move(impl)));
}

Result<void> GpkgWriter::write(const Feature& feature) {
    Impl& m = *impl_;
    if (m.in_transaction == 0 && GDALDatasetStartTransaction(m.dataset, FALSE) != OGRERR_NONE) {
        return fail(gdal_error("cannot start a transaction"));
    }
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(m.layer));
    OGR_F_SetFieldString(f, 0, feature.id.c_str());
    for (std::size_t i = 0; i < m.field_count && i < feature.values.size(); ++i) {
        const int field = static_cast<int>(i) + 1;
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::monostate>) {
                    OGR_F_SetFieldNull(f, field);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    OGR_F_SetFieldString(f, field, v.c_str());
                } else if constexpr (std::is_same_v<T, bool>) {
                    OGR_F_SetFieldInteger(f, field, v ? 1 : 0);
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    OGR_F_SetFieldInteger64(f, field, static_cast<GIntBig>(v));
                } else {
                    OGR_F_SetFieldDouble(f, field, v);
                }
            },
            feature.values[i]);
    }
    if (OGRGeometryH g = make_geometry(feature.geometry)) {
        OGR_F_SetGeometryDirectly(f, g);
    }
    const OGRErr err = OGR_L_CreateFeature(m.layer, f);
    OGR_F_Destroy(f);
    if (err != OGRERR_NONE) {
        return fail(gdal_error("cannot write feature " + feature.id));
    }
    if (++m.in_transaction >= kFeaturesPerTransaction) {
        m.in_transaction = 0;
        if (GDALDatasetCommitTransaction(m.dataset) != OGRERR_NONE) {
            return fail(gdal_error("cannot commit"));
        }
    }
    return {};
}

Result<void> GpkgWriter::finish() {
    Impl& m = *impl_;
    if (m.in_transaction > 0) {
        m.in_transaction = 0;
        if (GDALDatasetCommitTransaction(m.dataset) != OGRERR_NONE) {
            return fail(gdal_error("cannot commit"));
        }
    }
    CPLErrorReset();
    GDALClose(m.dataset);
    m.dataset = nullptr;
    if (CPLGetLastErrorType() >= CE_Failure) {
        return fail(gdal_error("cannot close the GeoPackage"));
    }
    return {};
}

} // namespace kapal::io
