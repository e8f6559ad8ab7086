#include "pricing/engine_registry.hpp"

#include "pricing/rules_engine.hpp"

namespace pe::pricing {

Result<EngineConfig> read_engine_config(const Env& env) {
  EnvReader read(env);
  EngineConfig config;
  config.engine = read.string("PRICING_ENGINE", "rules");
  config.rules_path = read.optional_string("PRICING_RULES").value_or("");
  config.env = &env;
  if (auto ok = read.finish(); !ok) return ok.error();
  return config;
}

EngineRegistry EngineRegistry::with_builtins() {
  EngineRegistry registry;
  registry.add("rules", [](const EngineConfig& config) -> Result<std::unique_ptr<PricingEngine>> {
    if (config.rules_path.empty()) return std::make_unique<RulesEngine>(default_rules());
    auto rules = load_rules(config.rules_path);
    if (!rules) return rules.error();
    return std::make_unique<RulesEngine>(std::move(*rules));
  });
  register_plugins(registry);
  return registry;
}

void EngineRegistry::add(std::string name, EngineFactory factory) {
  factories_[std::move(name)] = std::move(factory);
}

std::vector<std::string> EngineRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories_) out.push_back(name);
  return out;
}

Result<std::unique_ptr<PricingEngine>> EngineRegistry::make(const EngineConfig& config) const {
  auto it = factories_.find(config.engine);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& name : names()) known += (known.empty() ? "" : ", ") + name;
    std::string shown = config.engine.substr(0, 40);
    return Error{Errc::invalid_argument,
                 "unknown PRICING_ENGINE '" + shown + "' (known: " + known + ")"};
  }
  return it->second(config);
}

Result<std::unique_ptr<PricingEngine>> make_engine(const EngineConfig& config) {
  return EngineRegistry::with_builtins().make(config);
}

}  // namespace pe::pricing
