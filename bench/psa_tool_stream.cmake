# psa-tool streaming a 1 GiB file through rssd against OpenSSL streaming (EVP AES-256-GCM of the
# same format, openssl dgst): throughput, peak RSS, ratios. Starts its own rssd unless
# RSS_SOCKET is set; PSA_TOOL_BENCH_MIB sets the size.
find_program(SS_OPENSSL_PROGRAM openssl)
if(TARGET psa-tool AND TARGET rssd AND SS_OPENSSL_PROGRAM)
  add_executable(psa_tool_stream_bench ${CMAKE_CURRENT_LIST_DIR}/psa_tool_stream_bench.c)
  target_link_libraries(psa_tool_stream_bench PRIVATE OpenSSL::Crypto)
  target_include_directories(psa_tool_stream_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_compile_definitions(psa_tool_stream_bench PRIVATE
                             SS_RSSD_PATH="$<TARGET_FILE:rssd>"
                             SS_PSA_TOOL_PATH="$<TARGET_FILE:psa-tool>"
                             SS_OPENSSL_PATH="${SS_OPENSSL_PROGRAM}")
  add_dependencies(psa_tool_stream_bench rssd psa-tool)
endif()
