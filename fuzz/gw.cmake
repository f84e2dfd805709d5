# Fuzz targets of the gw module (config file).
sc_fuzz(NAME gw_config LIBS sc_gw)
# The SIP-over-WebSocket message path through the gateway's handler.
sc_fuzz(NAME ws_sip LIBS sc_gw)
# Transfers and session timers: Replaces and Min-SE as the B2BUA reads them.
sc_fuzz(NAME gw_xfer LIBS sc_gw)
