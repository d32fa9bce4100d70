#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace kapal::testing {
namespace {

pid_t spawn(const std::vector<std::string>& argv, int& out_fd) {
    int fds[2];
    if (::pipe(fds) != 0) {
        throw std::runtime_error("pipe failed");
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        std::vector<char*> args;
        for (const auto& a : argv) {
            args.push_back(const_cast<char*>(a.c_str()));
        }
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    out_fd = fds[0];
    return pid;
}

int decode(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

} // namespace

RunResult run(const std::vector<std::string>& argv) {
    int fd = -1;
    const pid_t pid = spawn(argv, fd);
    RunResult result;
    char buf[4096];
    while (true) {
        const auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        result.output.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = decode(status);
    return result;
}

Child::Child(const std::vector<std::string>& argv) {
    pid_ = spawn(argv, fd_);
}

Child::~Child() {
    if (!exited_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool Child::wait_for_output(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto keep = scanned_;
    scanned_ = 0;
    const bool found = !wait_for_line(needle, timeout).empty();
    scanned_ = std::max(keep, found ? scanned_ : keep);
    return found;
}

std::string Child::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto found = output_.find(needle, scanned_);
        // Only a whole line: a read can end in the middle of one (a port number cut short).
        if (found != std::string::npos && output_.find('\n', found) != std::string::npos) {
            const auto start = output_.rfind('\n', found);
            const auto end = output_.find('\n', found);
            const auto from = start == std::string::npos ? 0 : start + 1;
            scanned_ = end;
            return output_.substr(from, end - from);
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return {};
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        char buf[4096];
        const auto n = ::read(fd_, buf, sizeof buf);
        if (n <= 0) {
            // The end of the output ends the last line too.
            if (found != std::string::npos) {
                const auto start = output_.rfind('\n', found);
                const auto from = start == std::string::npos ? 0 : start + 1;
                scanned_ = output_.size();
                return output_.substr(from);
            }
            return {};
        }
        output_.append(buf, static_cast<std::size_t>(n));
    }
}

void Child::signal(int sig) {
    if (!exited_) {
        ::kill(pid_, sig);
    }
}

int Child::wait() {
    if (!exited_) {
        ::waitpid(pid_, &status_, 0);
        exited_ = true;
    }
    return decode(status_);
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kapal-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

} // namespace kapal::testing
