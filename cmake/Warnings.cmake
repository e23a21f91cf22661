# Project-wide warning flags, applied through the nq_warnings interface target
# so that only our own code (not system headers) is held to them.
add_library(nq_warnings INTERFACE)
target_compile_options(nq_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(nq_warnings INTERFACE -Wthread-safety)
endif()
if(NQ_WERROR)
  target_compile_options(nq_warnings INTERFACE -Werror)
endif()
