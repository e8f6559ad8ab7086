#include "demo/child_process.hpp"

#include "demo/demo_text.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

extern char** environ;

namespace pe::demo {

namespace {

// The demo's environment with `extra` added or replacing.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    std::string key(entry.substr(0, eq));
    if (!extra.contains(key)) out.emplace_back(entry);
  }
  for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<ChildProcess> ChildProcess::start(ChildSpec spec) {
  ChildProcess child(std::move(spec));
  int fd = ::open(child.spec_.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error{Errc::unavailable,
                 "cannot create " + child.spec_.log_path.string() + ": " + std::strerror(errno)};
  }
  // Everything exec needs, made before fork: the child may not allocate.
  std::vector<std::string> args = child.spec_.argv;
  std::vector<std::string> env = child_environment(child.spec_.env);
  auto argv = pointers(args);
  auto envp = pointers(env);
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    return Error{Errc::unavailable, "fork failed: " + std::string(std::strerror(errno))};
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);  // the demo died before prctl
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    // A signal the demo ignores would stay ignored across exec: give the child the defaults.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::execve(argv[0], argv.data(), envp.data());
    const char* why = std::strerror(errno);
    (void)!::write(2, "exec failed: ", 13);
    (void)!::write(2, why, std::strlen(why));
    (void)!::write(2, "\n", 1);
    ::_exit(127);
  }
  ::close(fd);
  child.pid_ = pid;
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : spec_(std::move(other.spec_)),
      pid_(std::exchange(other.pid_, -1)),
      wait_status_(other.wait_status_) {}

ChildProcess::~ChildProcess() {
  if (running()) stop(std::chrono::seconds(3));
}

bool ChildProcess::running() {
  if (pid_ <= 0 || wait_status_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  wait_status_ = r == pid_ ? status : 0;
  return false;
}

std::string ChildProcess::exit_description() {
  if (running() || !wait_status_) return "";
  int status = *wait_status_;
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "exited";
}

void ChildProcess::signal(int sig) {
  if (pid_ > 0 && !wait_status_) ::kill(pid_, sig);
}

void ChildProcess::stop(std::chrono::milliseconds grace) { stop_all({this}, grace); }

std::string ChildProcess::log_tail(size_t lines) const {
  std::ifstream in(spec_.log_path);
  std::stringstream text;
  text << in.rdbuf();
  return last_lines(text.str(), lines);
}

void stop_all(std::vector<ChildProcess*> children, std::chrono::milliseconds grace) {
  for (auto* child : children) child->signal(SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  auto any_running = [&] {
    bool any = false;
    for (auto* child : children) any = child->running() || any;
    return any;
  };
  while (any_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto* child : children) {
    if (!child->running()) continue;
    child->signal(SIGKILL);
    while (child->running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<std::filesystem::path> find_in_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    auto candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

}  // namespace pe::demo
