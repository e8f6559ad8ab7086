# install.cmake: what `cmake --install` puts in a prefix, in two components.
#
#   server  bin/pricing-engine; as documentation, the config/ examples, the sfdx project (src-org/,
#           sfdx-project.json, scripts/apex/, api-docs.yaml) and the guides
#   sdk     the C++ SDK: the static libraries of PE_SDK_MODULES, their headers under
#           include/pricing-engine/<module>/, and the CMake package PricingEngine
#           (find_package(PricingEngine 0.1 CONFIG), targets PricingEngine::<module>)
#
# cmake/package.cmake makes one Debian package of each; docs/sdk.md is the SDK's guide;
# tests/packaging/ checks an install, the examples built against it and the packages.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# What a C++ app needs to talk to Salesforce and AppLink and to price quotes. Not SDK: the process
# roles (web, worker, demo), the job queue and change events they are made of, and the local org.
# A module listed here may depend only on modules listed here: install(EXPORT) stops the
# configure step otherwise, naming the target.
set(PE_SDK_MODULES common net salesforce applink pricing quotes)
# Headers of those modules that are not SDK: the subcommands' entry points (price, invoke).
set(PE_SDK_HEADER_EXCLUDE "_command\\.hpp$")

set(PE_SDK_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/pricing-engine)
set(PE_SDK_LIBDIR ${CMAKE_INSTALL_LIBDIR}/pricing-engine)  # libpe_*.a, out of the linker's path
set(PE_SDK_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/PricingEngine)
set(PE_SDK_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/pricing-engine-dev)

# A program built against the installed headers must see what every file of ours was compiled
# with: C++20, and the Asio/Beast configuration (PE_ASIO_DEFINITIONS; Asio's implementation is
# compiled once, into PricingEngine::net). In this tree the definitions are global already.
target_compile_features(pe_common PUBLIC cxx_std_20)
foreach(definition IN LISTS PE_ASIO_DEFINITIONS)
  target_compile_definitions(pe_common INTERFACE $<INSTALL_INTERFACE:${definition}>)
endforeach()

set(sdk_targets "")
foreach(module IN LISTS PE_SDK_MODULES)
  list(APPEND sdk_targets pe_${module})
  file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${module}/*.hpp)
  list(FILTER headers EXCLUDE REGEX ${PE_SDK_HEADER_EXCLUDE})
  install(FILES ${headers} DESTINATION ${PE_SDK_INCLUDEDIR}/${module} COMPONENT sdk)
endforeach()
install(TARGETS ${sdk_targets} EXPORT PricingEngineTargets
        ARCHIVE DESTINATION ${PE_SDK_LIBDIR} COMPONENT sdk)
install(EXPORT PricingEngineTargets NAMESPACE PricingEngine:: DESTINATION ${PE_SDK_CMAKEDIR}
        COMPONENT sdk)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/PricingEngineConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/PricingEngineConfig.cmake
                              INSTALL_DESTINATION ${PE_SDK_CMAKEDIR})
# 0.x: a minor version may change the API, so 0.1 accepts 0.1.y only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/PricingEngineConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/PricingEngineConfig.cmake
              ${PROJECT_BINARY_DIR}/PricingEngineConfigVersion.cmake
        DESTINATION ${PE_SDK_CMAKEDIR} COMPONENT sdk)
install(FILES ${PROJECT_SOURCE_DIR}/docs/sdk.md DESTINATION ${PE_SDK_DOCDIR} COMPONENT sdk)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${PE_SDK_DOCDIR}/examples
        COMPONENT sdk)

# The server: the binary, and what a deployment reads next to it.
install(TARGETS pricing-engine RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/config
        COMPONENT server)
# The sfdx project, laid out as in this repository so that `sf project deploy start -d
# src-org/main` works from a copy of it.
install(FILES ${PROJECT_SOURCE_DIR}/sfdx-project.json ${PROJECT_SOURCE_DIR}/api-docs.yaml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/sfdx COMPONENT server)
install(FILES ${PROJECT_SOURCE_DIR}/config/project-scratch-def.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/sfdx/config COMPONENT server)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src-org DESTINATION ${CMAKE_INSTALL_DOCDIR}/sfdx
        COMPONENT server)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scripts/apex DESTINATION ${CMAKE_INSTALL_DOCDIR}/sfdx/scripts
        COMPONENT server)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT server)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
        COMPONENT server FILES_MATCHING PATTERN "*.md")
