// child_process.hpp: a process the demo starts and must stop — pricing-engine roles and
// redis-server — with its output in a log file.
//
// The child gets its own process group (so the terminal's Ctrl-C reaches only the demo, which
// then stops the children in order) and PR_SET_PDEATHSIG (so a demo killed with SIGKILL does not
// leave them running). Everything exec needs is prepared before fork: between fork and exec the
// child calls only async-signal-safe functions. The destructor stops a child still running:
// SIGTERM, then SIGKILL after the grace period.
//
//   auto web = ChildProcess::start({.name = "web", .argv = {"/proc/self/exe", "web"},
//                                   .env = {{"PORT", "8080"}}, .log_path = dir / "web.log"});
//   if (!web) return web.error();
//   if (!web->running()) std::cerr << web->log_tail(20);
//   web->stop(5s);
#pragma once

#include "common/error.hpp"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pe::demo {

struct ChildSpec {
  std::string name;               // for messages: "web", "redis-server"
  std::vector<std::string> argv;  // argv[0] is a path (not looked up in PATH)
  // Added to (or replacing in) the demo's own environment.
  std::map<std::string, std::string> env;
  std::filesystem::path log_path;  // stdout and stderr go here
};

class ChildProcess {
 public:
  // Errc::unavailable when the log file cannot be made or fork fails. A failed exec shows as a
  // child that exits at once with status 127 (its log says why).
  static Result<ChildProcess> start(ChildSpec spec);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  const std::string& name() const { return spec_.name; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_path() const { return spec_.log_path; }

  // False once it has exited (reaped here).
  bool running();
  // "exited with status 1", "killed by signal 9"; empty while running.
  std::string exit_description();
  // Sends SIGTERM; then SIGKILL when it is still running after `grace`.
  void stop(std::chrono::milliseconds grace);
  void signal(int sig);
  // The last `lines` lines of its log.
  std::string log_tail(size_t lines) const;

 private:
  explicit ChildProcess(ChildSpec spec) : spec_(std::move(spec)) {}

  ChildSpec spec_;
  pid_t pid_ = -1;
  std::optional<int> wait_status_;
};

// Stops every child at once: SIGTERM to all, then SIGKILL to those still running after `grace`.
void stop_all(std::vector<ChildProcess*> children, std::chrono::milliseconds grace);

// The path of `program` found in PATH, or nullopt.
std::optional<std::filesystem::path> find_in_path(std::string_view program);

}  // namespace pe::demo
