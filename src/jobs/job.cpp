#include "jobs/job.hpp"

#include <charconv>

namespace pe::jobs {

namespace {

std::string_view field_value(const net::RedisReply& fields, std::string_view name) {
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].text == name) return fields.elements[i + 1].text;
  }
  return {};
}

bool has_field(const net::RedisReply& fields, std::string_view name) {
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].text == name) return true;
  }
  return false;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

Error malformed(std::string_view id, std::string_view what) {
  return Error{Errc::invalid_argument, "job " + std::string(id) + ": " + std::string(what)};
}

Result<OrgAction> decode_action(std::string_view id, const net::RedisReply& fields) {
  OrgAction a;
  a.job_id = std::string(field_value(fields, "aj"));
  if (a.job_id.empty() || a.job_id.size() > 64) return malformed(id, "aj is not a job id");
  a.callback_url = std::string(field_value(fields, "cb"));
  a.instance_url = std::string(field_value(fields, "iu"));
  if (a.callback_url.empty() || a.callback_url.size() > kMaxUrlBytes || a.instance_url.empty() ||
      a.instance_url.size() > kMaxUrlBytes) {
    return malformed(id, "cb or iu is missing or too long");
  }
  a.api_version = std::string(field_value(fields, "av"));
  if (a.api_version.empty() || a.api_version.size() > 8) return malformed(id, "av is malformed");
  a.sealed_token = std::string(field_value(fields, "st"));
  auto org = SalesforceId::parse(field_value(fields, "org"));
  auto user = SalesforceId::parse(field_value(fields, "uid"));
  if (!org || !user) return malformed(id, "org or uid is not an Id");
  a.org_id = *org;
  a.user_id = *user;
  if (!parse_number(field_value(fields, "dl"), a.deadline_ms)) {
    return malformed(id, "dl is not an integer");
  }
  a.result = std::string(field_value(fields, "res"));
  if (a.result.size() > kMaxCallbackResultBytes) return malformed(id, "res is too long");
  return a;
}

Result<BatchTask> decode_batch(std::string_view id, const net::RedisReply& fields) {
  BatchTask t;
  t.job_id = std::string(field_value(fields, "bj"));
  if (t.job_id.empty() || t.job_id.size() > 64) return malformed(id, "bj is not a job id");
  t.kind = std::string(field_value(fields, "bk"));
  if (t.kind != "quote" && t.kind != "data_create" && t.kind != "data_delete") {
    return malformed(id, "bk is not a batch job kind");
  }
  auto step = field_value(fields, "bs");
  if (step == "plan") {
    t.step = BatchTask::Step::plan;
  } else if (step == "chunk") {
    t.step = BatchTask::Step::chunk;
  } else if (step == "finish") {
    t.step = BatchTask::Step::finish;
  } else {
    return malformed(id, "bs is not plan, chunk or finish");
  }
  if (t.step == BatchTask::Step::chunk &&
      (!parse_number(field_value(fields, "bn"), t.chunk) || t.chunk < 0)) {
    return malformed(id, "bn is not a chunk number");
  }
  t.path = std::string(field_value(fields, "bw"));
  if (!t.path.empty() && t.path != "graph" && t.path != "bulk") {
    return malformed(id, "bw is not graph or bulk");
  }
  t.authorization = std::string(field_value(fields, "au"));
  if (t.authorization.size() > kMaxConnectionNameBytes) return malformed(id, "au is too long");
  t.instance_url = std::string(field_value(fields, "iu"));
  if (t.instance_url.size() > kMaxUrlBytes) return malformed(id, "iu is too long");
  t.api_version = std::string(field_value(fields, "av"));
  if (t.api_version.size() > 8) return malformed(id, "av is malformed");
  t.sealed_token = std::string(field_value(fields, "st"));
  auto org = SalesforceId::parse(field_value(fields, "org"));
  if (!org) return malformed(id, "org is not an Id");
  t.org_id = *org;
  if (has_field(fields, "uid")) {
    auto user = SalesforceId::parse(field_value(fields, "uid"));
    if (!user) return malformed(id, "uid is not an Id");
    t.user_id = *user;
  }
  if (t.authorization.empty() && (t.instance_url.empty() || t.api_version.empty())) {
    return malformed(id, "a task without an authorization needs iu and av");
  }
  return t;
}

}  // namespace

std::string_view step_name(BatchTask::Step step) {
  switch (step) {
    case BatchTask::Step::plan:
      return "plan";
    case BatchTask::Step::chunk:
      return "chunk";
    case BatchTask::Step::finish:
      return "finish";
  }
  return "plan";
}

void append_job_fields(net::RedisCommand& command, const Job& job) {
  for (const auto& value : job_fields(job)) command.arg(value);
}

std::vector<std::string> job_fields(const Job& job) {
  struct Fields {
    std::vector<std::string> list;
    Fields& arg(std::string_view value) {
      list.emplace_back(value);
      return *this;
    }
    Fields& arg(int64_t value) { return arg(std::to_string(value)); }
    Fields& arg(int value) { return arg(std::to_string(value)); }
  } fields;
  auto& command = fields;
  command.arg("tx").arg(job.transaction_key);
  command.arg("conn").arg(job.connection);
  command.arg("ids").arg(join_ids(job.record_ids));
  command.arg("attempt").arg(job.attempt);
  command.arg("enqueued").arg(job.enqueued_ms);
  if (!job.error.empty()) command.arg("error").arg(job.error);
  if (const auto& a = job.action) {
    command.arg("aj").arg(a->job_id);
    command.arg("cb").arg(a->callback_url);
    command.arg("iu").arg(a->instance_url);
    command.arg("av").arg(a->api_version);
    if (!a->sealed_token.empty()) command.arg("st").arg(a->sealed_token);
    command.arg("org").arg(a->org_id.str());
    command.arg("uid").arg(a->user_id.str());
    command.arg("dl").arg(a->deadline_ms);
    if (!a->result.empty()) command.arg("res").arg(a->result);
  }
  if (const auto& b = job.batch) {
    command.arg("bj").arg(b->job_id);
    command.arg("bk").arg(b->kind);
    command.arg("bs").arg(step_name(b->step));
    if (b->step == BatchTask::Step::chunk) command.arg("bn").arg(b->chunk);
    if (!b->path.empty()) command.arg("bw").arg(b->path);
    if (!b->authorization.empty()) command.arg("au").arg(b->authorization);
    if (!b->instance_url.empty()) command.arg("iu").arg(b->instance_url);
    if (!b->api_version.empty()) command.arg("av").arg(b->api_version);
    if (!b->sealed_token.empty()) command.arg("st").arg(b->sealed_token);
    command.arg("org").arg(b->org_id.str());
    if (!b->user_id.is_null()) command.arg("uid").arg(b->user_id.str());
  }
  return std::move(fields.list);
}

Result<Job> decode_job(std::string_view id, const net::RedisReply& fields) {
  if (!fields.is_array() || fields.elements.size() % 2 != 0) {
    return malformed(id, "fields are not pairs");
  }
  Job job;
  job.id = std::string(id);
  job.transaction_key = std::string(field_value(fields, "tx"));
  if (job.transaction_key.empty() || job.transaction_key.size() > kMaxTransactionKeyBytes) {
    return malformed(id, "tx is missing or longer than 256 bytes");
  }
  job.connection = std::string(field_value(fields, "conn"));
  if (job.connection.empty() || job.connection.size() > kMaxConnectionNameBytes) {
    return malformed(id, "conn is missing or longer than 256 bytes");
  }
  // A batch task's plan and finish steps, and a sample-data chunk, have no records of their own.
  const bool batch = has_field(fields, "bj");
  if (auto text = field_value(fields, "ids"); !(batch && text.empty())) {
    auto ids = parse_id_list(text);
    if (!ids) return malformed(id, "ids: " + ids.error().message);
    job.record_ids = std::move(*ids);
  }
  if (has_field(fields, "attempt")) {
    if (!parse_number(field_value(fields, "attempt"), job.attempt) || job.attempt < 1) {
      return malformed(id, "attempt is not a positive integer");
    }
  }
  if (has_field(fields, "enqueued") &&
      !parse_number(field_value(fields, "enqueued"), job.enqueued_ms)) {
    return malformed(id, "enqueued is not an integer");
  }
  job.error = clip_error(field_value(fields, "error"));
  if (has_field(fields, "aj")) {
    auto action = decode_action(id, fields);
    if (!action) return action.error();
    job.action = std::move(*action);
  }
  if (batch) {
    auto task = decode_batch(id, fields);
    if (!task) return task.error();
    job.batch = std::move(*task);
  }
  return job;
}

Result<std::vector<SalesforceId>> parse_id_list(std::string_view text) {
  std::vector<SalesforceId> ids;
  if (text.empty()) return Error{Errc::invalid_argument, "no record Ids"};
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    auto parsed = SalesforceId::parse(item);
    if (!parsed) return parsed.error();
    if (ids.size() == kMaxJobRecordIds) {
      return Error{Errc::invalid_argument, "more than 100000 record Ids"};
    }
    ids.push_back(*parsed);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return ids;
}

std::string join_ids(const std::vector<SalesforceId>& ids) {
  std::string out;
  out.reserve(ids.size() * 19);
  for (const auto& id : ids) {
    if (!out.empty()) out += ',';
    out += id.str();
  }
  return out;
}

std::string clip_error(std::string_view message) {
  std::string out(message.substr(0, kMaxErrorBytes));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace pe::jobs
