# Parsec path against libpsa in the same run: Ping, GenerateRandom and ECDSA P-256 sign-hash.
# Starts a private rssd, se-proxy and parsecd (which reaches rssd through se-proxy).
if(TARGET rssd AND TARGET psa-static AND TARGET parsecd AND TARGET se-proxy)
  add_executable(parsec_bench ${CMAKE_CURRENT_LIST_DIR}/parsec_bench.c)
  target_link_libraries(parsec_bench PRIVATE psa-static ss_parsec_proto)
  target_include_directories(parsec_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(parsec_bench PRIVATE SS_RSSD_PATH="$<TARGET_FILE:rssd>"
                             SS_PARSEC_SERVER_PATH="$<TARGET_FILE:parsecd>"
                             SS_SE_PROXY_PATH="$<TARGET_FILE:se-proxy>")
  add_dependencies(parsec_bench rssd parsecd se-proxy)
endif()

# The front end's own cost: parsec_serve in-process on libpsa-local against the bare PSA call.
if(TARGET ss_parsec AND TARGET psa-local-static)
  add_executable(parsec_serve_bench ${CMAKE_CURRENT_LIST_DIR}/parsec_serve_bench.c)
  target_link_libraries(parsec_serve_bench PRIVATE ss_parsec psa-local-static)
endif()
