# cmake -DSIZE=<size tool> -DBINARY=<program> -DEXPECTED=<bytes> -P check_bss.cmake
# Fails unless the program's zero-initialised static memory (.bss and .tbss, as `size -A` lists
# them) is within 10 % above EXPECTED: the bytes its types state. Prints the figures either way.
execute_process(COMMAND ${SIZE} -A ${BINARY} OUTPUT_VARIABLE sections RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${SIZE} -A ${BINARY} failed")
endif()
set(bss 0)
string(REPLACE "\n" ";" lines "${sections}")
foreach(line ${lines})
  if(line MATCHES "^\\.t?bss[ \t]+([0-9]+)")
    math(EXPR bss "${bss} + ${CMAKE_MATCH_1}")
  endif()
endforeach()
math(EXPR limit "${EXPECTED} + ${EXPECTED} / 10")
message("${BINARY}: .bss + .tbss = ${bss} bytes; the types state ${EXPECTED} (limit ${limit})")
if(bss LESS EXPECTED OR bss GREATER limit)
  message(FATAL_ERROR "static memory ${bss} bytes is not within 10 % above the ${EXPECTED} bytes the types state")
endif()
