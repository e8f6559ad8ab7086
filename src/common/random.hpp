// random.hpp: identifiers nobody can guess, from OpenSSL's generator (RAND_bytes).
//
//   std::string job = random_uuid();   // "3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f" (version 4)
#pragma once

#include <string>

namespace pe {

// Throws std::runtime_error only when the system has no randomness to give.
std::string random_uuid();

}  // namespace pe
