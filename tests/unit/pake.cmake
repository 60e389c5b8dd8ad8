# PAKE (EC J-PAKE) tests through libpsa-local's public API.
add_executable(test_pake ${CMAKE_CURRENT_LIST_DIR}/test_pake.c)
target_link_libraries(test_pake PRIVATE psa-local-static PkgConfig::CMOCKA Threads::Threads)
add_test(NAME test_pake COMMAND test_pake)

# SPAKE2+ known answers (RFC 9383, draft-02/Matter): needs the core's test hook, so libpsa-local only.
add_executable(test_spake2p_kat ${CMAKE_CURRENT_LIST_DIR}/test_spake2p_kat.c)
target_link_libraries(test_spake2p_kat PRIVATE psa-local-static PkgConfig::CMOCKA Threads::Threads)
add_test(NAME test_spake2p_kat COMMAND test_spake2p_kat)
