// http_wire.hpp: how the server puts a response on the wire (internal to net/).
//
// The server frames every response itself instead of running Beast's generic serializer: one
// status line, the handler's headers, then the headers the server owns (Content-Length, Connection,
// Date, X-Request-Id), appended to a per-connection string that keeps its capacity, so a response
// costs no allocation and one send. Headers a handler set for framing (Content-Length,
// Transfer-Encoding, Connection, Date, X-Request-Id) are replaced; CR and LF in header values
// become spaces, so no value can split a response.
//
//   std::string head;
//   append_response_head(head, res, {.request_id = id, .keep_alive = true});
//   // "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n..."
#pragma once

#include "net/http_message.hpp"

#include <string>
#include <string_view>

namespace pe::net {

struct ResponseFraming {
  std::string_view request_id;
  bool keep_alive = true;
  // HTTP/1.0 clients need "Connection: keep-alive" to keep the connection open.
  bool http10_client = false;
};

// Appends the status line and headers of res, ending with the blank line. The body is not
// appended; 1xx, 204 and 304 responses get no Content-Length (they have no body).
void append_response_head(std::string& out, const Response& res, const ResponseFraming& framing);

// True when a response with this status carries no body on the wire.
bool status_has_no_body(unsigned status);

// Appends the current time as an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"); formatted at most
// once a second per thread.
void append_http_date(std::string& out);

}  // namespace pe::net
