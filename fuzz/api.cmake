# The admin API's pure parts: JSON request bodies and Bearer headers.
sc_fuzz(NAME gw_api LIBS sc_gw)
