# Third-party dependencies, all from Debian 12 packages (scripts/bootstrap.sh).
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(LIBEDIT REQUIRED IMPORTED_TARGET libedit)
pkg_check_modules(HWY REQUIRED IMPORTED_TARGET libhwy)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# libfec ships neither a pkg-config file nor a CMake package.
find_library(FEC_LIBRARY fec REQUIRED)
find_path(FEC_INCLUDE_DIR fec.h REQUIRED)
add_library(FEC::FEC UNKNOWN IMPORTED)
set_target_properties(FEC::FEC PROPERTIES IMPORTED_LOCATION ${FEC_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${FEC_INCLUDE_DIR})
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(ZLIB REQUIRED)
# MD5 of sqllogictest results (nqdb slt).
find_package(OpenSSL REQUIRED)
# The server: HTTP on Boost.Beast/Asio (header-only), JSON on nlohmann-json.
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
if(NQ_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
# SQLite: the peer of the SQL benchmarks and of the differential tests.
if(NQ_BUILD_TESTS OR NQ_BUILD_BENCH)
  find_package(SQLite3 REQUIRED)
endif()
if(NQ_BUILD_BENCH)
  pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
endif()
