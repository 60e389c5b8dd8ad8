# The psa provider: TLS 1.3 handshakes with the server key in rssd against the same key in the
# process, and EVP_PKEY_sign through the provider against psa_sign_hash (rssd at $RSS_SOCKET).
find_package(OpenSSL 3.0 COMPONENTS SSL)
if(TARGET psa-provider AND TARGET psa AND TARGET OpenSSL::SSL)
  add_executable(provider_bench ${CMAKE_CURRENT_LIST_DIR}/provider_bench.c)
  target_link_libraries(provider_bench PRIVATE psa OpenSSL::SSL OpenSSL::Crypto)
  target_include_directories(provider_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_compile_definitions(provider_bench PRIVATE
                             PSA_PROVIDER_DIR="$<TARGET_FILE_DIR:psa-provider>")
  add_dependencies(provider_bench psa-provider)
endif()
