# Fuzz targets of the gw module (config file).
sc_fuzz(NAME gw_config LIBS sc_gw)
