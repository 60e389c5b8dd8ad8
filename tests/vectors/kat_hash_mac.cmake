# Hash and MAC known-answer driver, through libpsa-local's public API.
add_executable(kat_hash_mac ${CMAKE_CURRENT_LIST_DIR}/kat_hash_mac.c)
target_link_libraries(kat_hash_mac PRIVATE psa-local-static ss_vectors)
add_test(NAME kat_hash_mac COMMAND kat_hash_mac)
