# pe_module(NAME DEPS ...): one folder under src/ becomes the static library pe_NAME.
#
# Every .cpp in the folder is part of the library except *_test.cpp (unit tests, built into one
# executable NAME_unit_tests and registered with CTest test by test) and *_fuzz.cpp (fuzz
# targets). Files are globbed so that adding a file to a module needs no edit here.
#
# Headers are included as "module/file.hpp" relative to src/ here, and relative to
# include/pricing-engine/ once installed (cmake/install.cmake installs the SDK's modules and
# exports them as PricingEngine::NAME).
function(pe_module name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "DEPS;TEST_DEPS")
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(lib_sources "")
  set(test_sources "")
  foreach(f IN LISTS sources)
    if(f MATCHES "_test\\.cpp$")
      list(APPEND test_sources ${f})
    elseif(NOT f MATCHES "_fuzz\\.cpp$")
      list(APPEND lib_sources ${f})
    endif()
  endforeach()

  add_library(pe_${name} STATIC ${lib_sources})
  target_include_directories(pe_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
                                               $<INSTALL_INTERFACE:include/pricing-engine>)
  set_target_properties(pe_${name} PROPERTIES EXPORT_NAME ${name})
  target_link_libraries(pe_${name} PUBLIC ${ARG_DEPS})

  if(test_sources)
    add_executable(${name}_unit_tests ${test_sources})
    target_link_libraries(${name}_unit_tests PRIVATE pe_${name} ${ARG_TEST_DEPS} GTest::gtest_main GTest::gmock)
    gtest_discover_tests(${name}_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit TIMEOUT 60)
  endif()
endfunction()
