# Relay micro-benchmark (owner: engine): the per-packet path of the media
# engine and one worker through real sockets (BENCHMARKS.md, "Media relay").
add_executable(relay_bench relay_bench.c)
target_link_libraries(relay_bench PRIVATE sc_media)
