#pragma once
// Test helpers for the xlsx tests: zip files built by hand, temporary paths.

#include <unistd.h>
#include <unzip.h>
#include <zip.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace kapal::io::testing {

/// A fresh path in the temporary directory; the file is removed when this goes away.
class TempPath {
  public:
    explicit TempPath(const std::string& suffix) {
        static std::atomic<int> counter{0};
        path_ = (std::filesystem::temp_directory_path() /
                 ("kapal_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
                  suffix))
                    .string();
    }

    ~TempPath() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }

    TempPath(const TempPath&) = delete;
    TempPath& operator=(const TempPath&) = delete;
    TempPath(TempPath&&) = delete;
    TempPath& operator=(TempPath&&) = delete;

    const std::string& str() const { return path_; }

  private:
    std::string path_;
};

/// Writes a zip with the given (name, content) entries, deflated.
inline bool write_zip(const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& entries) {
    zipFile z = zipOpen64(path.c_str(), 0);
    if (z == nullptr) {
        return false;
    }
    for (const auto& [name, content] : entries) {
        zip_fileinfo info{};
        if (zipOpenNewFileInZip64(z,
                                  name.c_str(),
                                  &info,
                                  nullptr,
                                  0,
                                  nullptr,
                                  0,
                                  nullptr,
                                  Z_DEFLATED,
                                  Z_DEFAULT_COMPRESSION,
                                  0) != ZIP_OK ||
            zipWriteInFileInZip(z, content.data(), static_cast<unsigned>(content.size())) !=
                ZIP_OK ||
            zipCloseFileInZip(z) != ZIP_OK) {
            zipClose(z, nullptr);
            return false;
        }
    }
    return zipClose(z, nullptr) == ZIP_OK;
}

/// The content of one entry of a zip, or "" if missing.
inline std::string read_zip_entry(const std::string& path, const std::string& name) {
    unzFile z = unzOpen64(path.c_str());
    if (z == nullptr) {
        return {};
    }
    std::string out;
    if (unzLocateFile(z, name.c_str(), 1) == UNZ_OK && unzOpenCurrentFile(z) == UNZ_OK) {
        char buf[4096];
        int n = 0;
        while ((n = unzReadCurrentFile(z, buf, sizeof buf)) > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        }
        unzCloseCurrentFile(z);
    }
    unzClose(z);
    return out;
}

} // namespace kapal::io::testing
