# Transcoder micro-benchmark (owner: xcode): µs per 20 ms frame of
# PCMU->Opus and Opus->PCMU at each Opus complexity (BENCHMARKS.md).
add_executable(xcode_bench xcode_bench.c)
target_link_libraries(xcode_bench PRIVATE sc_codec)
