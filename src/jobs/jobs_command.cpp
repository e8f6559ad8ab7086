#include "jobs/jobs_command.hpp"

#include "jobs/job_queue.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <ostream>

namespace pe::jobs {

namespace asio = boost::asio;

namespace {

// How the batch queue's dead letters are named here (their ids are the batch stream's).
constexpr std::string_view kBatchMark = "batch:";

std::string preview(const std::vector<SalesforceId>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < 3; ++i) {
    if (i) out += ",";
    out += ids[i].str();
  }
  if (ids.size() > 3) out += ",... (" + std::to_string(ids.size()) + ")";
  return out;
}

std::string batch_fields(const Job& job) {
  const auto& b = *job.batch;
  std::string out =
      "  batch job=" + b.job_id + "  kind=" + b.kind + "  step=" + std::string(step_name(b.step));
  if (b.step == BatchTask::Step::chunk) out += "  chunk=" + std::to_string(b.chunk);
  return out;
}

void print_dead(const Job& job, std::ostream& out, bool batch) {
  out << (batch ? kBatchMark : "") << job.id;
  if (job.batch) {
    out << batch_fields(job);
  } else {
    out << "  tx=" << job.transaction_key << "  connection=" << job.connection;
  }
  out << "  attempts=" << job.attempt << "  ids=" << preview(job.record_ids)
      << "\n    error: " << job.error << "\n";
}

void print_stats(const QueueStats& stats, std::string_view label, std::ostream& out) {
  out << label << "waiting " << stats.waiting << "\n"
      << label << "running " << stats.running << "\n"
      << label << "delayed " << stats.delayed << "\n"
      << label << "dead " << stats.dead << "\n";
}

// The two queues: eventing and org actions (<prefix>jobs), batch job tasks (<prefix>batch:jobs).
struct Queues {
  JobQueue& main;
  JobQueue& batch;
};

asio::awaitable<int> act(Queues queues, const JobsOptions& options, std::ostream& out,
                         std::ostream& err) {
  if (options.action == "stats") {
    auto stats = co_await queues.main.stats();
    auto batch = co_await queues.batch.stats();
    if (!stats || !batch) {
      err << "pricing-engine jobs: " << (!stats ? stats : batch).error().message << "\n";
      co_return 1;
    }
    print_stats(*stats, "", out);
    print_stats(*batch, "batch ", out);
    co_return 0;
  }
  bool targets_all = options.all || options.action == "list";
  size_t limit = options.action == "list" ? options.limit : 100'000;
  std::vector<std::string> ids;
  if (targets_all) {
    auto dead = co_await queues.main.dead_letters(limit);
    auto batch_dead = co_await queues.batch.dead_letters(limit);
    if (!dead || !batch_dead) {
      err << "pricing-engine jobs: " << (!dead ? dead : batch_dead).error().message << "\n";
      co_return 1;
    }
    if (options.action == "list") {
      if (dead->empty() && batch_dead->empty()) out << "no dead letters\n";
      for (const auto& job : *dead) print_dead(job, out, false);
      for (const auto& job : *batch_dead) print_dead(job, out, true);
      co_return 0;
    }
    for (const auto& job : *dead) ids.push_back(job.id);
    for (const auto& job : *batch_dead) ids.push_back(std::string(kBatchMark) + job.id);
  } else {
    ids.push_back(options.id);
  }
  size_t done = 0;
  for (const auto& name : ids) {
    // "batch:<id>" names a batch task's dead letter: the two streams number their entries each on
    // its own, so the same id may be in both.
    bool batch = name.starts_with(kBatchMark);
    JobQueue& queue = batch ? queues.batch : queues.main;
    std::string id = batch ? name.substr(kBatchMark.size()) : name;
    Result<bool> found(boost::system::in_place_value, false);
    if (options.action == "retry") {
      found = co_await queue.retry_dead(id);
    } else {
      found = co_await queue.drop_dead(id);
    }
    if (!found) {
      err << "pricing-engine jobs: " << found.error().message << "\n";
      co_return found.error().code == Errc::invalid_argument ? 2 : 1;
    }
    if (!*found) {
      err << "pricing-engine jobs: no dead letter " << name << "\n";
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
  auto batch_options = queue_options;
  batch_options.prefix = queue_options.prefix + "batch:";
  JobQueue batch_queue(*redis, batch_options);
  int code = 1;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        code = co_await act(Queues{queue, batch_queue}, options, out, err);
        (*redis)->stop();
      },
      asio::detached);
  io.run();
  return code;
}

}  // namespace pe::jobs
