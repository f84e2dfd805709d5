# The codec tests read tests/sip/torture/: run them from tests/sip/ (the
# shared sc_test() runs every test from tests/).
set_tests_properties(sip_torture sip_frame PROPERTIES
                     WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
