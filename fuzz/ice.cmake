# The ICE-lite responder (owner: dtlsice).
sc_fuzz(NAME ice LIBS sc_stun)
