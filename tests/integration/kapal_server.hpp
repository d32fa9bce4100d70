#pragma once
// The real `kapal` program in a temporary data directory: `kapal init`, then `kapal serve` on
// a free port of 127.0.0.1 (the program prints the URL it bound).

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace kapal::testing {

inline std::string kapal_binary() {
    return KAPAL_BIN;
}

/// `key = value` lines appended to DIR/config.
using Settings = std::vector<std::pair<std::string, std::string>>;

class KapalServer {
  public:
    /// Initialises a data dir with extra config lines (`key = value`) appended.
    explicit KapalServer(const Settings& settings = {}) {
        const auto init = run({kapal_binary(), "init", "--data", dir_.path()});
        EXPECT_EQ(init.exit_code, 0) << init.output;
        std::ofstream config(dir_.path() + "/config", std::ios::app);
        for (const auto& [k, v] : settings) {
            config << k << " = " << v << "\n";
        }
    }

    /// Starts `kapal serve`; fails the test if it does not print its URL in time.
    void start() {
        child_ = std::make_unique<Child>(std::vector<std::string>{
            kapal_binary(), "serve", "--data", dir_.path(), "--listen", "127.0.0.1:0"});
        const auto line = child_->wait_for_line("serving on", std::chrono::seconds(30));
        ASSERT_FALSE(line.empty()) << "server did not start: " << child_->output();
        const auto colon = line.rfind(':');
        port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
    }

    /// Ends the server with `sig` and waits for it.
    int stop(int sig) {
        child_->signal(sig);
        const int code = child_->wait();
        child_.reset();
        return code;
    }

    std::optional<HttpResponse>
    request(const std::string& method,
            const std::string& target,
            const std::string& body = {},
            std::vector<std::pair<std::string, std::string>> headers = {}) {
        if (!body.empty()) {
            headers.emplace_back("Content-Type", "application/json");
        }
        return http_request(port_, method, target, headers, body);
    }

    /// Runs another kapal command on the same data directory.
    RunResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), kapal_binary());
        args.emplace_back("--data");
        args.push_back(dir_.path());
        return run(args);
    }

    unsigned short port() const { return port_; }

    const std::string& dir() const { return dir_.path(); }

    std::string output() const { return child_ ? child_->output() : std::string(); }

  private:
    TempDir dir_;
    std::unique_ptr<Child> child_;
    unsigned short port_ = 0;
};

/// A valid person body for POST /api/v1/persons; `serial` (1..999) makes the NIK unique.
inline std::string person_json(int serial, const std::string& name = "Siti Aminah") {
    char nik[24];
    std::snprintf(nik, sizeof nik, "6474014703850%03d", serial % 1000);
    return std::string(R"({"nik":")") + nik + R"(","full_name":")" + name +
           R"(","sex":"P","birth_date":"1985-03-07","address":{"street":"Jl. Pupuk Raya",)"
           R"("rt":"007","rw":"02","kelurahan_code":"64.74.01.1003"},"categories":["fisik"]})";
}

} // namespace kapal::testing
