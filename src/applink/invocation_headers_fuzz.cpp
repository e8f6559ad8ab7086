// invocation_headers_fuzz.cpp: libFuzzer target for the invocation header reader
// (invocation.hpp: read_invocation, parse_request_context, parse_client_context).
//
// The first byte of an input picks the mode (applink, mesh or dev) and whether the local org's
// URL is accepted; the rest is split at '\n' into x-request-id, x-request-context and
// x-client-context (raw, so the fuzzer reaches the base64 and JSON layers; a second pass sends
// the same texts base64-encoded, so it reaches the field checks). Every input must come back as
// an invocation or an error, without a crash, a leak or undefined behaviour, and:
//   - an error is unauthenticated or invalid_argument, and its message is short, printable and
//     one of the reader's own forms: it never carries a header's bytes (headers carry tokens);
//   - an invocation's request id contains its request context's id, both contexts name one org,
//     and in mesh mode no request context is read.
// Built only with -DPE_FUZZ=ON and clang; run with scripts/fuzz (corpus:
// src/applink/fuzz_corpus/invocation_headers/).
#include "applink/invocation_headers.hpp"
#include "common/base64.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void run(const pe::applink::InvocationHeaders& headers,
         const pe::applink::InvocationConfig& config) {
  auto invocation = pe::applink::read_invocation(headers, config);
  if (!invocation) {
    const auto& e = invocation.error();
    check(e.code == pe::Errc::unauthenticated || e.code == pe::Errc::invalid_argument);
    // Our own words only: one of the known forms, short, printable ASCII (a header's bytes
    // would need none of these to hold).
    check(e.message.size() < 200);
    bool known = false;
    for (std::string_view form :
         {"malformed x-request-context: ", "malformed x-client-context: ", "the x-",
          "x-request-id does not", "x-request-context and x-client-context",
          "not an AppLink invocation"}) {
      known = known || e.message.starts_with(form);
    }
    check(known);
    for (char c : e.message) check(c >= 0x20 && c < 0x7f);
    return;
  }
  check(!invocation->client.org.access_token.empty());
  if (config.mode == pe::applink::InvocationAuth::mesh) {
    check(!invocation->request.has_value());
  } else {
    check(invocation->request.has_value());
    check(invocation->request_id.find(invocation->request->id) != std::string::npos);
    check(invocation->request->org_id == invocation->client.org_id);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  pe::applink::InvocationConfig config;
  const uint8_t selector = data[0];
  config.mode = selector % 3 == 0   ? pe::applink::InvocationAuth::applink
                : selector % 3 == 1 ? pe::applink::InvocationAuth::mesh
                                    : pe::applink::InvocationAuth::dev;
  if (selector & 0x80) config.local_org_urls.push_back("http://127.0.0.1:8111");
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    auto newline = rest.find('\n');
    parts[i] = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  }
  run({parts[0], parts[1], parts[2]}, config);
  std::string request_context = pe::base64_encode(parts[1]);
  std::string client_context = pe::base64_encode(parts[2]);
  run({parts[0], request_context, client_context}, config);
  return 0;
}
