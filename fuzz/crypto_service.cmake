# Fuzz harness for rssd's crypto service: the call-table unmarshalling and its handlers.
add_executable(fuzz_crypto_service ${CMAKE_CURRENT_LIST_DIR}/fuzz_crypto_service.c)
target_link_libraries(fuzz_crypto_service PRIVATE ss_enclave)
target_link_options(fuzz_crypto_service PRIVATE -fsanitize=fuzzer)
