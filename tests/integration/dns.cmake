# RFC 3263 resolution and failover through the real binary: dnsmasq serves
# SRV/A for a test zone, two sipp registrars as SRV targets, one stopped
# (dns.sh).
add_test(NAME integration_dns
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/dns.sh $<TARGET_FILE:sipcloak>)
set_tests_properties(integration_dns PROPERTIES TIMEOUT 120)
