#include "kapal/card/picture.hpp"

#include <cairo.h>
#include <turbojpeg.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>

namespace kapal::card {
namespace {

constexpr std::array<std::uint8_t, 8> kPngSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

bool is_png(std::span<const std::uint8_t> b) {
    return b.size() >= 8 && std::memcmp(b.data(), kPngSignature.data(), kPngSignature.size()) == 0;
}

bool is_jpeg(std::span<const std::uint8_t> b) {
    return b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff;
}

unexpected<Error> invalid(std::string_view field, const std::string& what) {
    return fail(ErrorCode::CardImageInvalid,
                std::string(field) + ": " + what,
                {FieldIssue{std::string(field), ErrorCode::CardImageInvalid, what}});
}

std::uint32_t read_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

struct PngReader {
    std::span<const std::uint8_t> bytes;
    std::size_t offset = 0;
};

cairo_status_t read_png_bytes(void* closure, unsigned char* data, unsigned int length) {
    auto* reader = static_cast<PngReader*>(closure);
    if (reader->bytes.size() - reader->offset < length) {
        return CAIRO_STATUS_READ_ERROR;
    }
    std::memcpy(data, reader->bytes.data() + reader->offset, length);
    reader->offset += length;
    return CAIRO_STATUS_SUCCESS;
}

Result<Picture> decode_png(std::span<const std::uint8_t> bytes, std::string_view field) {
    // The IHDR chunk comes first: length (4), "IHDR", width (4), height (4). Read the size
    // before libpng allocates anything for it.
    if (bytes.size() < 33 || std::memcmp(bytes.data() + 12, "IHDR", 4) != 0) {
        return invalid(field, "PNG without its IHDR header (truncated?)");
    }
    const std::uint32_t width = read_be32(bytes.data() + 16);
    const std::uint32_t height = read_be32(bytes.data() + 20);
    if (width == 0 || height == 0 || width > kMaxPictureSide || height > kMaxPictureSide ||
        std::int64_t{width} * std::int64_t{height} > kMaxPicturePixels) {
        return invalid(field,
                       "PNG of " + std::to_string(width) + " x " + std::to_string(height) +
                           " pixels; at most " + std::to_string(kMaxPicturePixels) +
                           " pixels and " + std::to_string(kMaxPictureSide) +
                           " a side are accepted");
    }
    PngReader reader{bytes, 0};
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
        cairo_image_surface_create_from_png_stream(read_png_bytes, &reader), cairo_surface_destroy);
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
        return invalid(field,
                       std::string("corrupt PNG (") +
                           cairo_status_to_string(cairo_surface_status(surface.get())) + ")");
    }
    // Cairo hands back ARGB32 or RGB24 (both 32-bit words); other formats (A8 for a pure
    // alpha PNG) are not pictures of anything.
    const cairo_format_t format = cairo_image_surface_get_format(surface.get());
    if (format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24) {
        return invalid(field, "PNG without colour or grey channels");
    }
    cairo_surface_flush(surface.get());
    Picture picture;
    picture.width = cairo_image_surface_get_width(surface.get());
    picture.height = cairo_image_surface_get_height(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    const auto w = static_cast<std::size_t>(picture.width);
    picture.pixels.resize(w * static_cast<std::size_t>(picture.height));
    for (int y = 0; y < picture.height; ++y) {
        std::memcpy(picture.pixels.data() + static_cast<std::size_t>(y) * w,
                    data + static_cast<std::ptrdiff_t>(y) * stride,
                    w * sizeof(std::uint32_t));
    }
    if (format == CAIRO_FORMAT_RGB24) {
        for (auto& p : picture.pixels) {
            p |= 0xff000000U;
        }
    }
    return picture;
}

Result<Picture> decode_jpeg(std::span<const std::uint8_t> bytes, std::string_view field) {
    std::unique_ptr<void, decltype(&tjDestroy)> tj(tjInitDecompress(), tjDestroy);
    if (!tj) {
        return fail(ErrorCode::Internal, "TurboJPEG could not start");
    }
    auto* jpeg = const_cast<unsigned char*>(bytes.data()); // TurboJPEG 2.1 only reads it
    const auto size = static_cast<unsigned long>(bytes.size());
    int width = 0;
    int height = 0;
    int subsampling = 0;
    int colorspace = 0;
    if (tjDecompressHeader3(tj.get(), jpeg, size, &width, &height, &subsampling, &colorspace) !=
            0 ||
        width <= 0 || height <= 0) {
        return invalid(field,
                       std::string("corrupt JPEG header (") + tjGetErrorStr2(tj.get()) + ")");
    }
    // The largest scale (1, 7/8, ..., 1/8) that keeps the picture within the pixel budget.
    int count = 0;
    const tjscalingfactor* factors = tjGetScalingFactors(&count);
    int scaled_w = 0;
    int scaled_h = 0;
    for (int i = 0; i < count; ++i) {
        if (factors[i].num > factors[i].denom) {
            continue; // TurboJPEG also offers to enlarge (up to 2x): never wanted here
        }
        const int w = TJSCALED(width, factors[i]);
        const int h = TJSCALED(height, factors[i]);
        if (std::int64_t{w} * h <= kMaxPicturePixels && w <= kMaxPictureSide &&
            h <= kMaxPictureSide && std::int64_t{w} * h > std::int64_t{scaled_w} * scaled_h) {
            scaled_w = w;
            scaled_h = h;
        }
    }
    if (scaled_w == 0) {
        return invalid(field,
                       "JPEG of " + std::to_string(width) + " x " + std::to_string(height) +
                           " pixels is too large even at 1/8 scale");
    }
    std::vector<unsigned char> rgb(static_cast<std::size_t>(scaled_w) *
                                   static_cast<std::size_t>(scaled_h) * 3);
    // Stop on warnings too: a truncated JPEG "decodes" into grey, which is no photo.
    if (tjDecompress2(tj.get(),
                      jpeg,
                      size,
                      rgb.data(),
                      scaled_w,
                      scaled_w * 3,
                      scaled_h,
                      TJPF_RGB,
                      TJFLAG_STOPONWARNING) != 0) {
        return invalid(field, std::string("corrupt JPEG (") + tjGetErrorStr2(tj.get()) + ")");
    }
    Picture picture{scaled_w, scaled_h, {}};
    picture.pixels.resize(static_cast<std::size_t>(scaled_w) * static_cast<std::size_t>(scaled_h));
    for (std::size_t i = 0; i < picture.pixels.size(); ++i) {
        picture.pixels[i] = 0xff000000U | (std::uint32_t{rgb[3 * i]} << 16) |
                            (std::uint32_t{rgb[3 * i + 1]} << 8) | std::uint32_t{rgb[3 * i + 2]};
    }
    return picture;
}

} // namespace

Result<Picture> decode_picture(std::span<const std::uint8_t> bytes, std::string_view field) {
    if (bytes.empty()) {
        return invalid(field, "empty file");
    }
    if (is_png(bytes)) {
        return decode_png(bytes, field);
    }
    if (is_jpeg(bytes)) {
        return decode_jpeg(bytes, field);
    }
    return invalid(field, "neither PNG nor JPEG (unknown signature)");
}

} // namespace kapal::card
