# PSA one-shot crypto against OpenSSL EVP (and XChaCha20-Poly1305 against libsodium).
add_executable(crypto_bench ${CMAKE_CURRENT_LIST_DIR}/crypto_bench.c)
target_link_libraries(crypto_bench PRIVATE psa-local-static OpenSSL::Crypto PkgConfig::SODIUM)
