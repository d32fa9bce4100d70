# kapal_add_module(NAME geo SOURCES a.cpp b.cpp DEPS kapal::core PRIVATE_DEPS lib TESTS a_test.cpp)
#
# One STATIC target kapal_<name> (alias kapal::<name>) per module. Only DEPS are visible to
# dependents, so an include across a forbidden edge fails to build. Tests beside the sources
# become one gtest executable labelled `unit`.
function(kapal_add_module)
  cmake_parse_arguments(M "" "NAME;TARGET" "SOURCES;DEPS;PRIVATE_DEPS;TESTS;TEST_DEPS" ${ARGN})
  if(NOT M_TARGET)
    set(M_TARGET ${M_NAME})
  endif()
  add_library(kapal_${M_TARGET} STATIC ${M_SOURCES})
  add_library(kapal::${M_TARGET} ALIAS kapal_${M_TARGET})
  target_include_directories(kapal_${M_TARGET} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(kapal_${M_TARGET} PUBLIC ${M_DEPS} PRIVATE kapal::warnings ${M_PRIVATE_DEPS})
  if(KAPAL_BUILD_TESTS AND M_TESTS)
    add_executable(kapal_${M_TARGET}_test ${M_TESTS})
    target_link_libraries(kapal_${M_TARGET}_test PRIVATE kapal::${M_TARGET} kapal::warnings
      ${M_TEST_DEPS} GTest::gtest GTest::gtest_main kapal_gtest_strict)
    gtest_discover_tests(kapal_${M_TARGET}_test
      PROPERTIES LABELS unit ENVIRONMENT "KAPAL_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
      DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
