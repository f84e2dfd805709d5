# The DNS reply parser and SRV ordering (owner: dns).
sc_fuzz(NAME net_dns LIBS sc_net)
