# The transaction state-machine fuzzer (fuzz/sip_tsx.c).
sc_fuzz(NAME sip_tsx LIBS sc_sip)
