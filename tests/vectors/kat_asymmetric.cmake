# Asymmetric known-answer driver: ECDSA, RSA (PKCS#1 v1.5, PSS, OAEP), EdDSA, X25519/X448, ECDH.
add_executable(kat_asymmetric ${CMAKE_CURRENT_LIST_DIR}/kat_asymmetric.c)
target_link_libraries(kat_asymmetric PRIVATE psa-local-static ss_vectors OpenSSL::Crypto)
add_test(NAME kat_asymmetric COMMAND kat_asymmetric)
