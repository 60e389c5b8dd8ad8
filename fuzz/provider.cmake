# The psa provider's key-URI parser.
if(TARGET ss_provider_uri)
  add_executable(fuzz_provider_uri ${CMAKE_CURRENT_LIST_DIR}/fuzz_provider_uri.c)
  target_link_libraries(fuzz_provider_uri PRIVATE ss_provider_uri)
  target_link_options(fuzz_provider_uri PRIVATE -fsanitize=fuzzer)
endif()
