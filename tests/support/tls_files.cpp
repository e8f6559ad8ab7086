#include "support/tls_files.hpp"

#include "support/process.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace pe::test {
namespace {

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("failed: " + command);
  }
}

}  // namespace

TlsFiles make_tls_files() {
  auto dir = temp_dir("tls");
  TlsFiles f{dir / "ca.pem", dir / "server.pem", dir / "server.key"};
  auto ca_key = (dir / "ca.key").string();
  auto csr = (dir / "server.csr").string();
  auto ext = (dir / "ext.cnf").string();
  run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pe-test-ca -keyout " + ca_key +
      " -out " + f.ca.string());
  run("openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + f.key.string() +
      " -out " + csr);
  // Written here, not with printf: run() redirects stdout, which would leave the file empty.
  std::ofstream(ext) << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  run("openssl x509 -req -days 2 -in " + csr + " -CA " + f.ca.string() + " -CAkey " + ca_key +
      " -CAcreateserial -extfile " + ext + " -out " + f.cert.string());
  return f;
}

}  // namespace pe::test
