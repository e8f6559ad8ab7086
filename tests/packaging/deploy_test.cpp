// The Heroku deploy, checked without Docker or Heroku (docs/deploy.md says what is not checked):
// the Dockerfile's runtime libraries are exactly the Debian packages that own what the built
// binary loads; the Procfile, heroku.yml and app.json agree on the processes and commands; and
// heroku.yml's commands, run as a dyno runs them (found on PATH as in the image, with the
// environment Heroku and app.json give: PORT, DYNO, REDIS_URL over rediss:// to a self-signed
// Redis, the AppLink add-on's variables, the generated secrets) against the local org, start
// well within Heroku's 60 s boot limit, do their work, and stop within 30 s of SIGTERM.
#include "support/local_org.hpp"
#include "support/process.hpp"
#include "support/raw_http.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace pe {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::filesystem::path kSource = PE_SOURCE_DIR;

template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds cap) {
  auto deadline = Clock::now() + cap;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

// The Dockerfile's instructions, continuation lines joined, comments dropped.
std::vector<std::string> dockerfile_instructions() {
  std::istringstream in(test::read_file(kSource / "Dockerfile"));
  std::vector<std::string> out;
  std::string current;
  for (std::string line; std::getline(in, line);) {
    if (trim(line).starts_with("#")) continue;
    if (!line.empty() && line.back() == '\\') {
      current += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    current += line;
    if (!trim(current).empty()) out.push_back(trim(current));
    current.clear();
  }
  return out;
}

std::set<std::string> dockerfile_runtime_libraries() {
  for (const auto& instruction : dockerfile_instructions()) {
    const std::string prefix = "ARG RUNTIME_LIBRARIES=\"";
    if (!instruction.starts_with(prefix)) continue;
    auto list = instruction.substr(prefix.size(), instruction.rfind('"') - prefix.size());
    auto names = words(list);
    return {names.begin(), names.end()};
  }
  ADD_FAILURE() << "no ARG RUNTIME_LIBRARIES=\"...\" in the Dockerfile";
  return {};
}

// Procfile: "name: command" lines.
std::map<std::string, std::string> procfile() {
  std::istringstream in(test::read_file(kSource / "Procfile"));
  std::map<std::string, std::string> out;
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (trim(line).empty() || trim(line).starts_with("#") || colon == std::string::npos) continue;
    out[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
  }
  return out;
}

// heroku.yml as "build.docker.web" → "Dockerfile", "run.web" → "pricing-engine web": enough
// YAML for a file of nested maps of scalars, which is all heroku.yml needs.
std::map<std::string, std::string> heroku_yml() {
  std::istringstream in(test::read_file(kSource / "heroku.yml"));
  std::map<std::string, std::string> out;
  std::vector<std::pair<size_t, std::string>> path;  // indent, key
  for (std::string line; std::getline(in, line);) {
    if (trim(line).empty() || trim(line).starts_with("#")) continue;
    size_t indent = line.find_first_not_of(' ');
    auto colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << "heroku.yml: " << line;
    if (colon == std::string::npos) continue;
    while (!path.empty() && path.back().first >= indent) path.pop_back();
    std::string key = trim(line.substr(indent, colon - indent));
    std::string value = trim(line.substr(colon + 1));
    std::string full;
    for (const auto& [_, k] : path) full += k + ".";
    full += key;
    if (value.empty()) {
      path.emplace_back(indent, key);
    } else {
      out[full] = value;
    }
  }
  return out;
}

json::object app_json() { return json::parse(test::read_file(kSource / "app.json")).as_object(); }

// The subcommand and flags after the binary: "./build/release/src/pricing-engine web" → "web".
std::string subcommand(const std::string& command) {
  auto w = words(command);
  auto binary = std::find_if(w.begin(), w.end(), [](const std::string& s) {
    return s == "pricing-engine" || s.ends_with("/pricing-engine");
  });
  if (binary == w.end()) return "";
  std::string out;
  for (auto it = binary + 1; it != w.end(); ++it) out += (out.empty() ? "" : " ") + *it;
  return out;
}

TEST(Deploy, RuntimeLibrariesAreExactlyTheBinarysDebianPackages) {
  auto run = test::Process::start({(kSource / "scripts/runtime-packages").string(), PE_BINARY});
  ASSERT_EQ(run.wait(60s), 0) << run.output();
  auto listed = words(run.output());
  std::set<std::string> needed(listed.begin(), listed.end());
  ASSERT_FALSE(needed.empty());
  auto declared = dockerfile_runtime_libraries();
  for (const auto& p : needed) {
    EXPECT_TRUE(declared.contains(p)) << p << " owns a library the binary loads; add it to the "
                                      << "Dockerfile's RUNTIME_LIBRARIES";
  }
  for (const auto& p : declared) {
    EXPECT_TRUE(needed.contains(p)) << p << " is in the Dockerfile's RUNTIME_LIBRARIES but the "
                                    << "binary loads nothing from it";
  }
}

TEST(Deploy, TheRuntimeImageRunsTheBinaryFromPathAsANonRootUser) {
  bool copied = false, user = false;
  std::string cmd;
  for (const auto& instruction : dockerfile_instructions()) {
    if (instruction.starts_with("COPY --from=build ") &&
        instruction.ends_with(" /usr/local/bin/pricing-engine")) {
      copied = true;
    }
    if (instruction.starts_with("USER ")) {
      auto who = trim(instruction.substr(5));
      user = who != "root" && who != "0" && !who.starts_with("0:");
    }
    if (instruction.starts_with("CMD ")) cmd = instruction.substr(4);
  }
  EXPECT_TRUE(copied) << "the runtime stage must put the binary at /usr/local/bin/pricing-engine";
  EXPECT_TRUE(user) << "the runtime stage must end with a non-root USER";
  auto args = json::parse(cmd).as_array();
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], "pricing-engine");
  EXPECT_EQ(std::string(args[1].as_string()), subcommand(heroku_yml().at("run.web")));
}

TEST(Deploy, ProcfileHerokuYmlAndAppJsonAgreeOnTheProcesses) {
  auto proc = procfile();
  auto yml = heroku_yml();
  auto app = app_json();
  ASSERT_FALSE(proc.empty());
  std::set<std::string> procfile_names, run_names, build_names, formation_names;
  for (const auto& [name, command] : proc) procfile_names.insert(name);
  for (const auto& [key, value] : yml) {
    if (key.starts_with("run.")) run_names.insert(key.substr(4));
    if (key.starts_with("build.docker.")) {
      build_names.insert(key.substr(13));
      EXPECT_EQ(value, "Dockerfile") << key;
    }
  }
  for (const auto& [name, _] : app.at("formation").as_object()) formation_names.emplace(name);
  EXPECT_EQ(run_names, procfile_names) << "heroku.yml run: and the Procfile";
  EXPECT_EQ(build_names, procfile_names) << "heroku.yml build.docker: and the Procfile";
  EXPECT_EQ(formation_names, procfile_names) << "app.json formation and the Procfile";
  for (const auto& [name, command] : proc) {
    if (!yml.contains("run." + name)) continue;
    const auto& run = yml.at("run." + name);
    EXPECT_TRUE(run.starts_with("pricing-engine ")) << run;
    EXPECT_EQ(subcommand(run), subcommand(command)) << name;
    EXPECT_FALSE(subcommand(run).empty()) << name;
  }
  EXPECT_EQ(app.at("stack"), "container");
}

TEST(Deploy, AppJsonHasTheAddOnsAndDescribesEveryVariable) {
  auto app = app_json();
  std::set<std::string> plans;
  for (const auto& addon : app.at("addons").as_array()) {
    std::string plan(addon.at("plan").as_string());
    plans.insert(plan.substr(0, plan.find(':')));
  }
  EXPECT_EQ(plans, (std::set<std::string>{"heroku-redis", "heroku-applink"}));
  const auto config_md = test::read_file(kSource / "docs/config.md");
  for (const auto& [name, spec] : app.at("env").as_object()) {
    const auto& o = spec.as_object();
    ASSERT_TRUE(o.contains("description")) << name;
    EXPECT_GT(o.at("description").as_string().size(), 20u) << name;
    EXPECT_NE(config_md.find("`" + std::string(name) + "`"), std::string::npos)
        << name << " is not documented in docs/config.md";
  }
  for (const char* secret : {"PRICING_WEBHOOK_TOKEN", "PRICING_SEAL_KEY"}) {
    EXPECT_EQ(app.at("env").at(secret).at("generator"), "secret") << secret;
  }
  EXPECT_EQ(app.at("env").at("REDIS_TLS_SKIP_VERIFY").at("value"), "true");
}

constexpr const char* kWebhookToken =
    "0c5e1f9d8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";
constexpr const char* kSealKey = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d";
constexpr const char* kRedisPassword = "p6e0a2c4b1d3f5e7";

// heroku.yml's commands as a dyno runs them: pricing-engine found on PATH (/usr/local/bin in the
// image), the environment a dyno gets from Heroku (PORT for web, DYNO), the add-ons (REDIS_URL:
// Heroku Key Value Store is TLS with a self-signed certificate; the AppLink variables),
// HEROKU_APP_ID as docs/deploy.md sets it, and app.json's values and generated secrets.
class DynoCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_dir = test::temp_dir("dyno-bin");
    std::filesystem::create_symlink(PE_BINARY, bin_dir / "pricing-engine");
    web_port = test::free_port();
    org.emplace(test::LocalOrgOptions{
        .seed = 20,
        .app_port = web_port,
        .extra_args = {"--webhook",
                       "http://127.0.0.1:" + std::to_string(web_port) + "/api/generatequotes",
                       "--webhook-token", kWebhookToken}});
    const auto& o = org->env();
    for (const char* name :
         {"HEROKU_APPLINK_API_URL", "HEROKU_APPLINK_TOKEN", "HEROKU_APP_ID", "CONNECTION_NAMES"}) {
      ASSERT_TRUE(o.contains(name)) << name;
      env[name] = o.at(name);
    }
    env["REDIS_URL"] =
        "rediss://:" + std::string(kRedisPassword) + "@127.0.0.1:" + std::to_string(redis.port());
    env["PATH"] = bin_dir.string() + ":" + std::string(std::getenv("PATH"));
    const auto app = app_json();
    for (const auto& [name, spec] : app.at("env").as_object()) {
      if (const auto* value = spec.as_object().if_contains("value")) {
        env[std::string(name)] = std::string(value->as_string());
      }
    }
    env["CONNECTION_NAMES"] = o.at("CONNECTION_NAMES");  // app.json's is a placeholder
    env["PRICING_WEBHOOK_TOKEN"] = kWebhookToken;        // app.json: generated
    env["PRICING_SEAL_KEY"] = kSealKey;                  // app.json: generated
    // Not Heroku's: the local org's orgDomainUrl is http, and a 1 s flush keeps the test short.
    env["PRICING_DEVORG_URL"] = org->url();
    env["PRICING_FLUSH_SECONDS"] = "1";
    env["PRICING_BATCH_LINGER_MS"] = "100";
  }

  test::Process start(const std::string& process, int dyno) {
    auto e = env;
    e["DYNO"] = process + "." + std::to_string(dyno);
    if (process == "web") e["PORT"] = std::to_string(web_port);
    return test::Process::start(words(heroku_yml().at("run." + process)), e);
  }

  json::array callbacks() {
    auto r = test::http_request(org->port(), "GET", "/devorg/callbacks");
    if (!r || r->status != 200) return {};
    return json::parse(r->body).at("callbacks").as_array();
  }

  test::RedisServer redis{{.tls = test::make_tls_files(), .password = kRedisPassword}};
  std::filesystem::path bin_dir;
  int web_port = 0;
  std::optional<test::LocalOrg> org;
  std::map<std::string, std::string> env;
};

TEST_F(DynoCommands, StartWellWithinTheBootLimitWorkOverTlsRedisAndStopWithin30sOfSigterm) {
  // Run as words, as exec would: no shell syntax to interpret.
  for (const auto& [name, command] : heroku_yml()) {
    if (name.starts_with("run.")) {
      ASSERT_EQ(command.find_first_of("$&|;<>'\"`"), std::string::npos) << command;
    }
  }
  auto started = Clock::now();
  auto web = start("web", 1);
  auto worker = start("worker", 1);
  ASSERT_TRUE(wait_until(
      [&] {
        if (!test::wait_for_port(web_port, 100ms)) return false;
        auto r = test::http_request(web_port, "GET", "/readyz");  // Redis answered PING
        return r && r->status == 200;
      },
      30s))
      << web.output();
  auto web_ready = Clock::now() - started;
  ASSERT_TRUE(wait_until(
      [&] { return worker.output().find("msg=worker_started") != std::string::npos; }, 30s))
      << worker.output();
  auto worker_ready = Clock::now() - started;
  // Heroku gives a web dyno 60 s to bind $PORT; both roles must be far from it.
  EXPECT_LT(web_ready, 10s);
  EXPECT_LT(worker_ready, 10s);

  // Pattern 4: a change in the org reaches web as an Eventing webhook call with the token, goes
  // through Redis over TLS, and the worker writes the quote.
  auto changed =
      org->call("PATCH", "/services/data/v62.0/sobjects/Opportunity/" + test::seeded_opportunity(1),
                R"({"StageName":"Negotiation/Review"})");
  ASSERT_TRUE(changed && changed->status == 204) << (changed ? changed->body : "no answer");
  ASSERT_TRUE(wait_until([&] { return org->count("SELECT COUNT() FROM Quote") == 1; }, 30s))
      << web.output() << worker.output();
  auto eventing_done = Clock::now() - started;

  // Pattern 2, asynchronous: web verifies the invocation with the AppLink add-on, seals the
  // caller's token with PRICING_SEAL_KEY into Redis, the worker quotes and calls back.
  json::array ids{json::value(test::seeded_opportunity(2)),
                  json::value(test::seeded_opportunity(3))};
  auto answer = org->invoke(json::serialize(json::object{
      {"url", "/api/generatequote/async"}, {"body", json::object{{"opportunityIds", ids}}}}));
  ASSERT_EQ(answer.at("status"), 201) << answer << web.output();
  ASSERT_TRUE(wait_until([&] { return !callbacks().empty(); }, 30s)) << worker.output();
  EXPECT_EQ(callbacks()[0].at("body").at("status"), "succeeded") << callbacks();
  EXPECT_EQ(org->count("SELECT COUNT() FROM Quote"), 3);
  auto org_action_done = Clock::now() - started;

  // Heroku sends SIGTERM, then SIGKILL 30 s later. (The worker takes up to a third of
  // PRICING_VISIBILITY_SECONDS, 20 s by default, after its last batch: the batch's lease renewer
  // sleeps out its period before it sees the batch is done.)
  auto stopping = Clock::now();
  web.signal(SIGTERM);
  worker.signal(SIGTERM);
  EXPECT_EQ(web.wait(30s), 0) << web.output();
  auto web_stopped = Clock::now() - stopping;
  EXPECT_EQ(worker.wait(30s), 0) << worker.output();
  auto stopped = Clock::now() - stopping;
  EXPECT_LT(stopped, 30s);
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "web ready after " << ms(web_ready) << " ms, worker after " << ms(worker_ready)
            << " ms; eventing quote at " << ms(eventing_done) << " ms, async org action at "
            << ms(org_action_done) << " ms; web stopped " << ms(web_stopped) << " ms and worker "
            << ms(stopped) << " ms after SIGTERM\n";

  auto logs = web.output() + worker.output();
  for (const char* secret : {kWebhookToken, kSealKey, kRedisPassword}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << "a secret in the logs";
  }
  EXPECT_NE(web.output().find("msg=shutdown_signal"), std::string::npos) << web.output();
  EXPECT_NE(worker.output().find("msg=worker_stopped"), std::string::npos) << worker.output();
}

}  // namespace
}  // namespace pe
