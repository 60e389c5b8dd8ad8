# Parsec front end: whole requests (framing, header, authentication, routing), every body
# decoder and executor row (in-process on libpsa-local), and the TOML configuration.
if(TARGET ss_parsec AND TARGET psa-local-static)
  foreach(h fuzz_parsec_request fuzz_parsec_body)
    add_executable(${h} ${CMAKE_CURRENT_LIST_DIR}/${h}.c
                      ${CMAKE_CURRENT_LIST_DIR}/parsec_fuzz_env.c)
    target_link_libraries(${h} PRIVATE ss_parsec psa-local-static)
    target_link_options(${h} PRIVATE -fsanitize=fuzzer)
  endforeach()
  add_executable(fuzz_parsec_config ${CMAKE_CURRENT_LIST_DIR}/fuzz_parsec_config.c)
  target_link_libraries(fuzz_parsec_config PRIVATE ss_parsec)
  target_link_options(fuzz_parsec_config PRIVATE -fsanitize=fuzzer)
endif()
