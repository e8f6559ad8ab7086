#include "jobs/jobs_command.hpp"

#include "jobs/job_queue.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <ostream>

namespace pe::jobs {

namespace asio = boost::asio;

namespace {

std::string preview(const std::vector<SalesforceId>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < 3; ++i) {
    if (i) out += ",";
    out += ids[i].str();
  }
  if (ids.size() > 3) out += ",... (" + std::to_string(ids.size()) + ")";
  return out;
}

asio::awaitable<int> act(JobQueue& queue, const JobsOptions& options, std::ostream& out,
                         std::ostream& err) {
  if (options.action == "stats") {
    auto stats = co_await queue.stats();
    if (!stats) {
      err << "pricing-engine jobs: " << stats.error().message << "\n";
      co_return 1;
    }
    out << "waiting " << stats->waiting << "\nrunning " << stats->running << "\ndelayed "
        << stats->delayed << "\ndead " << stats->dead << "\n";
    co_return 0;
  }
  bool targets_all = options.all || options.action == "list";
  std::vector<std::string> ids;
  if (targets_all) {
    auto dead = co_await queue.dead_letters(options.action == "list" ? options.limit : 100'000);
    if (!dead) {
      err << "pricing-engine jobs: " << dead.error().message << "\n";
      co_return 1;
    }
    if (options.action == "list") {
      if (dead->empty()) out << "no dead letters\n";
      for (const auto& job : *dead) {
        out << job.id << "  tx=" << job.transaction_key << "  connection=" << job.connection
            << "  attempts=" << job.attempt << "  ids=" << preview(job.record_ids)
            << "\n    error: " << job.error << "\n";
      }
      co_return 0;
    }
    for (const auto& job : *dead) ids.push_back(job.id);
  } else {
    ids.push_back(options.id);
  }
  size_t done = 0;
  for (const auto& id : ids) {
    auto found =
        options.action == "retry" ? co_await queue.retry_dead(id) : co_await queue.drop_dead(id);
    if (!found) {
      err << "pricing-engine jobs: " << found.error().message << "\n";
      co_return found.error().code == Errc::invalid_argument ? 2 : 1;
    }
    if (!*found) {
      err << "pricing-engine jobs: no dead letter " << id << "\n";
      co_return 1;
    }
    ++done;
  }
  out << (options.action == "retry" ? "retried " : "dropped ") << done << " dead letter"
      << (done == 1 ? "" : "s") << "\n";
  co_return 0;
}

}  // namespace

int run_jobs_command(const JobsOptions& options, const Env& env, std::ostream& out,
                     std::ostream& err) {
  if ((options.action == "retry" || options.action == "drop") && options.id.empty() &&
      !options.all) {
    err << "pricing-engine jobs " << options.action << ": give a job id or --all\n";
    return 2;
  }
  EnvReader read(env);
  auto redis_config = net::redis_config_from(read);
  auto queue_options = queue_options_from(read);
  if (auto ok = read.finish(); !ok) {
    err << "pricing-engine jobs: " << ok.error().message << "\n";
    return 2;
  }
  redis_config.connect_timeout = std::chrono::seconds(3);
  asio::io_context io(1);
  auto redis = net::RedisConnection::create(io, redis_config);
  if (!redis) {
    err << "pricing-engine jobs: " << redis.error().message << "\n";
    return 2;
  }
  (*redis)->start();
  JobQueue queue(*redis, queue_options);
  int code = 1;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        code = co_await act(queue, options, out, err);
        (*redis)->stop();
      },
      asio::detached);
  io.run();
  return code;
}

}  // namespace pe::jobs
