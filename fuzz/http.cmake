sc_fuzz(NAME http_token LIBS sc_http)
