# The Digest header parser (src/sip/digest_parse.c) and what consumes it.
# OpenSSL::Crypto: see tests/sip/digest.cmake.
sc_fuzz(NAME sip_auth LIBS sc_sip OpenSSL::Crypto)
