# A program that must not compile, and how it must fail: building TARGET (one of these files as an
# object library, excluded from `all`) must fail with exactly one compiler error, and that error
# must contain the text of the file's first line, "// expect: <text>". One error, not a first
# one followed by pages of others: a user reads the first and must find the fix in it.
# Usage: cmake -DBUILD_DIR=... -DTARGET=... -DSOURCE=... -P check.cmake
file(STRINGS "${SOURCE}" first_line LIMIT_COUNT 1)
if(NOT first_line MATCHES "^// expect: (.+)$")
  message(FATAL_ERROR "${SOURCE}: the first line must be '// expect: <the error's text>'")
endif()
set(expected "${CMAKE_MATCH_1}")
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}"
                RESULT_VARIABLE status OUTPUT_VARIABLE log ERROR_VARIABLE log)
if(status EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled; it must fail with: ${expected}")
endif()
# CMake lists are ';'-separated: a ';' in a message would split it in two.
string(REPLACE ";" "," log "${log}")
string(REPLACE "\\;" "," expected "${expected}")  # file(STRINGS) wrote it as '\;'
string(REGEX MATCHALL "error: [^\n]*" errors "${log}")
list(LENGTH errors count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "${SOURCE}: ${count} compiler errors, expected exactly one (${expected}):\n${log}")
endif()
string(FIND "${errors}" "${expected}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SOURCE}: the error is not the expected one (${expected}):\n${log}")
endif()
message(STATUS "${SOURCE}: fails as it should: ${errors}")
