# Fuzz targets of the connections work (owner: conn).
# The client side of digest: a PBX's 401/407 answered (digest_client.c).
sc_fuzz(NAME sip_digest_respond LIBS sc_sip)
