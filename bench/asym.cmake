# PSA one-shot asymmetric calls against OpenSSL EVP.
add_executable(asym_bench ${CMAKE_CURRENT_LIST_DIR}/asym_bench.c)
target_link_libraries(asym_bench PRIVATE psa-local-static OpenSSL::Crypto)
