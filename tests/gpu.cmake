# GPU differential tests of the CUDA mirror (label gpu). Built whenever
# kernels/ built flashref_cuda; without a usable GPU the program exits 77 and
# ctest reports the test as skipped.
set(FR_GPU_TEST_DIR ${CMAKE_CURRENT_LIST_DIR}/gpu)

# The shapes and inputs of the GPU tests, plain C: the oracle test of the same
# shapes (oracle.cmake) links them too and needs no CUDA.
if(TARGET flashref_cuda OR TARGET flashref_oracle)
  add_library(flashref_gpu_shapes STATIC ${FR_GPU_TEST_DIR}/shapes.c)
  target_include_directories(flashref_gpu_shapes PUBLIC ${FR_GPU_TEST_DIR})
  target_link_libraries(flashref_gpu_shapes PUBLIC flashref m)
endif()

if(NOT TARGET flashref_cuda)
  return()
endif()

find_package(Threads REQUIRED)
find_package(CUDAToolkit REQUIRED)   # imported targets are per directory

add_executable(test_gpu_identity ${FR_GPU_TEST_DIR}/test_gpu_identity.c)
target_link_libraries(test_gpu_identity flashref_gpu_shapes flashref_cuda flashref CUDA::cudart
                      Threads::Threads m)

add_test(NAME gpu_identity COMMAND test_gpu_identity)
set_tests_properties(gpu_identity PROPERTIES LABELS gpu SKIP_RETURN_CODE 77 TIMEOUT 900)

# The small subset that scripts/gpu-check runs under compute-sanitizer.
add_test(NAME gpu_identity_quick COMMAND test_gpu_identity --quick)
set_tests_properties(gpu_identity_quick PROPERTIES LABELS gpu SKIP_RETURN_CODE 77 TIMEOUT 300)
