# Fuzz harnesses for the RSS comms decoders and rssd's message and ITS/PS argument handling.
add_executable(fuzz_rss_msg ${CMAKE_CURRENT_LIST_DIR}/fuzz_rss_msg.c)
target_link_libraries(fuzz_rss_msg PRIVATE ss_comms)
target_link_options(fuzz_rss_msg PRIVATE -fsanitize=fuzzer)

if(TARGET ss_enclave)
  add_executable(fuzz_rssd_message ${CMAKE_CURRENT_LIST_DIR}/fuzz_rssd_message.c
                                 ${CMAKE_CURRENT_LIST_DIR}/rssd_fuzz_env.c)
  target_link_libraries(fuzz_rssd_message PRIVATE ss_enclave)
  target_link_options(fuzz_rssd_message PRIVATE -fsanitize=fuzzer)
endif()

# The pointer-access path on a real sealed memfd mapping: range and overlap checks, the private
# copies, in-place bulk calls and handlers writing their outputs (crypto included).
if(TARGET ss_enclave)
  add_executable(fuzz_rssd_pointer ${CMAKE_CURRENT_LIST_DIR}/fuzz_rssd_pointer.c
                                   ${CMAKE_CURRENT_LIST_DIR}/rssd_fuzz_env.c)
  target_link_libraries(fuzz_rssd_pointer PRIVATE ss_enclave)
  target_link_options(fuzz_rssd_pointer PRIVATE -fsanitize=fuzzer)
endif()

# The fast path's channel: a page a client fills, taken, served and answered as a worker does.
if(TARGET ss_enclave)
  add_executable(fuzz_rss_channel ${CMAKE_CURRENT_LIST_DIR}/fuzz_rss_channel.c
                                  ${CMAKE_CURRENT_LIST_DIR}/rssd_fuzz_env.c)
  target_link_libraries(fuzz_rss_channel PRIVATE ss_enclave)
  target_include_directories(fuzz_rss_channel PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_link_options(fuzz_rss_channel PRIVATE -fsanitize=fuzzer)
endif()

# rssd's policy file parser.
if(TARGET ss_enclave)
  add_executable(fuzz_policy ${CMAKE_CURRENT_LIST_DIR}/fuzz_policy.c)
  target_link_libraries(fuzz_policy PRIVATE ss_daemon)
  target_link_options(fuzz_policy PRIVATE -fsanitize=fuzzer)
endif()

# Issue 9 §1: after a victim's secret-bearing calls, no reply to a random message of another
# client holds a byte of them (shared receive and reply buffers, as on a worker).
if(TARGET ss_enclave)
  add_executable(fuzz_rssd_leak ${CMAKE_CURRENT_LIST_DIR}/fuzz_rssd_leak.c
                                 ${CMAKE_CURRENT_LIST_DIR}/rssd_fuzz_env.c)
  target_link_libraries(fuzz_rssd_leak PRIVATE ss_enclave)
  target_link_options(fuzz_rssd_leak PRIVATE -fsanitize=fuzzer)
endif()
