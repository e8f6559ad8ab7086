#include "pricing/price_command.hpp"

#include "pricing/engine_registry.hpp"
#include "pricing/pricing_json.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace pe::pricing {
namespace {

constexpr size_t kMaxInput = 256 * 1024 * 1024;

Result<std::string> read_all(std::istream& in, const std::string& name) {
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxInput) {
      return Error{Errc::payload_too_large, name + ": larger than 256 MiB"};
    }
  }
  if (in.bad()) return Error{Errc::invalid_argument, name + ": read error"};
  return text;
}

}  // namespace

int run_price(const PriceOptions& options, const Env& env, std::istream& in, std::ostream& out,
              std::ostream& err) {
  auto fail = [&](std::string_view message) {
    err << "pricing-engine price: " << message << "\n";
    return 2;
  };
  if (options.format != "json" && options.format != "table") {
    return fail("--format must be json or table");
  }
  auto config = read_engine_config(env);
  if (!config) return fail(config.error().message);
  if (!options.rules_path.empty()) config->rules_path = options.rules_path;
  if (!options.engine.empty()) config->engine = options.engine;
  auto engine = make_engine(*config);
  if (!engine) return fail(engine.error().message);

  Result<std::string> text = Error{};
  if (options.input_path.empty() || options.input_path == "-") {
    text = read_all(in, "stdin");
  } else {
    std::ifstream file(options.input_path, std::ios::binary);
    if (!file) return fail(options.input_path + ": cannot open the input file");
    text = read_all(file, options.input_path);
  }
  if (!text) return fail(text.error().message);
  auto opportunities = opportunities_from_json(*text);
  if (!opportunities) {
    std::string source = options.input_path.empty() ? "stdin" : options.input_path;
    return fail(source + ":\n" + opportunities.error().message);
  }
  std::vector<QuotePlan> plans;
  (*engine)->price_batch(*opportunities, plans);
  std::string result;
  if (options.format == "json") {
    write_quotes_json(**engine, *opportunities, plans, result);
  } else {
    write_quotes_table(**engine, *opportunities, plans, result);
  }
  out << result;
  out.flush();
  return out ? 0 : 2;
}

}  // namespace pe::pricing
