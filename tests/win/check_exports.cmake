# The DLL exports exactly the public API: every THREAD_API name of
# include/thread.h and nothing else.  cmake -DOBJDUMP=... -DDLL=... -DHEADER=... -P
execute_process(COMMAND ${OBJDUMP} -p ${DLL} OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OBJDUMP} -p ${DLL} failed")
endif()
# objdump lists the export names under "[Ordinal/Name Pointer] Table", one
# "[   n] name" a line.  Square brackets would upset CMake's lists: drop them.
string(REPLACE "[" "<" dump "${dump}")
string(REPLACE "]" ">" dump "${dump}")
string(REGEX MATCH "<Ordinal/Name Pointer> Table\n([^\n]+\n)+" table "${dump}")
string(REGEX MATCHALL "<[ 0-9]+> [A-Za-z_][A-Za-z0-9_]*" exported "${table}")
list(TRANSFORM exported REPLACE "^<[ 0-9]+> " "")
list(SORT exported)

file(READ ${HEADER} header)
# Declarations start a line with THREAD_API (its #defines do not).
string(REGEX MATCHALL "\nTHREAD_API [^;(#]*[ *]([a-z_][a-z0-9_]*)[ \t\n]*\\(" decls "${header}")
set(api "")
foreach(d ${decls})
  string(REGEX REPLACE ".*[ *]([a-z_][a-z0-9_]*)[ \t\n]*\\($" "\\1" name "${d}")
  list(APPEND api ${name})
endforeach()
list(SORT api)

message(STATUS "exported: ${exported}")
if(NOT api)
  message(FATAL_ERROR "no THREAD_API declarations found in ${HEADER}")
endif()
if(NOT exported STREQUAL api)
  message(FATAL_ERROR "the DLL exports\n  ${exported}\nbut the API is\n  ${api}")
endif()
