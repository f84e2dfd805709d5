# JsSIP and SIP.js register through gw_reg (digest, bans, registrar) in a
# test build of the gateway (reg_harness.c) until the store and the server
# wiring land (owner: registrar).
if(TARGET sc_gw)
  add_executable(reg_harness ${CMAKE_CURRENT_LIST_DIR}/reg_harness.c)
  target_link_libraries(reg_harness PRIVATE sc_gw)
  add_test(NAME integration_registrar
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/reg_clients.sh
                   $<TARGET_FILE:reg_harness>)
  set_tests_properties(integration_registrar PROPERTIES TIMEOUT 120)
endif()
