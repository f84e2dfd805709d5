# relayload: the media relay load generator (bench/relay/; bench/run_relay.sh
# drives it against relay_sipcloak and rtpengine). The pure pieces (bencode,
# ng messages, SDP, RTP statistics) form their own library for the unit
# test bench_relay.
set(RL ${CMAKE_CURRENT_SOURCE_DIR}/relay)
add_library(relayload_codec STATIC ${RL}/benc.c ${RL}/rl_ng.c ${RL}/rl_sdp.c
            ${RL}/rl_stats.c)
target_link_libraries(relayload_codec PUBLIC sc_core)
target_include_directories(relayload_codec PUBLIC ${RL})

if(TARGET sc_media AND TARGET sc_codec)
  add_executable(relayload ${RL}/relayload.c ${RL}/rl_call.c ${RL}/rl_opus.c
                 ${RL}/rl_report.c)
  target_link_libraries(relayload PRIVATE relayload_codec sc_media sc_stun
                        sc_tls sc_codec)
  # relay_sipcloak: sc_media's engine behind the same ng control protocol,
  # in its own process so its CPU time can be read from /proc.
  add_executable(relay_sipcloak ${RL}/relay_sipcloak.c)
  target_link_libraries(relay_sipcloak PRIVATE relayload_codec sc_media)
endif()

sc_test(NAME bench_relay_benc LIBS relayload_codec SOURCES ${RL}/test_benc.c)
sc_test(NAME bench_relay LIBS relayload_codec SOURCES ${RL}/test_rl.c)

# Fuzzing relayload's parsers of relay output (bencode, ng replies, SDP):
# the corpus replays under CTest (bench_fuzz_relay); FUZZ=ON (clang) builds
# the libFuzzer binary fuzz_relay.
add_executable(replay_relay ${RL}/fuzz_relay.c ${PROJECT_SOURCE_DIR}/fuzz/replay.c)
target_link_libraries(replay_relay PRIVATE relayload_codec)
add_test(NAME bench_fuzz_relay COMMAND replay_relay ${RL}/fuzz_corpus)
if(FUZZ)
  add_executable(fuzz_relay ${RL}/fuzz_relay.c)
  target_link_libraries(fuzz_relay PRIVATE relayload_codec)
  target_link_options(fuzz_relay PRIVATE -fsanitize=fuzzer)
endif()

# relayload through relay_sipcloak end to end (2 calls, 1 s per mode: ICE,
# DTLS-SRTP, SRTP, transcoding, plain RTP), a few seconds.
if(TARGET relayload AND TARGET relay_sipcloak)
  add_test(NAME bench_relay_smoke
           COMMAND ${RL}/smoke.sh $<TARGET_FILE:relayload>
                   $<TARGET_FILE:relay_sipcloak>)
  set_tests_properties(bench_relay_smoke PROPERTIES TIMEOUT 120)
endif()
