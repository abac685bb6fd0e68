# libailake: every layer below the CLI in one library, shared (libailake.so, public symbols only)
# and static (libailake.a), plus what `cmake --install` puts in a prefix: include/ailake/, both
# libraries, a CMake package (find_package(ailake) -> ailake::ailake, ailake::ailake_static) and
# ailake.pc for pkg-config.
#
# The layer libraries stay what the tests and the CLI link; the two library targets reuse their
# object files ($<TARGET_OBJECTS:...>), so nothing is compiled twice.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AILAKE_LIBRARY_LAYERS
    ailake_core ailake_vec ailake_parquet_thrift ailake_parquet ailake_store ailake_index ailake_file
    ailake_iceberg ailake_embed ailake_catalog ailake_table ailake_migrate ailake_api)
set(ailake_objects "")
foreach(layer ${AILAKE_LIBRARY_LAYERS})
  list(APPEND ailake_objects $<TARGET_OBJECTS:${layer}>)
endforeach()

# What libailake needs at link time, as the build sees it and as an installed consumer does
# (plain library names: every one of them is a Debian -dev package in the default search path).
set(AILAKE_LINK_DEPS Threads::Threads PkgConfig::THRIFT PkgConfig::ZSTD PkgConfig::LZ4 PkgConfig::ZLIB
    ${SNAPPY_LIB} PkgConfig::CURL PkgConfig::OPENSSL PkgConfig::SQLITE3 PkgConfig::PQ)
set(AILAKE_PC_LIBS "-lthrift -lzstd -llz4 -lz -lsnappy -lcurl -lcrypto -lsqlite3 -lpq -lpthread")

add_library(ailake_shared SHARED ${ailake_objects})
set_target_properties(ailake_shared PROPERTIES OUTPUT_NAME ailake VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR} EXPORT_NAME ailake)
target_link_libraries(ailake_shared PRIVATE ${AILAKE_LINK_DEPS})
target_link_options(ailake_shared PRIVATE -Wl,--no-undefined)
target_include_directories(ailake_shared INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(ailake_shared INTERFACE cxx_std_20)

add_library(ailake_static STATIC ${ailake_objects})
set_target_properties(ailake_static PROPERTIES OUTPUT_NAME ailake EXPORT_NAME ailake_static)
target_link_libraries(ailake_static INTERFACE
    $<BUILD_INTERFACE:${AILAKE_LINK_DEPS}>
    $<INSTALL_INTERFACE:Threads::Threads;thrift;zstd;lz4;z;snappy;curl;crypto;sqlite3;pq>)
target_include_directories(ailake_static INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(ailake_static INTERFACE cxx_std_20)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ailake DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(TARGETS ailake_shared ailake_static EXPORT ailakeTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(AILAKE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ailake)
install(EXPORT ailakeTargets NAMESPACE ailake:: DESTINATION ${AILAKE_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ailakeConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/ailakeConfig.cmake INSTALL_DESTINATION ${AILAKE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ailakeConfigVersion.cmake VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ailakeConfig.cmake ${PROJECT_BINARY_DIR}/ailakeConfigVersion.cmake
        DESTINATION ${AILAKE_CMAKE_DIR})
# The .pc file finds its prefix from its own location (${pcfiledir}), so `cmake --install --prefix P`
# gives a working ailake.pc whatever prefix the build was configured with.
file(RELATIVE_PATH AILAKE_PC_UP /x/${CMAKE_INSTALL_LIBDIR}/pkgconfig /x)
configure_file(${PROJECT_SOURCE_DIR}/cmake/ailake.pc.in ${PROJECT_BINARY_DIR}/ailake.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ailake.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# `make test` runs this: install into a temp prefix, build examples/quickstart.cc against it with
# CMake (shared and static) and pkg-config, run and check its output. Not in the sanitizer tree: an
# outside program built without -fsanitize cannot link instrumented objects (the release tree of
# the same CI run covers it).
if(NOT AILAKE_SANITIZE)
  add_test(NAME install_example COMMAND ${PROJECT_SOURCE_DIR}/scripts/install_test.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(install_example PROPERTIES TIMEOUT 600)
endif()
