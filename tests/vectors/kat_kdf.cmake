# Key derivation known-answer driver: HKDF (RFC 5869, generated) and PBKDF2 (RFC 6070) files;
# SP 800-108 against OpenSSL's KBKDF (hence libcrypto).
add_executable(kat_kdf ${CMAKE_CURRENT_LIST_DIR}/kat_kdf.c)
target_link_libraries(kat_kdf PRIVATE psa-local-static ss_vectors OpenSSL::Crypto)
add_test(NAME kat_kdf COMMAND kat_kdf)
