// process.hpp: start and stop real processes from integration tests.
//
// A Process runs a program with arguments and extra environment variables, sends its stdout and
// stderr to a log file (kept for failure messages), and is killed when it goes out of scope.
//
//   auto redis = Process::start({"redis-server", "--port", std::to_string(port)});
//   ASSERT_TRUE(wait_for_port(port, 5s));
//   redis.signal(SIGKILL);
//   int status = redis.wait(5s);
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pe::test {

class Process {
 public:
  // Starts argv[0] (looked up in PATH) with the given extra environment. Throws on failure.
  static Process start(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env = {});

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();  // SIGKILL and reap, if still running

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits for exit; returns the exit code (128 + signal when killed), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // Everything the process wrote to stdout and stderr so far.
  std::string output() const;
  const std::filesystem::path& log_path() const { return log_path_; }

 private:
  Process() = default;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path log_path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

// Polls `pred` every 100 ms until it holds or `cap` has passed; its last answer.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds cap) {
  auto deadline = std::chrono::steady_clock::now() + cap;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}
// True once something accepts connections on 127.0.0.1:port.
bool wait_for_port(int port, std::chrono::milliseconds timeout);
// A fresh empty directory under the system temp dir, removed by nobody (tests are short-lived).
std::filesystem::path temp_dir(const std::string& prefix);
// The whole file, or "" when it cannot be read.
std::string read_file(const std::filesystem::path& path);
// KEY=VALUE lines (such as the env file devorg writes) as a map; other lines are skipped.
std::map<std::string, std::string> read_env_file(const std::filesystem::path& path);
// `s` in single quotes for sh -c, with its own single quotes escaped.
std::string shell_quoted(const std::string& s);

}  // namespace pe::test
