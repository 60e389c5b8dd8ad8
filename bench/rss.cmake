# RSS comms: null psa_call through rssd against a raw SOCK_SEQPACKET round trip (needs a running
# rssd at $RSS_SOCKET; run_rss_bench.sh starts a private one).
if(TARGET psa-static)
  add_executable(rss_bench ${CMAKE_CURRENT_LIST_DIR}/rss_bench.c)
  target_link_libraries(rss_bench PRIVATE psa-static ss_comms Threads::Threads)
  target_include_directories(rss_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR})
endif()
