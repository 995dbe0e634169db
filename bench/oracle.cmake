# Benchmarks of the exact oracle, the error bounds and flashref's exp and log.
#   bench_oracle        oracle time per problem (N = 4096, d = 128 headline)
#   bench_oracle_sweep  tightness of the bounds over a larger sweep of rows
#   bench_prims_ulp     fr_exp and fr_log in ulps against MPFR, 10^8 points
if(TARGET flashref_oracle)
  set(FR_ORACLE_BENCH_DIR ${CMAKE_CURRENT_LIST_DIR})
  foreach(b bench_oracle bench_oracle_sweep)
    add_executable(${b} ${FR_ORACLE_BENCH_DIR}/${b}.c)
    target_link_libraries(${b} flashref_oracle)
  endforeach()
  add_executable(bench_prims_ulp ${FR_ORACLE_BENCH_DIR}/bench_oracle_prims_ulp.c)
  target_link_libraries(bench_prims_ulp flashref_oracle)
endif()
