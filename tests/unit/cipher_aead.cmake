# Unauthenticated cipher and AEAD tests, through libpsa-local's public API.
foreach(t test_cipher test_aead)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
    add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
    target_link_libraries(${t} PRIVATE psa-local-static PkgConfig::CMOCKA Threads::Threads)
    add_test(NAME ${t} COMMAND ${t})
  endif()
endforeach()
