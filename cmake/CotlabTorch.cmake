# Finds libtorch and defines the imported target cotlab::torch.
#
# 1. A libtorch with a working CMake package (the official zip, or the one inside a Python torch:
#    -DCMAKE_PREFIX_PATH=$(python3 -c "import torch; print(torch.utils.cmake_prefix_path)")), CUDA or not.
# 2. Otherwise Debian's libtorch-dev layout (headers under /usr/include/torch/csrc/api/include,
#    libraries torch, torch_cpu, c10), whose TorchConfig.cmake is not usable as shipped.
set(COTLAB_TORCH_SOURCE "")
if(Torch_DIR OR CMAKE_PREFIX_PATH)
    find_package(Torch CONFIG QUIET)
endif()
if(Torch_FOUND AND TORCH_LIBRARIES)
    add_library(cotlab_torch INTERFACE)
    target_link_libraries(cotlab_torch INTERFACE ${TORCH_LIBRARIES})
    target_include_directories(cotlab_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
    set(COTLAB_TORCH_SOURCE "CMake package at ${Torch_DIR}")
    if(TARGET c10_cuda)
        # CUDA memory figures (nn/DeviceMemory.cpp) call c10_cuda and the CUDA runtime.
        target_compile_definitions(cotlab_torch INTERFACE COTLAB_WITH_CUDA)
        set(COTLAB_TORCH_SOURCE "${COTLAB_TORCH_SOURCE} (CUDA)")
    endif()
else()
    find_path(COTLAB_TORCH_API_INCLUDE torch/torch.h PATHS /usr/include/torch/csrc/api/include NO_DEFAULT_PATH)
    find_library(COTLAB_TORCH_LIB torch)
    find_library(COTLAB_TORCH_CPU_LIB torch_cpu)
    find_library(COTLAB_C10_LIB c10)
    if(NOT COTLAB_TORCH_API_INCLUDE OR NOT COTLAB_TORCH_LIB OR NOT COTLAB_TORCH_CPU_LIB OR NOT COTLAB_C10_LIB)
        message(FATAL_ERROR "libtorch not found. On Debian: apt-get install libtorch-dev libopenblas0-pthread; "
                            "elsewhere pass -DCMAKE_PREFIX_PATH=<libtorch>/share/cmake or Torch_DIR.")
    endif()
    add_library(cotlab_torch INTERFACE)
    target_include_directories(cotlab_torch SYSTEM INTERFACE ${COTLAB_TORCH_API_INCLUDE})
    target_link_libraries(cotlab_torch INTERFACE ${COTLAB_TORCH_LIB} ${COTLAB_TORCH_CPU_LIB} ${COTLAB_C10_LIB})
    set(COTLAB_TORCH_SOURCE "Debian layout (${COTLAB_TORCH_LIB})")
endif()
add_library(cotlab::torch ALIAS cotlab_torch)
message(STATUS "CoTLab: libtorch from ${COTLAB_TORCH_SOURCE}")

# Precompiles <torch/torch.h> (~20 s of parsing per file) for the listed sources of `target`; its other sources
# skip it, since loading the ~600 MB precompiled header costs a file that does not use libtorch several seconds.
function(cotlab_torch_pch target)
    target_precompile_headers(${target} PRIVATE <torch/torch.h>)
    get_target_property(sources ${target} SOURCES)
    foreach(source IN LISTS sources)
        get_filename_component(name "${source}" NAME)
        if(NOT name IN_LIST ARGN)
            set_source_files_properties("${source}" TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
        endif()
    endforeach()
    # AUTOMOC's generated source of the target
    set_source_files_properties("${CMAKE_CURRENT_BINARY_DIR}/${target}_autogen/mocs_compilation.cpp"
                                TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
endfunction()
