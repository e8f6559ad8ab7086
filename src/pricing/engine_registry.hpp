// engine_registry.hpp: picks the PricingEngine by configuration.
//
// PRICING_ENGINE names the engine ("rules", the default, or a plug-in such as "example-flat");
// PRICING_RULES is the rules file of the rules engine (built-in rules when unset). Every process
// that prices (worker, web for the org action, the `price` subcommand) builds its engine here
// once at start; a bad name or a bad rules file is a start-up error, so nothing runs on rules it
// could not read. Plug-ins are listed in plugins.cpp (docs/pricing-plugins.md says how to add one).
//
//   auto config = read_engine_config(env);                 // Result<EngineConfig>
//   auto engine = make_engine(*config);                     // Result<unique_ptr<PricingEngine>>
//   if (!engine) { std::cerr << engine.error().message; return 2; }
//   log.info("pricing_engine_ready", {{"version", (*engine)->version()}});
#pragma once

#include "common/config.hpp"
#include "common/error.hpp"
#include "pricing/pricing_engine.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pe::pricing {

struct EngineConfig {
  std::string engine = "rules";  // PRICING_ENGINE
  std::string rules_path;        // PRICING_RULES; empty: the built-in rules
  const Env* env = nullptr;      // for plug-ins' own variables; may be null
};

// Reads PRICING_ENGINE and PRICING_RULES; keeps a pointer to env for plug-ins.
Result<EngineConfig> read_engine_config(const Env& env);

using EngineFactory =
    std::function<Result<std::unique_ptr<PricingEngine>>(const EngineConfig& config)>;

class EngineRegistry {
 public:
  // "rules" plus every plug-in registered by register_plugins().
  static EngineRegistry with_builtins();

  // Adds or replaces the factory for a name.
  void add(std::string name, EngineFactory factory);
  std::vector<std::string> names() const;
  // The engine config.engine names, built from config. Errc::invalid_argument for an unknown
  // name ("unknown PRICING_ENGINE 'x' (known: example-flat, rules)"); a factory's own errors
  // (a bad rules file) pass through.
  Result<std::unique_ptr<PricingEngine>> make(const EngineConfig& config) const;

 private:
  std::map<std::string, EngineFactory, std::less<>> factories_;
};

// EngineRegistry::with_builtins().make(config).
Result<std::unique_ptr<PricingEngine>> make_engine(const EngineConfig& config);

// Defined in plugins.cpp: registers the plug-ins compiled into this build.
void register_plugins(EngineRegistry& registry);

}  // namespace pe::pricing
