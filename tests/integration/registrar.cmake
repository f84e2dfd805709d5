# JsSIP and SIP.js register through the real gateway with devices created by
# the CLI (digest, bans, revocation, the registrar).
add_test(NAME integration_registrar
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/reg_clients.sh
                 $<TARGET_FILE:sipcloak>)
set_tests_properties(integration_registrar PROPERTIES TIMEOUT 180)
