# Calls through the gateway: Chromium (JsSIP) and sipp as the PBX.
add_test(NAME calls_browser_sipp
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/calls/calls.sh
                 $<TARGET_FILE:sipcloak>)
set_tests_properties(calls_browser_sipp PROPERTIES TIMEOUT 300
                     ENVIRONMENT "ARTIFACTS=${CMAKE_BINARY_DIR}/artifacts")
