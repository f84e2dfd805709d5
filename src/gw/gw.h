/* gw.h: the gateway module: configuration (INI file), command-line interface
 * and the server entry point. */
#ifndef SC_GW_H
#define SC_GW_H

#include <stdio.h>

#include "core/core.h"
#include "net/dns.h"

/* Limits, each enforced and reported as a config error. */
#define GW_INI_LINE_MAX 4096          /* bytes in one line, without newline */
#define GW_CONFIG_FILE_MAX (1u << 20) /* bytes in one config file */
#define GW_CONFIG_ERRORS_MAX 100      /* errors kept per load; then one more */
#define GW_CONFIG_MSG_MAX 256         /* bytes of one error message */
#define GW_CONFIG_ORIGINS_MAX 64      /* entries in [https] allowed_origins */
#define GW_CONFIG_VALUE_SHOW 64       /* bytes of a bad value quoted back */
#define GW_NUMBER_MAX 32              /* bytes of a dialled number in config */

/* Used when -c/--config is not given (relative to the working directory). */
#define GW_CONFIG_DEFAULT_PATH "var/sipcloak.ini"

/*
 * INI tokenizer: bytes in, one item per call, never allocates. Items are
 * views into the caller's text, which must outlive them.
 */
enum gw_ini_type {
	GW_INI_SECTION = 1, /* [type] or [type name] */
	GW_INI_PAIR,        /* key = value */
};

struct gw_ini {
	const char *p;
	size_t len;
	size_t pos;
	unsigned line; /* number of the line last read, 1-based */
};

struct gw_ini_item {
	enum gw_ini_type type;
	unsigned line;
	struct pl section; /* GW_INI_SECTION: the section type */
	struct pl name;    /* GW_INI_SECTION: the name, empty if none */
	struct pl key;     /* GW_INI_PAIR */
	struct pl value;   /* GW_INI_PAIR: trimmed, without quotes */
	const char *error; /* on EBADMSG/EOVERFLOW: what is wrong (static) */
};

/* Starts tokenizing len bytes at p; a UTF-8 byte order mark is skipped. */
void gw_ini_init(struct gw_ini *ini, const char *p, size_t len);

/*
 * Reads the next section header or key/value pair into *item, skipping
 * blank and comment lines. Returns 0 with an item, ENOENT at the end,
 * EBADMSG for a malformed line or EOVERFLOW for a line longer than
 * GW_INI_LINE_MAX (item->line and item->error say where and what, and
 * item->type what the line looked like, 0 if neither, and item->key the
 * key if it was valid; the tokenizer has moved past that line, so the
 * caller may go on).
 */
int gw_ini_next(struct gw_ini *ini, struct gw_ini_item *item);

/*
 * Configuration: parsed values. Strings are owned by the struct (mem_*) and
 * freed with it by mem_deref(); a NULL string means "not set".
 */
struct gw_addr {
	char *host;    /* host name or IP literal without brackets; NULL=off */
	uint16_t port; /* 1..65535 when host is set */
};

struct gw_port_range {
	uint16_t lo;
	uint16_t hi;
};

struct gw_origins {
	char **v; /* n origins as browsers send them: "https://a.example" */
	size_t n; /* 0: any origin is allowed */
};

struct gw_config {
	char *path; /* the file it was loaded from */
	struct {
		char *public_address;
		char *control_socket; /* the CLI's Unix socket (ctl.h) */
		char *echo_number;    /* dialled: the echo service; NULL off */
		char *dns_servers;    /* "ip[:port] ..."; NULL: resolv.conf */
	} server;
	struct {
		struct gw_addr listen;
		char *cert;
		char *key;
		struct gw_origins allowed_origins;
		uint32_t max_connections_per_ip;
		uint32_t idle_timeout; /* seconds */
		char *web_root; /* the web app; NULL: "web" beside the program */
	} https;
	struct {
		char *domain;
		struct gw_addr udp;
		struct gw_addr tcp;
		struct gw_addr tls;
		char *tls_cert;    /* defaults to https.cert */
		char *tls_key;     /* defaults to https.key */
		char *tls_ca_file; /* NULL: the system store */
		bool tls_verify;
	} sip;
	struct {
		char *path;
		char *master_key;
		uint32_t min_secret_bits; /* operator-chosen secrets */
	} store;
	struct {
		uint32_t max_failures;	 /* within failure_window: banned */
		uint32_t failure_window; /* seconds */
		uint32_t ban_time;	 /* seconds, doubling on each repeat */
		uint32_t ban_time_max;	 /* seconds */
		uint32_t nonce_lifetime; /* seconds */
	} auth;
	struct {
		uint32_t min_expires; /* seconds; below: 423 */
		uint32_t max_expires; /* seconds; above: clamped */
	} registrar;
	struct {
		struct gw_port_range ports;
		uint32_t workers; /* 0: the number of cores */
		char *address;    /* IP literal bound and put in SDP; NULL:
		                   * public_address */
		uint32_t no_media_timeout; /* s; 0: never */
	} media;
	struct {
		enum log_level level;
	} log;
	struct {
		struct gw_conn_conf **v; /* [connection NAME] sections (conn.h) */
		size_t n;
	} conns;
};

/* One configuration mistake. Absent parts are NULL (line: 0). */
struct gw_config_error {
	struct le le;
	char *file;
	unsigned line;
	char *section; /* "sip" or "connection office" */
	char *key;
	char *message;
};

/* The mistakes found by one load: line by line, then those of rules that
 * span keys (missing keys, conflicts). Owns its entries. */
struct gw_config_errors {
	struct list list; /* of struct gw_config_error */
	bool truncated;   /* more than GW_CONFIG_ERRORS_MAX were found */
};

/* Makes errs an empty list (it may live on the stack). */
void gw_config_errors_init(struct gw_config_errors *errs);
/* Frees every entry and leaves errs empty, ready for another load. */
void gw_config_errors_flush(struct gw_config_errors *errs);

/*
 * Formats one error as "FILE:LINE: [SECTION] KEY: MESSAGE" (parts that are
 * absent left out) into buf. Returns 0 or EOVERFLOW if it was cut short.
 */
int gw_config_error_format(const struct gw_config_error *e, char *buf,
                           size_t size);

/*
 * Reads and validates the config file at path. On success *cfgp gets a new
 * config (free with mem_deref) and 0 is returned. Otherwise every mistake
 * is appended to errs (which the caller flushes) and the return value is
 * EBADMSG (mistakes in the file), EOVERFLOW (file too large), ENOMEM, or the
 * errno of reading the file (ENOENT, EACCES, EISDIR, ...).
 */
int gw_config_load(struct gw_config **cfgp, const char *path,
                   struct gw_config_errors *errs);

/* As gw_config_load() on len bytes of text; name is used in errors. */
int gw_config_parse(struct gw_config **cfgp, const char *name, const char *text,
                    size_t len, struct gw_config_errors *errs);

/*
 * Value parsers, one per value type: pure, never allocate. They return 0,
 * EBADMSG (does not parse) or EOVERFLOW (parses but is out of range); on
 * error why (size bytes) gets the message shown to the operator.
 */
int gw_config_parse_uint(const struct pl *v, uint32_t min, uint32_t max,
                         uint32_t *out, char *why, size_t size);
int gw_config_parse_bool(const struct pl *v, bool *out, char *why, size_t size);
/* A host name or IP literal; an IPv6 literal may be bracketed. *host is
 * the host without brackets. */
int gw_config_parse_host(const struct pl *v, struct pl *host, char *why,
                         size_t size);
/* host:port with an IPv6 host in brackets: "[::1]:5060". */
int gw_config_parse_addr(const struct pl *v, struct pl *host, uint16_t *port,
                         char *why, size_t size);
/* "LO-HI" within 1024..65535, LO < HI. */
int gw_config_parse_ports(const struct pl *v, struct gw_port_range *r,
                          char *why, size_t size);
int gw_config_parse_level(const struct pl *v, enum log_level *out, char *why,
                          size_t size);
/* [server] dns_servers: IPv4 addresses, each with an optional port (53),
 * separated by spaces or commas, into conf. Returns 0, EBADMSG or
 * EOVERFLOW (more than NET_DNS_SERVERS_MAX). */
int gw_dns_servers_parse(const char *s, struct net_dns_conf *conf);
/* One web origin (RFC 6454 §6.2): http(s)://host[:port], no path. If norm
 * is not NULL it gets the origin as browsers send it (lower case, default
 * port left out); normsz > v->l always suffices. */
int gw_config_parse_origin(const struct pl *v, char *norm, size_t normsz,
                           char *why, size_t size);

/* The documented keys, for `config keys` and for tests. */
enum gw_config_type {
	GW_CFG_HOST,
	GW_CFG_ADDR,
	GW_CFG_PATH,
	GW_CFG_NUMBER, /* what a phone dials: 0-9 * # + and letters */
	GW_CFG_UINT,
	GW_CFG_BOOL,
	GW_CFG_PORTS,
	GW_CFG_LEVEL,
	GW_CFG_ORIGINS,
	GW_CFG_CHOICE, /* [connection] keys (config_conn.c): one of a set */
	GW_CFG_LIST,   /* comma-separated list */
	GW_CFG_STRING,
};

struct gw_conn_conf;

struct gw_config_key {
	const char *section;
	const char *key;
	enum gw_config_type type;
	size_t offset; /* of the field in struct gw_config */
	uint32_t min;  /* GW_CFG_UINT */
	uint32_t max;
	const char *def; /* default as written in the file; NULL: none */
	bool required;
};

const struct gw_config_key *gw_config_keys(size_t *countp);
/* The keys of [connection NAME] sections (section "connection"; offset
 * unused). */
const struct gw_config_key *gw_config_conn_keys(size_t *countp);
const char *gw_config_type_name(enum gw_config_type type);
/* Whether "[section]" is known (0), unknown (ENOENT) or known but wrongly
 * named (EBADMSG: these sections take no name). */
int gw_config_section_check(const struct pl *section, const struct pl *name);

/* Writes s as a JSON string literal (RFC 8259 §7), quotes included. */
void gw_json_str(FILE *f, const char *s);

/*
 * Command-line interface. Each command is a table row; a row either runs
 * a function or holds a table of subcommands ("config check").
 */
#define GW_CLI_OK 0
#define GW_CLI_FAIL 1  /* the command ran and failed */
#define GW_CLI_USAGE 2 /* bad usage or bad configuration */

struct gw_cli {
	FILE *out;
	FILE *err;
	const char *config_path; /* -c/--config, or GW_CONFIG_DEFAULT_PATH */
	bool json;               /* --json */
};

struct gw_cli_cmd;
/* Runs a command with its remaining arguments (argv[0] is the first one
 * after the command words); returns the process exit code. */
typedef int(gw_cli_run_h)(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
                          int argc, char **argv);

struct gw_cli_cmd {
	const char *name;
	const char *summary; /* one line for the parent's usage */
	const char *args;    /* shown after the name in the usage line */
	const char *help;    /* paragraphs after the usage line, or NULL */
	gw_cli_run_h *run;   /* NULL: has subcommands */
	const struct gw_cli_cmd *const *sub; /* NULL-terminated */
};

extern const struct gw_cli_cmd gw_cli_cmd_version;
extern const struct gw_cli_cmd gw_cli_cmd_config;
extern const struct gw_cli_cmd gw_cli_cmd_serve;
extern const struct gw_cli_cmd gw_cli_cmd_user;   /* cli_user.c */
extern const struct gw_cli_cmd gw_cli_cmd_device; /* cli_device.c */
extern const struct gw_cli_cmd gw_cli_cmd_key;    /* cli_key.c */
extern const struct gw_cli_cmd gw_cli_cmd_ban;    /* cli_ban.c */
extern const struct gw_cli_cmd gw_cli_cmd_admin;  /* cli_admin.c */
extern const struct gw_cli_cmd gw_cli_cmd_audit;  /* cli_admin.c */
extern const struct gw_cli_cmd gw_cli_cmd_connection; /* cli_conn.c */
extern const struct gw_cli_cmd gw_cli_cmd_connection; /* cli_conn.c */

/* Parses argv and runs the command; returns the process exit code. */
int gw_cli_main(int argc, char **argv, FILE *out, FILE *err);

/* Prints the usage of cmd (path: the command words that led to it). */
void gw_cli_usage(FILE *f, const struct gw_cli_cmd *cmd, const char *path);

/* Loads cli->config_path, printing every error (text on err, or JSON on
 * out with --json). Returns 0 or GW_CLI_USAGE. */
int gw_cli_config_load(struct gw_cli *cli, struct gw_config **cfgp);

/*
 * Runs the gateway with a loaded config until it is told to stop; returns
 * the process exit code. Written in serve.c.
 */
int gw_serve(const struct gw_config *cfg);

#endif
