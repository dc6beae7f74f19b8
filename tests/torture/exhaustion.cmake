# Item 5's C program (item_05_exhaustion.py): thread starts refused under
# RLIMIT_NPROC and RLIMIT_AS, locks refused under RLIMIT_AS.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  add_executable(torture_exhaustion ${CMAKE_CURRENT_LIST_DIR}/exhaustion.c)
  target_link_libraries(torture_exhaustion PRIVATE thread_static)
  set_target_properties(torture_exhaustion PROPERTIES OUTPUT_NAME exhaustion
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/torture)
  add_dependencies(torture_programs torture_exhaustion)
endif()
