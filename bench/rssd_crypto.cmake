# Crypto through a private rssd (libpsa) against the same PSA core in-process; starts its own
# rssd on a temporary directory unless RSS_SOCKET is set.
if(TARGET rssd AND TARGET psa-static)
  add_executable(rssd_crypto_bench ${CMAKE_CURRENT_LIST_DIR}/rssd_crypto_bench.c)
  target_link_libraries(rssd_crypto_bench PRIVATE psa-static OpenSSL::Crypto)
  target_include_directories(rssd_crypto_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(rssd_crypto_bench PRIVATE SS_RSSD_PATH="$<TARGET_FILE:rssd>")
  add_dependencies(rssd_crypto_bench rssd)
endif()
