# TS RPC path against libpsa in the same run: PS GET_SUPPORT and a 16-byte GET through libts and
# se-proxy versus psa_ps_* straight to rssd.
if(TARGET rssd AND TARGET psa-static AND TARGET ts AND TARGET se-proxy)
  add_executable(ts_bench ${CMAKE_CURRENT_LIST_DIR}/ts_bench.c)
  target_link_libraries(ts_bench PRIVATE ts psa-static)
  target_compile_definitions(ts_bench PRIVATE SS_RSSD_PATH="$<TARGET_FILE:rssd>"
                             SS_SE_PROXY_PATH="$<TARGET_FILE:se-proxy>")
  add_dependencies(ts_bench rssd se-proxy)
endif()
