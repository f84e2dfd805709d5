# Provisioning's pure parts: the token check and the JSON answer.
sc_fuzz(NAME gw_provision LIBS sc_gw)
