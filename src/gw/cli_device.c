/* cli_device.c: `sipcloak device add|list|revoke|rotate|link`: devices
 * with generated digest credentials (shown once) and one-time provisioning
 * links with a QR code for phones. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qrencode.h>

#include "gw/cli_store.h"
#include "gw/ctl.h"

#define CLI_URL_MAX 512
#define CLI_LINK_MAX (CLI_URL_MAX + 4 + STORE_TOKEN_LEN)
#define QR_QUIET 4 /* modules of light border (ISO/IEC 18004 §6.3.8) */
#define TTL_DEFAULT "15m"
/* devices one `device add --count` makes: a user's limit, as one batch */
#define GW_CLI_DEVICE_COUNT_MAX STORE_USER_DEVICES_MAX

/* Parses "90", "90s", "15m", "2h", "7d" into seconds within the link
 * bounds. Returns 0, EBADMSG or EOVERFLOW. */
static int ttl_parse(const char *s, int64_t *ttlp)
{
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (!*p)
		return EBADMSG;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > (uint64_t)STORE_LINK_TTL_MAX)
			return EOVERFLOW;
	}
	if (p == s)
		return EBADMSG;
	switch (*p) {
	case '\0':
	case 's':
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	default:
		return EBADMSG;
	}
	if (*p && p[1])
		return EBADMSG;
	v *= mul;
	if (v < STORE_LINK_TTL_MIN || v > STORE_LINK_TTL_MAX)
		return EOVERFLOW;
	*ttlp = (int64_t)v;
	return 0;
}

/* The one-time output of a device credential; the caller wipes sec. */
/* What telling the server about a rotated device did (ctl.h). */
struct gone {
	int err;
	size_t ended;
};

/* One device credential as a JSON object (no newline). */
static void secret_json(FILE *f, const struct gw_config *cfg, const char *user,
			const struct store_device_secret *sec, const char *ws,
			const char *uri)
{
	fprintf(f, "{\"device\":%lld,\"user\":", (long long)sec->device);
	gw_json_str(f, user);
	fputs(",\"sip_username\":", f);
	gw_json_str(f, sec->sip_username);
	fputs(",\"password\":", f);
	gw_json_str(f, sec->password);
	fputs(",\"sip_uri\":", f);
	gw_json_str(f, uri);
	fputs(",\"ws_url\":", f);
	gw_json_str(f, ws);
	fputs(",\"realm\":", f);
	gw_json_str(f, cfg->sip.domain);
}

static void secret_print(struct gw_cli *cli, const struct gw_config *cfg,
			 const char *user,
			 const struct store_device_secret *sec,
			 const struct gone *g)
{
	char ws[CLI_URL_MAX], uri[CLI_URL_MAX];
	FILE *f = cli->out;

	gw_cli_ws_url(cfg, ws, sizeof(ws));
	snprintf(uri, sizeof(uri), "sip:%s@%s", sec->sip_username,
		 cfg->sip.domain);
	if (cli->json) {
		secret_json(f, cfg, user, sec, ws, uri);
		if (g)
			gw_ctl_cli_gone(cli, g->err, g->ended);
		fputs("}\n", f);
	} else {
		fprintf(f,
			"device %lld of %s; the password is shown only now:\n"
			"  sip_username  %s\n  password      %s\n"
			"  sip_uri       %s\n  ws_url        %s\n"
			"  realm         %s\n",
			(long long)sec->device, user, sec->sip_username,
			sec->password, uri, ws, cfg->sip.domain);
		if (g)
			gw_ctl_cli_gone(cli, g->err, g->ended);
	}
	mem_secure_zero(uri, sizeof(uri));
	fflush(f);
}

/* n credentials of `device add --count`: a JSON array of the objects
 * `device add --json` prints, one per line; in text one block each. */
static void secrets_print(struct gw_cli *cli, const struct gw_config *cfg,
			  const char *user,
			  const struct store_device_secret *sec, size_t n)
{
	char ws[CLI_URL_MAX], uri[CLI_URL_MAX];
	size_t i;

	if (!cli->json) {
		for (i = 0; i < n; i++)
			secret_print(cli, cfg, user, &sec[i], NULL);
		return;
	}
	gw_cli_ws_url(cfg, ws, sizeof(ws));
	fputc('[', cli->out);
	for (i = 0; i < n; i++) {
		snprintf(uri, sizeof(uri), "sip:%s@%s", sec[i].sip_username,
			 cfg->sip.domain);
		secret_json(cli->out, cfg, user, &sec[i], ws, uri);
		fputs(i + 1 < n ? "},\n" : "}", cli->out);
	}
	fputs("]\n", cli->out);
	mem_secure_zero(uri, sizeof(uri));
	fflush(cli->out);
}

static int secret_opt(struct gw_cli *cli, const struct gw_cli_store *cs,
		      bool from_stdin, char *pw, size_t size)
{
	if (!from_stdin)
		return 0;
	return gw_cli_secret_read(cli, cs->cfg, pw, size);
}

/* --count N: 1 to GW_CLI_DEVICE_COUNT_MAX, digits only. */
static int count_parse(const char *s, size_t *np)
{
	size_t v = 0;
	const char *p;

	if (!*s)
		return EBADMSG;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return EBADMSG;
		v = v * 10 + (size_t)(*p - '0');
		if (v > GW_CLI_DEVICE_COUNT_MAX)
			return EOVERFLOW;
	}
	if (!v)
		return EOVERFLOW;
	*np = v;
	return 0;
}

/* device add USER --count N: n devices in one transaction. */
static int add_many(struct gw_cli *cli, const struct gw_cli_store *cs,
		    const char *user, const char *label, size_t n)
{
	struct store_device_secret *sec;
	size_t active = 0;
	int ret = 0, err;

	sec = mem_zalloc(n * sizeof(*sec), NULL);
	if (!sec)
		return gw_cli_store_err(cli, ENOMEM, "device");
	err = store_device_add_many(cs->s, user, label, cs->cfg->sip.domain, n,
				    sec, &active);
	if (err == EOVERFLOW && active + n > STORE_USER_DEVICES_MAX)
		ret = gw_cli_fail(cli, GW_CLI_FAIL,
				  "user %s has %zu active device(s): %zu more "
				  "would pass the limit of %d per user",
				  user, active, n, STORE_USER_DEVICES_MAX);
	else if (err)
		ret = gw_cli_store_err(cli, err,
				       err == ENOENT ? "user" : "device");
	else
		secrets_print(cli, cs->cfg, user, sec, n);
	mem_secure_zero(sec, n * sizeof(*sec));
	mem_deref(sec);
	return ret;
}

static int run_add(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		   char **argv)
{
	const char *user = NULL, *label = NULL, *count_s = NULL;
	bool pw_stdin = false;
	const struct gw_cli_opt opts[] = {
	    {"--label", &label, NULL},
	    {"--password-stdin", NULL, &pw_stdin},
	    {"--count", &count_s, NULL},
	    {NULL, NULL, NULL},
	};
	char pw[STORE_SECRET_MAX + 2] = "";
	struct store_device_secret sec;
	struct gw_cli_store cs;
	size_t n = 0;
	int ret, err;

	memset(&sec, 0, sizeof(sec));
	memset(&cs, 0, sizeof(cs));
	ret = gw_cli_args(cli, cmd, "device add", argc, argv, opts, &user, 1);
	if (ret)
		return ret;
	if (count_s && count_parse(count_s, &n)) {
		fprintf(cli->err,
			"sipcloak: bad --count '%s' (expected 1 to %d)\n",
			count_s, GW_CLI_DEVICE_COUNT_MAX);
		gw_cli_usage(cli->err, cmd, "device add");
		return GW_CLI_USAGE;
	}
	if (count_s && pw_stdin) {
		fputs("sipcloak: --count makes generated passwords: not with "
		      "--password-stdin\n",
		      cli->err);
		gw_cli_usage(cli->err, cmd, "device add");
		return GW_CLI_USAGE;
	}
	ret = gw_cli_store_open(cli, &cs);
	if (!ret && n)
		ret = add_many(cli, &cs, user, label, n);
	if (ret || n)
		goto out;
	ret = secret_opt(cli, &cs, pw_stdin, pw, sizeof(pw));
	if (ret)
		goto out;
	err = store_device_add_password(cs.s, user, label, cs.cfg->sip.domain,
					pw_stdin ? pw : NULL, &sec);
	if (err) {
		ret = gw_cli_store_err(cli, err,
				       err == ENOENT ? "user" : "device");
		goto out;
	}
	secret_print(cli, cs.cfg, user, &sec, NULL);
out:
	mem_secure_zero(pw, sizeof(pw));
	store_secret_wipe(&sec);
	gw_cli_store_close(&cs);
	return ret;
}

/* device list: the store's devices with the running server's view of
 * which are online (ctl.h), asked once for all of them. */
struct walk {
	struct gw_cli *cli;
	unsigned n;
	size_t names_n;
	char names[GW_CTL_NAMES_MAX][STORE_SIP_USERNAME_LEN + 1];
	struct gw_ctl_online online[GW_CTL_NAMES_MAX];
	bool known; /* the server answered */
};

static int name_one(const struct store_device *d, void *arg)
{
	struct walk *w = arg;

	/* a revoked device was told gone; the limit is the active count */
	if (!d->revoked_at && w->names_n < GW_CTL_NAMES_MAX)
		memcpy(w->names[w->names_n++], d->sip_username,
		       sizeof(w->names[0]));
	return 0;
}

static const struct gw_ctl_online *online_of(const struct walk *w,
					     const struct store_device *d)
{
	static const struct gw_ctl_online offline;
	size_t i;

	for (i = 0; i < w->names_n; i++)
		if (!strcmp(w->names[i], d->sip_username))
			return &w->online[i];
	return &offline;
}

static void list_json(FILE *f, const struct walk *w,
		      const struct store_device *d)
{
	const struct gw_ctl_online *o = online_of(w, d);

	if (!w->known) {
		fputs(",\"online\":null,\"since\":null,\"address\":null,"
		      "\"transport\":null",
		      f);
		return;
	}
	fprintf(f, ",\"online\":%s", o->contacts ? "true" : "false");
	gw_cli_json_time(f, "since", o->contacts ? o->since : 0, true);
	gw_cli_json_str(f, "address", o->contacts ? o->address : NULL, true);
	gw_cli_json_str(f, "transport", o->contacts ? o->transport : NULL,
			true);
}

static int list_one(const struct store_device *d, void *arg)
{
	struct walk *w = arg;
	const struct gw_ctl_online *o = online_of(w, d);
	FILE *f = w->cli->out;
	char seen[32], created[32], since[32];

	if (w->cli->json) {
		fprintf(f, "%s{\"device\":%lld", w->n ? "," : "",
			(long long)d->id);
		gw_cli_json_str(f, "user", d->user, true);
		gw_cli_json_str(f, "label", d->label, true);
		gw_cli_json_str(f, "sip_username", d->sip_username, true);
		gw_cli_json_time(f, "created", d->created, true);
		fprintf(f, ",\"revoked\":%s", d->revoked_at ? "true" : "false");
		gw_cli_json_time(f, "revoked_at", d->revoked_at, true);
		gw_cli_json_time(f, "last_seen_at", d->last_seen_at, true);
		gw_cli_json_str(f, "last_address", d->last_address, true);
		fprintf(f, ",\"key_id\":%" PRIu32, d->key_id);
		list_json(f, w, d);
		fputc('}', f);
	} else {
		gw_cli_time_fmt(d->created, created, sizeof(created));
		gw_cli_time_fmt(d->last_seen_at, seen, sizeof(seen));
		gw_cli_time_fmt(o->contacts ? o->since : 0, since,
				sizeof(since));
		fprintf(f,
			"%-6lld %-22s %-16s %-8s %-21s %-21s %-21s %-7s %-21s "
			"%s\n",
			(long long)d->id, d->sip_username,
			*d->label ? d->label : "-",
			d->revoked_at ? "revoked" : "active", created, seen,
			*d->last_address ? d->last_address : "-",
			!w->known ? "?" : o->contacts ? "yes" : "no", since,
			o->contacts && *o->address ? o->address : "-");
	}
	w->n++;
	return 0;
}

static int run_list(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		    char **argv)
{
	const char *names[GW_CTL_NAMES_MAX];
	const char *user = NULL;
	struct gw_cli_store cs;
	struct walk *w;
	size_t i;
	int ret, err;

	ret = gw_cli_args(cli, cmd, "device list", argc, argv, NULL, &user, 1);
	if (ret)
		return ret;
	w = mem_zalloc(sizeof(*w), NULL);
	if (!w)
		return gw_cli_fail(cli, GW_CLI_FAIL, "out of memory");
	w->cli = cli;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	err = store_device_list(cs.s, user, name_one, w);
	if (err) {
		ret = gw_cli_store_err(cli, err, "user");
		goto out;
	}
	for (i = 0; i < w->names_n; i++)
		names[i] = w->names[i];
	err = gw_ctl_registrations(cs.cfg->server.control_socket, names,
				   w->names_n, w->online);
	w->known = !err;
	if (err && err != ENOTCONN)
		fprintf(cli->err, "sipcloak: warning: cannot ask the server "
				  "(%s): online state unknown\n",
			strerror(err));
	if (cli->json)
		fputc('[', cli->out);
	else
		fprintf(cli->out,
			"%-6s %-22s %-16s %-8s %-21s %-21s %-21s %-7s %-21s "
			"%s\n",
			"ID", "SIP_USERNAME", "LABEL", "STATE", "CREATED",
			"LAST_SEEN", "LAST_ADDRESS", "ONLINE", "SINCE",
			"ADDRESS");
	err = store_device_list(cs.s, user, list_one, w);
	if (cli->json && err != ENOENT)
		fputs("]\n", cli->out);
	if (err)
		ret = gw_cli_store_err(cli, err, "user");
	else if (!cli->json && !w->known)
		fputs("server not running: online state unknown\n", cli->out);
out:
	gw_cli_store_close(&cs);
	mem_deref(w);
	return ret;
}

static int id_parse(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		    const char *path, const char *s, int64_t *idp)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || !*s || *end || v <= 0) {
		fprintf(cli->err, "sipcloak: not a device id '%s'\n", s);
		gw_cli_usage(cli->err, cmd, path);
		return GW_CLI_USAGE;
	}
	*idp = v;
	return 0;
}

static int run_revoke(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		      int argc, char **argv)
{
	const char *arg = NULL, *names[1];
	struct store_device d;
	struct gw_cli_store cs;
	size_t ended = 0;
	int64_t id = 0;
	int ret, err, cerr;

	ret = gw_cli_args(cli, cmd, "device revoke", argc, argv, NULL, &arg, 1);
	if (!ret)
		ret = id_parse(cli, cmd, "device revoke", arg, &id);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	err = store_device_get(cs.s, id, &d);
	if (!err)
		err = store_device_revoke(cs.s, id);
	if (err) {
		ret = gw_cli_store_err(cli, err, "device");
		goto out;
	}
	/* The store refuses the credential from now on; the server drops
	 * the registrations it already accepted (issue 3). */
	names[0] = d.sip_username;
	cerr = gw_ctl_devices_gone(cs.cfg->server.control_socket, names, 1,
				   &ended);
	if (cli->json) {
		fprintf(cli->out, "{\"device\":%lld,\"revoked\":true",
			(long long)id);
		gw_ctl_cli_gone(cli, cerr, ended);
		fputs("}\n", cli->out);
	} else {
		fprintf(cli->out, "device %lld revoked\n", (long long)id);
		gw_ctl_cli_gone(cli, cerr, ended);
	}
out:
	gw_cli_store_close(&cs);
	return ret;
}

static int run_rotate(struct gw_cli *cli, const struct gw_cli_cmd *cmd,
		      int argc, char **argv)
{
	const char *arg = NULL;
	bool pw_stdin = false;
	const struct gw_cli_opt opts[] = {
	    {"--password-stdin", NULL, &pw_stdin},
	    {NULL, NULL, NULL},
	};
	char pw[STORE_SECRET_MAX + 2] = "";
	struct store_device_secret sec;
	struct store_device d;
	struct gw_cli_store cs;
	const char *names[1];
	struct gone g = {0, 0};
	int64_t id = 0;
	int ret, err;

	memset(&sec, 0, sizeof(sec));
	ret = gw_cli_args(cli, cmd, "device rotate", argc, argv, opts, &arg, 1);
	if (!ret)
		ret = id_parse(cli, cmd, "device rotate", arg, &id);
	if (ret)
		return ret;
	ret = gw_cli_store_open(cli, &cs);
	if (!ret)
		ret = secret_opt(cli, &cs, pw_stdin, pw, sizeof(pw));
	if (ret)
		goto out;
	err =
	    store_device_rotate_password(cs.s, id, pw_stdin ? pw : NULL, &sec);
	if (!err)
		err = store_device_get(cs.s, id, &d);
	if (err) {
		ret = gw_cli_store_err(cli, err, "device");
		goto out;
	}
	/* the old password's registrations end now, not at their expiry */
	names[0] = d.sip_username;
	g.err = gw_ctl_devices_gone(cs.cfg->server.control_socket, names, 1,
				    &g.ended);
	secret_print(cli, cs.cfg, d.user, &sec, &g);
out:
	mem_secure_zero(pw, sizeof(pw));
	store_secret_wipe(&sec);
	gw_cli_store_close(&cs);
	return ret;
}

/* The QR code of s with UTF-8 half blocks, two module rows per line; light
 * modules are drawn (for light-on-dark terminals, as `qrencode -t UTF8`). */
static int qr_print(FILE *f, const char *s)
{
	static const char *const cell[4] = {"\xe2\x96\x88", /* both light */
					    "\xe2\x96\x80", /* top light */
					    "\xe2\x96\x84", /* bottom light */
					    " "};
	QRcode *qr = QRcode_encodeString(s, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int x, y, w;

	if (!qr)
		return ENOMEM;
	w = qr->width;
	for (y = -QR_QUIET; y < w + QR_QUIET; y += 2) {
		for (x = -QR_QUIET; x < w + QR_QUIET; x++) {
			bool in = x >= 0 && x < w;
			bool top =
			    in && y >= 0 && y < w && (qr->data[y * w + x] & 1);
			bool bot = in && y + 1 >= 0 && y + 1 < w &&
				   (qr->data[(y + 1) * w + x] & 1);

			fputs(cell[(top ? 2 : 0) + (bot ? 1 : 0)], f);
		}
		fputc('\n', f);
	}
	QRcode_free(qr);
	return 0;
}

static int run_link(struct gw_cli *cli, const struct gw_cli_cmd *cmd, int argc,
		    char **argv)
{
	const char *user = NULL, *label = NULL, *ttl_s = TTL_DEFAULT;
	const struct gw_cli_opt opts[] = {
	    {"--ttl", &ttl_s, NULL},
	    {"--label", &label, NULL},
	    {NULL, NULL, NULL},
	};
	char token[STORE_TOKEN_LEN + 1] = "", url[CLI_LINK_MAX] = "";
	char when[32], base[CLI_URL_MAX];
	struct store_device_secret sec;
	struct gw_cli_store cs;
	int64_t ttl = 0, now = (int64_t)time(NULL), exp = 0;
	int ret, err;

	memset(&sec, 0, sizeof(sec));
	ret = gw_cli_args(cli, cmd, "device link", argc, argv, opts, &user, 1);
	if (ret)
		return ret;
	if (ttl_parse(ttl_s, &ttl)) {
		fprintf(cli->err,
			"sipcloak: bad --ttl '%s' (expected 1m to 7d: a number "
			"with s, m, h or d)\n",
			ttl_s);
		gw_cli_usage(cli->err, cmd, "device link");
		return GW_CLI_USAGE;
	}
	ret = gw_cli_store_open(cli, &cs);
	if (ret)
		goto out;
	err = store_device_add(cs.s, user, label, cs.cfg->sip.domain, &sec);
	if (err) {
		ret = gw_cli_store_err(cli, err,
				       err == ENOENT ? "user" : "device");
		goto out;
	}
	err = store_link_create(cs.s, sec.device, sec.password, ttl, now, token,
				sizeof(token), &exp);
	if (err) {
		store_device_revoke(cs.s, sec.device);
		ret = gw_cli_store_err(cli, err, "link");
		goto out;
	}
	gw_cli_https_base(cs.cfg, base, sizeof(base));
	snprintf(url, sizeof(url), "%s/p/%s", base, token);
	if (cli->json) {
		fprintf(cli->out,
			"{\"device\":%lld,\"url\":", (long long)sec.device);
		gw_json_str(cli->out, url);
		fprintf(cli->out, ",\"expires_at\":%lld}\n", (long long)exp);
	} else {
		gw_cli_time_fmt(exp, when, sizeof(when));
		fprintf(cli->out,
			"device %lld of %s; open this link once, before %s:\n"
			"%s\n\n",
			(long long)sec.device, user, when, url);
		qr_print(cli->out, url);
	}
out:
	mem_secure_zero(token, sizeof(token));
	mem_secure_zero(url, sizeof(url));
	store_secret_wipe(&sec);
	gw_cli_store_close(&cs);
	return ret;
}

static const struct gw_cli_cmd cmd_add = {
    .name = "add",
    .summary = "add a device with a generated credential (shown once)",
    .args = "USER [--label TEXT] [--password-stdin | --count N]",
    .help = "Creates a device for USER with a random SIP user name and a "
	    "32-character\nrandom password, and prints them once with the "
	    "sip_uri, ws_url and realm a\nclient needs (--json: {\"device\","
	    "\"user\",\"sip_username\",\"password\",\n\"sip_uri\",\"ws_url\","
	    "\"realm\"}). Only the HA1s are kept, sealed: the password\ncannot "
	    "be shown again. --password-stdin reads an operator-chosen "
	    "password\ninstead, refused unless strong ([store] "
	    "min_secret_bits). --count N creates N\ndevices (1 to 64, the "
	    "limit of active devices per user) in one\ntransaction, all or "
	    "none; --json prints them as an array of those objects.",
    .run = run_add,
};

static const struct gw_cli_cmd cmd_list = {
    .name = "list",
    .summary = "list the devices of a user",
    .args = "USER",
    .help = "Prints each device: id, SIP user name, label, active or "
	    "revoked, created,\nwhen and from where it last registered, and, "
	    "from the running server,\nwhether it is online, since when and "
	    "from which address (\"?\" and a note\nwhen the server is not "
	    "running; null with --json). Never prints a secret.",
    .run = run_list,
};

static const struct gw_cli_cmd cmd_revoke = {
    .name = "revoke",
    .summary = "revoke a device at once",
    .args = "ID",
    .help = "Revokes the device: its credential stops working at once, "
	    "its HA1s and\npending links are wiped, and the running server "
	    "ends its registrations.\nIt cannot be undone.",
    .run = run_revoke,
};

static const struct gw_cli_cmd cmd_rotate = {
    .name = "rotate",
    .summary = "give a device a new password (shown once)",
    .args = "ID [--password-stdin]",
    .help = "Replaces the device's password (the old one stops working at "
	    "once, and\nthe running server ends its registrations) and prints "
	    "the new credential\nonce, as `device add` does.",
    .run = run_rotate,
};

static const struct gw_cli_cmd cmd_link = {
    .name = "link",
    .summary = "add a device and a one-time provisioning link",
    .args = "USER [--ttl 15m] [--label TEXT]",
    .help = "Creates a device for USER and a link https://ADDRESS:PORT/p/"
	    "TOKEN that\ndelivers its credential once, until it expires "
	    "(--ttl: 1m to 7d, with\nunit s, m, h or d; default 15m). "
	    "Prints the link and its QR code, or\n{\"device\",\"url\","
	    "\"expires_at\"} with --json.",
    .run = run_link,
};

static const struct gw_cli_cmd *const device_sub[] = {
    &cmd_add, &cmd_list, &cmd_revoke, &cmd_rotate, &cmd_link, NULL};

const struct gw_cli_cmd gw_cli_cmd_device = {
    .name = "device",
    .summary = "add, list, revoke and rotate devices; provisioning links",
    .sub = device_sub,
};
