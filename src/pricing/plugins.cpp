// plugins.cpp: the pricing plug-ins compiled into this build.
//
// To add your own pricing code (docs/pricing-plugins.md): implement PricingEngine in a file of
// this folder (or a library linked into pe_pricing), then add one line below with the name that
// PRICING_ENGINE will select it by.
#include "pricing/engine_registry.hpp"
#include "pricing/example_flat_engine.hpp"

namespace pe::pricing {

void register_plugins(EngineRegistry& registry) {
  registry.add("example-flat", &ExampleFlatEngine::create);
  // registry.add("acme", &AcmeEngine::create);
}

}  // namespace pe::pricing
