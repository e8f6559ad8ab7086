// tls_files.hpp: a throwaway certificate authority and server certificate for TLS tests, made
// with the openssl command at run time (nothing secret is committed).
//
//   auto tls = pe::test::make_tls_files();   // CN=localhost, SAN localhost and 127.0.0.1
//   redis-server --tls-cert-file tls.cert --tls-key-file tls.key --tls-ca-cert-file tls.ca
#pragma once

#include <filesystem>

namespace pe::test {

struct TlsFiles {
  std::filesystem::path ca;    // the CA certificate (PEM), to trust in clients
  std::filesystem::path cert;  // the server certificate (PEM), signed by the CA
  std::filesystem::path key;   // the server's private key (PEM)
};

// Throws when openssl fails.
TlsFiles make_tls_files();

}  // namespace pe::test
