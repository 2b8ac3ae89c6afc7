# Finds every third-party package once, so targets only name imported targets.
# All of them come from Debian packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
# Debian 12's HiredisConfigVersion.cmake is malformed; its pkg-config file is fine.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED)
if(CMCP_JEMALLOC)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
if(CMCP_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()

find_program(CMCP_PROTOC protoc REQUIRED)
find_program(CMCP_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
