# Calls through the gateway: Chromium (JsSIP) and sipp as the PBX.
add_test(NAME calls_browser_sipp
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/calls/calls.sh
                 $<TARGET_FILE:sipcloak>)
set_tests_properties(calls_browser_sipp PROPERTIES TIMEOUT 480
                     ENVIRONMENT "ARTIFACTS=${CMAKE_BINARY_DIR}/artifacts")
# Transfers (REFER both ways, Replaces, 422): the same peers (calls/xfer.sh).
add_test(NAME calls_xfer
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/calls/xfer.sh
                 $<TARGET_FILE:sipcloak>)
set_tests_properties(calls_xfer PROPERTIES TIMEOUT 480
                     ENVIRONMENT "ARTIFACTS=${CMAKE_BINARY_DIR}/artifacts")
# re-INVITE edges (491 glare, codec change, offer-less re-INVITE) and
# SIGTERM with a call up: the same peers (calls/reinvite.sh).
add_test(NAME calls_reinvite
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/calls/reinvite.sh
                 $<TARGET_FILE:sipcloak>)
set_tests_properties(calls_reinvite PROPERTIES TIMEOUT 300
                     ENVIRONMENT "ARTIFACTS=${CMAKE_BINARY_DIR}/artifacts")
