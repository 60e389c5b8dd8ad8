# Fuzz harnesses for the storage engines' on-disk decoders; the decoders are built instrumented.
get_filename_component(SS_FUZZ_STORAGE_SRC ${CMAKE_CURRENT_LIST_DIR}/../src ABSOLUTE)
foreach(h fuzz_its_record fuzz_ps_object)
  add_executable(${h} ${CMAKE_CURRENT_LIST_DIR}/${h}.c
                 ${SS_FUZZ_STORAGE_SRC}/base/wire.c
                 ${SS_FUZZ_STORAGE_SRC}/storage/storage_io.c
                 ${SS_FUZZ_STORAGE_SRC}/storage/its_format.c
                 ${SS_FUZZ_STORAGE_SRC}/storage/ps_format.c
                 ${SS_FUZZ_STORAGE_SRC}/storage/ps_store.c)
  target_include_directories(${h} PRIVATE ${SS_FUZZ_STORAGE_SRC}/../include ${SS_FUZZ_STORAGE_SRC})
  target_compile_options(${h} PRIVATE -fsanitize=fuzzer-no-link,address)
  target_link_options(${h} PRIVATE -fsanitize=fuzzer,address)
  target_link_libraries(${h} PRIVATE OpenSSL::Crypto Threads::Threads)
endforeach()
