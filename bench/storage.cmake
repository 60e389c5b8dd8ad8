# ITS and PS set/get against a write+fsync+rename+dir-fsync baseline in the same run.
add_executable(storage_bench ${CMAKE_CURRENT_LIST_DIR}/storage_bench.c)
target_link_libraries(storage_bench PRIVATE ss_storage)
target_include_directories(storage_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR})
