#pragma once
// A file of our own in the system's temporary folder, removed when it goes out of scope: where
// GDAL reads an upload and writes a download (it works on files, not memory). And the pieces
// every GIS upload route shares: the extension from the client's file name, the body written
// to the file, and the reader's errors told in terms of the upload.

#include "kapal/core/error.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace kapal::http {

class TempFile {
  public:
    /// An empty file kapal-<purpose>-XXXXXX.<extension>, created mode 0600; path() is empty
    /// when it cannot be created. `extension` must be non-empty, letters and digits.
    TempFile(const char* purpose, const std::string& extension) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / (std::string("kapal-") + purpose + "-XXXXXX"))
                .string() +
            "." + extension;
        const int fd = ::mkstemps(pattern.data(), static_cast<int>(extension.size() + 1));
        if (fd >= 0) {
            ::close(fd);
            path_ = pattern;
        }
    }

    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    TempFile(TempFile&&) = delete;
    TempFile& operator=(TempFile&&) = delete;

    ~TempFile() {
        if (!path_.empty()) {
            std::error_code ec;
            std::filesystem::remove(path_, ec);
        }
    }

    const std::string& path() const { return path_; }

    /// The file's bytes (a download written by a library); empty when it cannot be read.
    std::string read() const {
        std::ifstream in(path_, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        return std::move(bytes).str();
    }

    /// Writes `bytes` (an upload's body) into the file; false when it cannot.
    bool write(const std::string& bytes) const {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return static_cast<bool>(out.flush());
    }

  private:
    std::string path_;
};

/// The extension GDAL needs to recognise an upload, from the client's file name: lower case,
/// letters and digits only (so nothing of the name reaches the file system), one of `allowed`;
/// nullopt otherwise.
inline std::optional<std::string>
upload_extension(std::string_view filename, std::initializer_list<std::string_view> allowed) {
    const auto dot = filename.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == filename.size()) {
        return std::nullopt;
    }
    std::string ext;
    for (const char c : filename.substr(dot + 1)) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            return std::nullopt;
        }
        ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (const std::string_view a : allowed) {
        if (ext == a) {
            return ext;
        }
    }
    return std::nullopt;
}

/// A reader's error about an uploaded file, for the client: an Io error is the client's file
/// that cannot be read as a map (ValidationFailed), not our disk; and the message names the
/// upload (`upload_name`), not our temporary file.
inline Error upload_error(Error e, const TempFile& file, std::string_view upload_name) {
    if (e.code == ErrorCode::Io) {
        e.code = ErrorCode::ValidationFailed;
    }
    for (auto at = e.message.find(file.path()); at != std::string::npos;
         at = e.message.find(file.path(), at + upload_name.size())) {
        e.message.replace(at, file.path().size(), std::string(upload_name));
    }
    return e;
}

} // namespace kapal::http
