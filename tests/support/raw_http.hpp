// raw_http.hpp: a blocking, byte-level HTTP/1.1 client for tests, so a test can send exactly the
// bytes it wants (slow, malformed, oversized) and read exactly what the server answered.
//
//   RawConnection c(port);
//   c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
//   auto r = c.read_response();          // status, headers, body
//   EXPECT_EQ(r->status, 200);
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pe::test {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const;
};

class RawConnection {
 public:
  explicit RawConnection(int port);  // throws when it cannot connect
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False when the peer has closed the connection.
  bool send(const std::string& bytes);
  // One response (Content-Length bodies), or nullopt on timeout or close. A response to HEAD has
  // no body whatever its Content-Length says: pass head = true.
  std::optional<RawResponse> read_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(5), bool head = false);
  // True when the server closes the connection within the timeout (EOF or reset).
  bool wait_closed(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string buffer_;
};

// One request on a new connection: method, path, optional body and content type.
std::optional<RawResponse> http_request(int port, const std::string& method,
                                        const std::string& path, const std::string& body = "",
                                        const std::string& content_type = "application/json");

// The same with extra header lines ("Authorization: Bearer x"); Content-Length is added for a
// body.
std::optional<RawResponse> http_request(int port, const std::string& method,
                                        const std::string& path,
                                        const std::vector<std::string>& headers,
                                        const std::string& body);

}  // namespace pe::test
