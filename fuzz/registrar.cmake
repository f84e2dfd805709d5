# Registrar fuzz target (owner: registrar).
sc_fuzz(NAME sip_registrar LIBS sc_sip)
sc_fuzz(NAME gw_reg LIBS sc_gw)
