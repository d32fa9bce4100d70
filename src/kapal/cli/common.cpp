#include "kapal/cli/commands.hpp"
#include "kapal/core/error_code.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace kapal::cli {

int write_output(const std::string& bytes, const std::string& out) {
    if (out.empty() || out == "-") {
        std::cout << bytes;
        return std::cout.good() ? 0 : report_error(Error{ErrorCode::Io, "cannot write", {}});
    }
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file.flush()) {
        return report_error(Error{ErrorCode::Io, "cannot write " + out, {}});
    }
    return 0;
}

int report_error(const Error& error) {
    const auto& info = error_info(error.code);
    std::cerr << "kapal: " << info.title_id;
    if (!error.message.empty()) {
        std::cerr << " — " << error.message;
    }
    std::cerr << " [" << info.id << "]\n";
    for (const auto& f : error.fields) {
        std::cerr << "  - " << f.field << ": " << error_title(f.code, "id");
        if (!f.detail.empty()) {
            std::cerr << " (" << f.detail << ")";
        }
        std::cerr << "\n";
    }
    return info.exit_code;
}

Progress::Progress(std::string label)
    : label_(std::move(label))
    , tty_(::isatty(STDERR_FILENO) == 1) {}

void Progress::update(std::size_t done, std::size_t total) {
    if (!tty_ || total == 0) {
        return;
    }
    const int percent = static_cast<int>(std::min<std::size_t>(100, done * 100 / total));
    if (percent == last_percent_) {
        return;
    }
    last_percent_ = percent;
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::fprintf(stderr,
                 "\r%s [%.*s%*s] %3d%% %zu/%zu",
                 label_.c_str(),
                 filled,
                 "##############################",
                 kWidth - filled,
                 "",
                 percent,
                 done,
                 total);
    std::fflush(stderr);
}

void Progress::finish() {
    if (tty_ && last_percent_ >= 0) {
        std::fputs("\n", stderr);
    }
}

} // namespace kapal::cli
