# Fuzz harnesses for the crypto core's decoders.
add_executable(fuzz_key_record ${CMAKE_CURRENT_LIST_DIR}/fuzz_key_record.c)
target_link_libraries(fuzz_key_record PRIVATE ss_crypto_core)
target_link_options(fuzz_key_record PRIVATE -fsanitize=fuzzer)
