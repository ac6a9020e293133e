# cmake -DMAP=<linker map> -P check_no_heap.cmake: fails if the firmware image links any heap
# function (malloc family, newlib's reentrant _malloc_r family, or _sbrk). Only the part of the
# map that lists what was linked is searched, not the discarded sections.
file(READ "${MAP}" map)
string(FIND "${map}" "Linker script and memory map" start)
if(start EQUAL -1)
  message(FATAL_ERROR "${MAP}: not a GNU ld map file")
endif()
string(SUBSTRING "${map}" ${start} -1 linked)
set(found "")
foreach(symbol malloc free calloc realloc _malloc_r _free_r _calloc_r _realloc_r _sbrk _sbrk_r)
  if(linked MATCHES "[ \t\n.]${symbol}[ \t\n]")
    list(APPEND found ${symbol})
  endif()
endforeach()
if(found)
  message(FATAL_ERROR "${MAP}: the image links heap functions: ${found}")
endif()
message(STATUS "${MAP}: no heap function linked")
