#include "net/redis_pipeline.hpp"

#include <algorithm>

namespace pe::net {

void RedisExchange::complete() {
  stage = Stage::done;
  if (waiter) waiter->cancel();
}

void RedisExchange::fail(Error e) {
  error = std::move(e);
  complete();
}

void RedisPipeline::enqueue(Exchange exchange) { queued_.push_back(std::move(exchange)); }

size_t RedisPipeline::take_write(std::string& out) {
  size_t taken = 0;
  while (!queued_.empty()) {
    auto exchange = std::move(queued_.front());
    queued_.pop_front();
    out.append(exchange->bytes);
    exchange->stage = RedisExchange::Stage::written;
    taken += exchange->expected;
    in_flight_.push_back(std::move(exchange));
  }
  return taken;
}

Result<void> RedisPipeline::on_reply(RedisReply reply) {
  if (in_flight_.empty()) return Error{Errc::internal, "Redis sent a reply to no command"};
  auto& front = *in_flight_.front();
  // An abandoned exchange still counts its replies, to stay in step, but keeps none.
  if (!front.abandoned) front.replies.push_back(std::move(reply));
  if (++front.received == front.expected) {
    auto finished = std::move(in_flight_.front());
    in_flight_.pop_front();
    finished->complete();
  }
  return {};
}

bool RedisPipeline::abandon(const Exchange& exchange) {
  exchange->abandoned = true;
  exchange->waiter = nullptr;
  exchange->replies.clear();
  if (exchange->stage == RedisExchange::Stage::queued) {
    // Deadlines expire roughly in queue order, so the search usually stops at the front.
    auto it = std::find(queued_.begin(), queued_.end(), exchange);
    if (it != queued_.end()) queued_.erase(it);
    return false;
  }
  return exchange->stage == RedisExchange::Stage::written;
}

void RedisPipeline::fail_in_flight(const Error& error) {
  auto failed = std::move(in_flight_);
  in_flight_.clear();
  for (auto& exchange : failed) exchange->fail(error);
}

void RedisPipeline::fail_queued(const Error& error) {
  auto failed = std::move(queued_);
  queued_.clear();
  for (auto& exchange : failed) exchange->fail(error);
}

}  // namespace pe::net
