# C programs of make torture's items 1-3 (lost updates, signals, fork).
# POSIX only: they use fork, kill and sigaction.
if(NOT WIN32)
  foreach(prog torture_locks torture_signals torture_fork)
    add_executable(${prog} EXCLUDE_FROM_ALL ${prog}.c torture.c
                   ${PROJECT_SOURCE_DIR}/tests/helpers.c
                   ${PROJECT_SOURCE_DIR}/tests/helpers_posix.c)
    target_include_directories(${prog} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                               ${PROJECT_SOURCE_DIR}/tests)
    target_link_libraries(${prog} PRIVATE thread_static Threads::Threads)
    if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
      target_compile_definitions(${prog} PRIVATE _GNU_SOURCE)
    endif()
    add_dependencies(torture_programs ${prog})
  endforeach()
endif()
