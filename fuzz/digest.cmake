# The Digest header parser (src/sip/digest_parse.c) and the server-side
# authentication path that consumes it.
sc_fuzz(NAME sip_auth LIBS sc_sip)
