# SIP parser benchmark (owner: sipcodec).
add_executable(bench_parse bench_parse.c)
target_link_libraries(bench_parse PRIVATE sc_sip)
