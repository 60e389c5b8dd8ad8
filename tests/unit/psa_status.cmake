# psa_status_name/psa_status_text, as libpsa-local and libpsa (static archives) carry them.
foreach(lib psa-local psa)
  if(TARGET ${lib}-static)
    add_executable(test_psa_status_${lib} ${CMAKE_CURRENT_LIST_DIR}/test_psa_status.c)
    target_link_libraries(test_psa_status_${lib} PRIVATE ${lib}-static PkgConfig::CMOCKA)
    add_test(NAME test_psa_status_${lib} COMMAND test_psa_status_${lib})
  endif()
endforeach()
