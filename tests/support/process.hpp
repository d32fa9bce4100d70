#pragma once
// Child processes for integration tests: the real `kapal` program, started and killed.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace kapal::testing {

/// Runs a program to completion; returns its exit code (or 128 + signal) and its output.
struct RunResult {
    int exit_code = -1;
    std::string output; ///< stdout and stderr together
};

RunResult run(const std::vector<std::string>& argv);

/// A running child whose stdout and stderr are read through a pipe.
class Child {
  public:
    explicit Child(const std::vector<std::string>& argv);
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    Child(Child&&) = delete;
    Child& operator=(Child&&) = delete;
    ~Child();

    /// Reads output until a line contains `needle` or `timeout` passes; the line, or "".
    std::string wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);

    /// Reads output until everything read so far (from the start, whatever wait_for_line has
    /// passed) contains `needle`, or `timeout` passes; whether it does.
    bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout);

    /// Sends a signal (e.g. SIGKILL, SIGTERM).
    void signal(int sig);

    /// Waits for the child to end; returns the exit code (or 128 + signal).
    int wait();

    pid_t pid() const { return pid_; }

    const std::string& output() const { return output_; }

  private:
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string output_;
    std::size_t scanned_ = 0;
    bool exited_ = false;
    int status_ = 0;
};

/// A fresh temporary folder, removed with everything in it at destruction.
class TempDir {
  public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&&) = delete;
    TempDir& operator=(TempDir&&) = delete;
    ~TempDir();

    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

} // namespace kapal::testing
