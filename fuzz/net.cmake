sc_fuzz(NAME net_sa LIBS sc_net)
