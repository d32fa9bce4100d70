#pragma once
// GeoPackage output through GDAL/OGR (with vector_reader.cpp, the only files that include GDAL):
// one layer in EPSG:4326 with a string `id` column, then the schema's attributes.

#include "kapal/core/result.hpp"
#include "kapal/io/feature.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace kapal::io {

/// Writes one layer of features to a new GeoPackage file, in transactions of 10,000 features.
class GpkgWriter {
  public:
    /// Creates `file` (replacing one that exists) with a layer `layer` of `schema`.
    /// Errors: Io (GDAL's message).
    static Result<std::unique_ptr<GpkgWriter>> create(const std::filesystem::path& file,
                                                      const std::string& layer,
                                                      const FeatureSchema& schema);

    /// Adds a feature. Precondition: feature.values.size() == the schema's field count.
    /// Errors: Io.
    Result<void> write(const Feature& feature);

    /// Commits and closes the file. Errors: Io.
    Result<void> finish();

    GpkgWriter(const GpkgWriter&) = delete;
    GpkgWriter& operator=(const GpkgWriter&) = delete;
    GpkgWriter(GpkgWriter&&) = delete;
    GpkgWriter& operator=(GpkgWriter&&) = delete;
    ~GpkgWriter(); ///< without finish(), closes what was written so far

  private:
    struct Impl;
    explicit GpkgWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kapal::io
