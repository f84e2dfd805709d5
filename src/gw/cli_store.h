/* cli_store.h: what the store commands (user, device, key) share: their
 * option parser, opening the store from the config, errors in text or
 * JSON, and reading an operator's secret from stdin. */
#ifndef SC_GW_CLI_STORE_H
#define SC_GW_CLI_STORE_H

#include "gw/gw.h"
#include "store/store.h"

#define GW_CLI_OPTS_MAX 8 /* options of one command */

/* One option of a command: "--label" with a value, or a flag. */
struct gw_cli_opt {
	const char *name;
	const char **val; /* set for options with a value */
	bool *flag;       /* set for flags */
};

/*
 * Splits argv into the options of opts (NULL-name terminated) and exactly
 * npos positional words (pos[0..npos)). On a mistake prints it with the
 * usage of cmd (path: "device add") on stderr and returns GW_CLI_USAGE.
 */
int gw_cli_args(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		const char *path, int argc, char **argv,
		const struct gw_cli_opt *opts, const char **pos, int npos);

/* Prints a failure: "sipcloak: MESSAGE" on stderr, or with --json
 * {"ok":false,"error":MESSAGE} on stdout. Returns code. */
int gw_cli_fail(struct gw_cli *cli, int code, const char *fmt, ...)
    SC_PRINTF(3, 4);

/* The config, keyring and store a store command works on. */
struct gw_cli_store {
	struct gw_config *cfg;
	struct store_keyring *kr;
	struct store *s;
};

/* Loads the config (cli->config_path). Returns 0 or an exit code. */
int gw_cli_store_config(struct gw_cli *cli, struct gw_cli_store *cs);

/*
 * Loads the config and the master key file (refused, exit 2, if group or
 * others may read it) and opens the store with actor "cli". Returns 0 or
 * an exit code (errors printed). Close with gw_cli_store_close either way.
 */
int gw_cli_store_open(struct gw_cli *cli, struct gw_cli_store *cs);
void gw_cli_store_close(struct gw_cli_store *cs);

/* An exit code and message for a store error (ENOENT: 1 "no such ..."). */
int gw_cli_store_err(struct gw_cli *cli, int err, const char *what);

/*
 * Reads an operator-chosen secret from stdin (one line, newline removed)
 * into buf and checks its strength against [store] min_secret_bits;
 * refuses a weak one printing the estimate and the reason. Returns 0 or
 * an exit code; buf is wiped on failure.
 */
int gw_cli_secret_read(struct gw_cli *cli, const struct gw_config *cfg,
		       char *buf, size_t size);

/* "wss://HOST:PORT/ws" and "https://HOST:PORT" (IPv6 hosts bracketed). */
void gw_cli_ws_url(const struct gw_config *cfg, char *buf, size_t size);
void gw_cli_https_base(const struct gw_config *cfg, char *buf, size_t size);

/* JSON helpers: "name":"str" or "name":null, "name":n or null when 0. */
void gw_cli_json_str(FILE *f, const char *name, const char *s, bool comma);
void gw_cli_json_time(FILE *f, const char *name, int64_t t, bool comma);
/* "2026-11-27 15:04:05Z", or "-" for 0. */
void gw_cli_time_fmt(int64_t t, char *buf, size_t size);

#endif
