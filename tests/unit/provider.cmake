# The psa provider's key-URI parser.
if(TARGET ss_provider_uri)
  add_executable(test_provider_uri ${CMAKE_CURRENT_LIST_DIR}/test_provider_uri.c)
  target_link_libraries(test_provider_uri PRIVATE ss_provider_uri PkgConfig::CMOCKA)
  add_test(NAME provider_uri COMMAND test_provider_uri)
endif()
