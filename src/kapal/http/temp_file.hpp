#pragma once
// A file of our own in the system's temporary folder, removed when it goes out of scope: where
// GDAL reads an upload and writes a download (it works on files, not memory).

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

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

  private:
    std::string path_;
};

} // namespace kapal::http
