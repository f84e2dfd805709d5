sc_fuzz(NAME http_token LIBS sc_http)
sc_fuzz(NAME http_static LIBS sc_http)
