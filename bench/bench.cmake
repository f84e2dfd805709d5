# wsload: the WSS SIP OPTIONS load generator (bench/run.sh drives it).
# The pure codec goes into its own library so its unit test links only it.
add_library(wsload_codec STATIC ws_frame.c ws_upgrade.c ws_sip.c ws_hist.c
            ws_reg.c ws_call.c)
# sc_sip for the digest client (REGISTER mode, ws_reg.c).
target_link_libraries(wsload_codec PUBLIC sc_sip OpenSSL::Crypto)
target_include_directories(wsload_codec PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})

# The engine (sockets, TLS, timeouts) apart from main(), for its own test.
add_library(wsload_engine STATIC ws_conn.c ws_engine.c ws_reg_conn.c
            ws_call_conn.c)
target_link_libraries(wsload_engine PUBLIC wsload_codec OpenSSL::SSL)

add_executable(wsload wsload.c)
target_link_libraries(wsload PRIVATE wsload_engine)

# Unit test of the codec (RFC 6455 vectors, every cut point), run by CTest
# as bench_wsload.
sc_test(NAME bench_wsload LIBS wsload_codec SOURCES test_wsload.c)
# REGISTER mode: the REGISTER, the challenge picked from a 401 and the
# Authorization checked by sc_sip's verifier (bench_wsload_reg).
sc_test(NAME bench_wsload_reg LIBS wsload_codec SOURCES test_wsload_reg.c)
# REGISTER rounds through the engine against an in-test registrar.
sc_test(NAME bench_wsload_reg_engine LIBS wsload_engine
        SOURCES test_wsload_reg_engine.c)
# The engine against an in-test WebSocket server on 127.0.0.1.
sc_test(NAME bench_wsload_engine LIBS wsload_engine
        SOURCES test_wsload_engine.c)

# Fuzzing the same parsers: the corpus replays under CTest (bench_fuzz_wsload)
# with the shared replay driver; FUZZ=ON (clang) builds the libFuzzer binary.
add_executable(replay_wsload fuzz_wsload.c ${PROJECT_SOURCE_DIR}/fuzz/replay.c)
target_link_libraries(replay_wsload PRIVATE wsload_codec)
add_test(NAME bench_fuzz_wsload COMMAND replay_wsload
         ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_corpus)
if(FUZZ)
  add_executable(fuzz_wsload fuzz_wsload.c)
  target_link_libraries(fuzz_wsload PRIVATE wsload_codec)
  target_link_options(fuzz_wsload PRIVATE -fsanitize=fuzzer)
endif()

# frontdoor: sipcloak's http front door and sip codec alone answering
# OPTIONS; run.sh measures it next to the gateway (see BENCHMARKS.md).
if(TARGET sc_sip)
  add_executable(frontdoor frontdoor.c)
  target_link_libraries(frontdoor PRIVATE sc_sip)
endif()
# Call mode: INVITE/ACK/BYE and the offer read back by sipcloak's SIP and
# SDP decoders, To tag and Contact from responses, the INVITE's digest.
sc_test(NAME bench_wsload_call LIBS wsload_codec sc_sdp
        SOURCES test_wsload_call.c)
