# The control socket request parser and JSON reader (ctl.h).
sc_fuzz(NAME gw_ctl LIBS sc_gw)
