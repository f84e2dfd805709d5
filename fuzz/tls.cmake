# DTLS for media (owner: dtlsice): connections fed arbitrary datagrams.
sc_fuzz(NAME dtls LIBS sc_tls)
