# Throughput of the CUDA mirror (gpu_bench); bench/sdpa_fp64.py gives the
# PyTorch baseline and the ratio. Needs flashref_cuda from kernels/.
if(NOT TARGET flashref_cuda)
  return()
endif()
find_package(CUDAToolkit REQUIRED)   # imported targets are per directory
add_executable(gpu_bench ${CMAKE_CURRENT_LIST_DIR}/gpu_bench.c)
target_link_libraries(gpu_bench flashref_cuda flashref CUDA::cudart)
