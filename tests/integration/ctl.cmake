# The control socket through the real binary: JsSIP registers a CLI-made
# device; device list / revoke, ban list / clear, user remove (ctl.sh).
add_test(NAME integration_ctl
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/ctl.sh $<TARGET_FILE:sipcloak>)
set_tests_properties(integration_ctl PROPERTIES TIMEOUT 120)
