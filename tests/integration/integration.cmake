# Integration tests: real peers (sipp, Node ws, later JsSIP/SIP.js, Chromium)
# against the gateway program built in this tree, on 127.0.0.1.
foreach(t sipp_options wss_sip upreg)
  add_test(NAME integration_${t}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${t}.sh $<TARGET_FILE:sipcloak>)
  set_tests_properties(integration_${t} PROPERTIES TIMEOUT 120)
endforeach()
# upreg waits out a 32 s transaction timeout (trunk down) on top of its flow
set_tests_properties(integration_upreg PROPERTIES TIMEOUT 240)
