# package.cmake: the Debian 12 packages CPack makes of an install (cmake/install.cmake), one per
# component:
#   pricing-engine      the binary, with the config/ examples, the sfdx project and the guides in
#                       /usr/share/doc/pricing-engine; Depends computed by dpkg-shlibdeps
#   pricing-engine-dev  the C++ SDK: static libraries, headers, the CMake package, docs/sdk.md and
#                       examples/; Depends on the -dev packages its headers and targets need
#
#   cpack --config build/release/CPackConfig.cmake -B build/packages
#
# tests/packaging/deb_test.sh runs that and checks both packages' contents and dependencies.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pricing-engine)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "pricing-engine")
set(CPACK_PACKAGE_CONTACT "pricing-engine maintainers <maintainers@users.noreply.r-seed-60074b7e.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server sdk)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME pricing-engine)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS ON)
# Not libraries, so dpkg-shlibdeps cannot find them: the trust store for TLS to Salesforce, and
# the Redis that web and worker need (any Redis will do: a recommendation).
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "ca-certificates, redis-server")
string(CONCAT CPACK_COMPONENT_SERVER_DESCRIPTION
       "Quote pricing for Salesforce on Heroku AppLink\n"
       "One binary with the web, worker and devorg (local org) roles; see\n"
       "/usr/share/doc/pricing-engine/README.md.")

set(CPACK_DEBIAN_SDK_PACKAGE_NAME pricing-engine-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION libdevel)
# What PricingEngineConfig.cmake finds (find_dependency) and the installed headers include.
set(CPACK_DEBIAN_SDK_PACKAGE_DEPENDS
    "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libssl-dev, libhiredis-dev, libspdlog-dev, libfmt-dev, pkgconf, cmake (>= 3.25)")
string(CONCAT CPACK_COMPONENT_SDK_DESCRIPTION
       "C++20 SDK for Salesforce and Heroku AppLink\n"
       "Data API, Composite Graph unit of work, Bulk API 2.0, AppLink authorizations and\n"
       "invocations, exact money and the pricing engine, as static libraries with a CMake\n"
       "package: find_package(PricingEngine 0.1 CONFIG).")

include(CPack)
