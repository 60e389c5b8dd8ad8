# Parsec front end: header vectors from the fact sheet, every header/auth/routing error, the
# TOML configuration, the key-name store's two phases and recovery, served in-process.
if(TARGET ss_parsec AND TARGET psa-local-static)
  add_executable(test_parsec ${CMAKE_CURRENT_LIST_DIR}/test_parsec.c)
  target_link_libraries(test_parsec PRIVATE ss_parsec psa-local-static PkgConfig::CMOCKA)
  target_compile_definitions(test_parsec PRIVATE
                             PARSEC_EXAMPLE_CONFIG="${PROJECT_SOURCE_DIR}/dist/parsec-config.toml")
  add_test(NAME test_parsec COMMAND test_parsec)
endif()
