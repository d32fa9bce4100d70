# Warnings as errors on our own targets only; third-party headers come in as SYSTEM.
add_library(kapal_warnings INTERFACE)
add_library(kapal::warnings ALIAS kapal_warnings)
target_compile_options(kapal_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror
  # GCC 12 reports impossible overlaps inside libstdc++'s std::string when optimising
  # (GCC bug 105329, fixed in 13): a false positive, not a finding in our code.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
