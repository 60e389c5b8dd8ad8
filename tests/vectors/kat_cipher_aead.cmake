# Cipher and AEAD known-answer driver: AES modes, GCM, CCM, 3DES, Camellia, SM4, ChaCha20(-Poly1305),
# XChaCha20(-Poly1305) (draft vectors in data/, and libsodium's own implementation).
add_executable(kat_cipher_aead ${CMAKE_CURRENT_LIST_DIR}/kat_cipher_aead.c)
target_link_libraries(kat_cipher_aead PRIVATE psa-local-static ss_vectors)
add_test(NAME kat_cipher_aead COMMAND kat_cipher_aead)
