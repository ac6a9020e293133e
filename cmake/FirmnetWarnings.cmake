# Warnings for firmnet's own targets (never exported to consumers, never applied to dependencies).
add_library(firmnet_warnings INTERFACE)
target_compile_options(firmnet_warnings INTERFACE -Wall -Wextra -Wshadow -Wnon-virtual-dtor)
if(FIRMNET_WERROR)
  target_compile_options(firmnet_warnings INTERFACE -Werror)
endif()
