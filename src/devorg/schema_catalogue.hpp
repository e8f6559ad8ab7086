// schema_catalogue.hpp: internal to schema.cpp and schema_objects.cpp (the catalogue's data is
// kept apart from the lookups). Use schema.hpp.
#pragma once

#include "devorg/schema.hpp"

#include <vector>

namespace pe::devorg::detail {

// The objects and their fields, without child relationships (schema.cpp derives those).
std::vector<ObjectSchema> build_catalogue();

}  // namespace pe::devorg::detail
