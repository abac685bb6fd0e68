# parquet.thrift (our subset of parquet-format's IDL) is compiled at build time by Debian's
# thrift-compiler; the generated code is kept in its own library so its warnings stay in its corner.
find_program(THRIFT_COMPILER thrift REQUIRED)
set(THRIFT_GEN_DIR ${PROJECT_BINARY_DIR}/gen)
set(THRIFT_GEN_SRCS ${THRIFT_GEN_DIR}/gen-cpp/parquet_types.cpp)
add_custom_command(
  OUTPUT ${THRIFT_GEN_SRCS} ${THRIFT_GEN_DIR}/gen-cpp/parquet_types.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${THRIFT_GEN_DIR}
  COMMAND ${THRIFT_COMPILER} --gen cpp:no_skeleton,moveable_types -o ${THRIFT_GEN_DIR}
          ${PROJECT_SOURCE_DIR}/src/parquet/thrift/parquet.thrift
  DEPENDS ${PROJECT_SOURCE_DIR}/src/parquet/thrift/parquet.thrift
  COMMENT "thrift: generating Parquet metadata types")
add_library(ailake_parquet_thrift STATIC ${THRIFT_GEN_SRCS})
target_include_directories(ailake_parquet_thrift SYSTEM PUBLIC ${THRIFT_GEN_DIR})
target_compile_options(ailake_parquet_thrift PRIVATE -w)
target_link_libraries(ailake_parquet_thrift PUBLIC PkgConfig::THRIFT)
