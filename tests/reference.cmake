# Tests of the reference implementation in src/ (each file's header says what
# it checks). Labels: diff, unit, mutants (slow: rebuilds src/ with planted
# bugs and requires the tests above to catch each one).
set(FR_REF_DIR ${CMAKE_CURRENT_LIST_DIR})

foreach(t test_diff test_io_counts test_bad_input test_semantics)
  add_executable(${t} ${FR_REF_DIR}/${t}.c)
  target_link_libraries(${t} flashref m)
  add_test(NAME ${t} COMMAND ${t})
endforeach()
set_tests_properties(test_diff PROPERTIES LABELS diff)
set_tests_properties(test_io_counts test_bad_input test_semantics PROPERTIES LABELS unit)
# test_bad_input asks malloc for 2^61 bytes and expects NULL back, also under ASan.
set_tests_properties(test_bad_input PROPERTIES
  ENVIRONMENT "ASAN_OPTIONS=allocator_may_return_null=1")

add_test(NAME test_semantics_inf_scores COMMAND test_semantics --inf-scores)
add_test(NAME test_bad_input_extremes COMMAND test_bad_input --extremes)
set_tests_properties(test_semantics_inf_scores test_bad_input_extremes PROPERTIES
  LABELS unit TIMEOUT 60)

# The primitives against MPFR, when MPFR is there.
find_path(FR_MPFR_INCLUDE_DIR mpfr.h)
find_library(FR_MPFR_LIBRARY mpfr)
find_library(FR_GMP_LIBRARY gmp)
if(FR_MPFR_INCLUDE_DIR AND FR_MPFR_LIBRARY AND FR_GMP_LIBRARY)
  add_executable(test_prims ${FR_REF_DIR}/test_prims.c)
  target_include_directories(test_prims PRIVATE ${PROJECT_SOURCE_DIR}/src ${FR_MPFR_INCLUDE_DIR})
  target_link_libraries(test_prims flashref ${FR_MPFR_LIBRARY} ${FR_GMP_LIBRARY} m)
  add_test(NAME test_prims COMMAND test_prims)
  set_tests_properties(test_prims PROPERTIES LABELS unit)
else()
  message(STATUS "flashref: MPFR or GMP not found, test_prims not built")
endif()

# Every test above must be able to fail: planted bugs, see mutants/run-mutants.sh.
if(NOT FLASHREF_MUTANT_COPY)
  find_program(FR_BASH bash)
  if(FR_BASH)
    add_test(NAME mutants_reference
             COMMAND ${FR_BASH} ${FR_REF_DIR}/mutants/run-mutants.sh ${PROJECT_SOURCE_DIR})
    set_tests_properties(mutants_reference PROPERTIES LABELS mutants TIMEOUT 900
      ENVIRONMENT "CMAKE=${CMAKE_COMMAND};CC=${CMAKE_C_COMPILER}")
  endif()
endif()
