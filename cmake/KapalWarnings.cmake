# Warnings as errors on our own targets only; third-party headers come in as SYSTEM.
add_library(kapal_warnings INTERFACE)
add_library(kapal::warnings ALIAS kapal_warnings)
target_compile_options(kapal_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)
