/* relay_sipcloak: sipcloak's media engine (src/media, media.h) in a
 * process of its own, driven over the ng control protocol that rtpengine
 * speaks (cookie + bencoded dictionary over UDP on 127.0.0.1), so that
 * relayload drives both relays the same way and the benchmark reads this
 * process's CPU time from /proc. Leg A is the browser (MEDIA_WEBRTC), leg
 * B plain RTP; an offer with a "codec" dictionary (rtpengine's transcoding
 * flags) makes leg A Opus and leg B PCMU with transcoding allowed.
 *
 * usage: relay_sipcloak --ng 127.0.0.1:PORT [--ports MIN-MAX]
 *        [--workers N] [--plain-io]
 * Runs until SIGTERM or SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "benc.h"
#include "media/media.h"
#include "rl.h"

#define RS_NODES 256
#define RS_BUCKETS 1024
#define RS_CALL_ID_MAX 128
#define RS_COMPLEXITY_LEVELS 11 /* Opus complexity 0..10 */

struct rs {
	uv_loop_t loop;
	uv_udp_t udp;
	uv_signal_t sigterm, sigint;
	struct media_engine *me;
	struct hash *calls;
	uint8_t rbuf[RL_NG_MAX];
	uint8_t wbuf[RL_NG_MAX + RL_SDP_MAX];
	unsigned long served, failed;
	unsigned long complexityv[RS_COMPLEXITY_LEVELS]; /* at delete */
};

struct rs_call {
	struct le he;
	char call_id[RS_CALL_ID_MAX];
	struct media_session *ms;
};

static void call_destroy(void *arg)
{
	struct rs_call *c = arg;

	hash_unlink(&c->he);
	if (c->ms)
		media_session_close(c->ms);
	mem_deref(c->ms);
}

static bool call_cmp(struct le *le, void *arg)
{
	const struct rs_call *c = le->data;

	return !pl_strcmp(arg, c->call_id);
}

static struct rs_call *call_find(struct rs *rs, const struct pl *id)
{
	struct le *le = hash_lookup(rs->calls, hash_fnv(id->p, id->l), call_cmp,
				    (void *)id);

	return le ? le->data : NULL;
}

static int call_new(struct rs *rs, struct rs_call **cp, const struct pl *id,
		    bool transcode, bool plain)
{
	struct media_leg_conf a = {.kind = plain ? MEDIA_RTP : MEDIA_WEBRTC};
	struct media_leg_conf b = {.kind = MEDIA_RTP};
	struct rs_call *c;
	int err;

	if (id->l >= RS_CALL_ID_MAX)
		return EOVERFLOW;
	if (transcode) {
		a.codecv[0] = MEDIA_CODEC_OPUS;
		a.codecc = 1;
		a.transcode = true;
		b.codecv[0] = MEDIA_CODEC_PCMU;
		b.codecc = 1;
		b.transcode = true;
	}
	c = mem_zalloc(sizeof(*c), call_destroy);
	if (!c)
		return ENOMEM;
	(void)pl_strcpy(id, c->call_id, sizeof(c->call_id));
	err = media_session_alloc(&c->ms, rs->me, &a, &b, NULL, NULL);
	if (err) {
		mem_deref(c);
		return err;
	}
	hash_append(rs->calls, hash_fnv(id->p, id->l), &c->he, c);
	*cp = c;
	return 0;
}

/* One ng command; *sdpp (may stay NULL) is the SDP to return. */
static int command(struct rs *rs, const struct benc_node *nv,
		   struct mbuf **sdpp)
{
	struct pl cmd, id, sdp;
	struct rl_sdp_info in;
	struct rs_call *c;
	int err = 0;

	if (!benc_dict_str(nv, 0, "command", &cmd))
		return EBADMSG;
	if (!pl_strcmp(&cmd, "ping"))
		return 0;
	if (!benc_dict_str(nv, 0, "call-id", &id))
		return EBADMSG;
	c = call_find(rs, &id);
	if (!pl_strcmp(&cmd, "delete")) {
		struct media_stats st;

		if (!c)
			return ENOENT;
		/* the transcoders' Opus complexity at the end of the call */
		if (!media_stats_get(c->ms, &st) && st.leg[0].transcoding &&
		    st.opus_complexity >= 0 &&
		    st.opus_complexity < RS_COMPLEXITY_LEVELS)
			rs->complexityv[st.opus_complexity]++;
		mem_deref(c);
		return 0;
	}
	if (!benc_dict_str(nv, 0, "sdp", &sdp))
		return EBADMSG;
	if (!pl_strcmp(&cmd, "offer")) {
		if (c)
			return media_offer(c->ms, MEDIA_LEG_A, &sdp, sdpp);
		/* a plain RTP/AVP offer: the RTP <-> RTP baseline */
		err = rl_sdp_parse(&in, &sdp);
		if (!err)
			err = call_new(rs, &c, &id,
				       benc_dict_get(nv, 0, "codec") != 0,
				       !strcmp(in.proto, "RTP/AVP"));
		if (!err)
			err = media_offer(c->ms, MEDIA_LEG_A, &sdp, sdpp);
		if (err)
			mem_deref(c);
		return err;
	}
	if (!pl_strcmp(&cmd, "answer"))
		return c ? media_answer(c->ms, MEDIA_LEG_B, &sdp, sdpp)
			 : ENOENT;
	return ENOTSUP;
}

static void reply(struct rs *rs, const struct pl *cookie, int err,
		  const struct mbuf *sdp, const struct sockaddr *to)
{
	struct benc_enc e;
	uv_buf_t b;
	size_t len;

	if (cookie->l + 1 >= sizeof(rs->wbuf))
		return;
	memcpy(rs->wbuf, cookie->p, cookie->l);
	rs->wbuf[cookie->l] = ' ';
	benc_enc_init(&e, rs->wbuf + cookie->l + 1,
		      sizeof(rs->wbuf) - cookie->l - 1);
	benc_enc_dict(&e);
	if (err) {
		benc_enc_kv(&e, "error-reason", strerror(err));
		benc_enc_kv(&e, "result", "error");
	} else {
		benc_enc_kv(&e, "result", "ok");
		if (sdp) {
			benc_enc_str(&e, "sdp");
			benc_enc_mem(&e, sdp->buf, sdp->end);
		}
	}
	benc_enc_end(&e);
	if (benc_enc_finish(&e, &len))
		return;
	b = uv_buf_init((char *)rs->wbuf, (unsigned)(cookie->l + 1 + len));
	(void)uv_udp_try_send(&rs->udp, &b, 1, to);
}

static void alloc_cb(uv_handle_t *h, size_t sugg, uv_buf_t *buf)
{
	struct rs *rs = h->data;

	(void)sugg;
	*buf = uv_buf_init((char *)rs->rbuf, sizeof(rs->rbuf));
}

static void recv_cb(uv_udp_t *u, ssize_t n, const uv_buf_t *buf,
		    const struct sockaddr *from, unsigned flags)
{
	struct rs *rs = u->data;
	struct benc_node nv[RS_NODES];
	struct mbuf *sdp = NULL;
	struct pl cookie;
	const char *sp;
	size_t cnt;
	int err;

	(void)flags;
	if (n <= 0 || !from)
		return;
	sp = memchr(buf->base, ' ', (size_t)n);
	if (!sp)
		return;
	cookie = (struct pl){buf->base, (size_t)(sp - buf->base)};
	err = benc_decode(nv, RS_NODES, &cnt, (const uint8_t *)sp + 1,
			  (size_t)n - cookie.l - 1);
	if (!err && nv[0].type != BENC_DICT)
		err = EBADMSG;
	if (!err)
		err = command(rs, nv, &sdp);
	if (err)
		rs->failed++;
	else
		rs->served++;
	reply(rs, &cookie, err, sdp, from);
	mem_deref(sdp);
}

static void on_signal(uv_signal_t *s, int sig)
{
	struct rs *rs = s->data;

	(void)sig;
	uv_udp_recv_stop(&rs->udp);
	uv_close((uv_handle_t *)&rs->udp, NULL);
	uv_close((uv_handle_t *)&rs->sigterm, NULL);
	uv_close((uv_handle_t *)&rs->sigint, NULL);
	/* the engine's own handles keep the loop alive until it is closed */
	uv_stop(&rs->loop);
}

static int parse(int argc, char **argv, struct sockaddr_in *ng,
		 struct media_engine_conf *conf)
{
	static const struct option lo[] = {
	    {"ng", 1, NULL, 'n'},
	    {"ports", 1, NULL, 'p'},
	    {"workers", 1, NULL, 'w'},
	    {"plain-io", 0, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	unsigned lo_port, hi_port;
	char host[64];
	int ch, port;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (sscanf(optarg, "%63[^:]:%d", host, &port) != 2 ||
			    strncmp(host, "127.", 4) ||
			    uv_ip4_addr(host, port, ng))
				return EINVAL;
			break;
		case 'p':
			if (sscanf(optarg, "%u-%u", &lo_port, &hi_port) != 2 ||
			    hi_port > 65535 || lo_port >= hi_port)
				return EINVAL;
			conf->port_min = (uint16_t)lo_port;
			conf->port_max = (uint16_t)hi_port;
			break;
		case 'w':
			conf->workers = (unsigned)atoi(optarg);
			break;
		case 'i': /* a system call per datagram, no io_uring */
			conf->plain_io = true;
			break;
		default:
			return EINVAL;
		}
	}
	return ng->sin_port ? 0 : EINVAL;
}

int main(int argc, char **argv)
{
	struct media_engine_conf conf = {.port_min = 30000, .port_max = 39999};
	struct sockaddr_in ng = {0};
	struct rs *rs;
	int err, i;

	rs = calloc(1, sizeof(*rs));
	if (!rs || parse(argc, argv, &ng, &conf)) {
		fprintf(stderr, "usage: relay_sipcloak --ng 127.0.0.1:PORT "
				"[--ports MIN-MAX] [--workers N] "
				"[--plain-io]\n");
		free(rs);
		return 2;
	}
	log_level_set(LOG_WARN);
	sa_set(&conf.bind, "127.0.0.1", 0);
	uv_loop_init(&rs->loop);
	err = hash_alloc(&rs->calls, RS_BUCKETS);
	if (!err)
		err = media_engine_alloc(&rs->me, &rs->loop, &conf);
	if (err) {
		fprintf(stderr, "relay_sipcloak: engine: %s\n", strerror(err));
		goto out;
	}
	uv_udp_init(&rs->loop, &rs->udp);
	rs->udp.data = rs;
	err = uv_udp_bind(&rs->udp, (const struct sockaddr *)&ng, 0);
	if (!err)
		err = uv_udp_recv_start(&rs->udp, alloc_cb, recv_cb);
	if (err) {
		fprintf(stderr, "relay_sipcloak: ng socket: %s\n",
			uv_strerror(err));
		uv_close((uv_handle_t *)&rs->udp, NULL);
		goto out;
	}
	uv_signal_init(&rs->loop, &rs->sigterm);
	uv_signal_init(&rs->loop, &rs->sigint);
	rs->sigterm.data = rs->sigint.data = rs;
	uv_signal_start(&rs->sigterm, on_signal, SIGTERM);
	uv_signal_start(&rs->sigint, on_signal, SIGINT);
	fprintf(stderr, "relay_sipcloak: ng on 127.0.0.1:%u, fingerprint %s\n",
		ntohs(ng.sin_port), media_engine_fingerprint(rs->me));
	uv_run(&rs->loop, UV_RUN_DEFAULT);
	fprintf(stderr, "relay_sipcloak: %lu commands served, %lu failed\n",
		rs->served, rs->failed);
	for (i = 0; i < RS_COMPLEXITY_LEVELS; i++)
		if (rs->complexityv[i])
			fprintf(stderr,
				"relay_sipcloak: %lu transcoded calls ended "
				"at Opus complexity %d\n",
				rs->complexityv[i], i);
out:
	if (rs->calls)
		hash_flush(rs->calls);
	rs->calls = mem_deref(rs->calls);
	if (rs->me)
		media_engine_close(rs->me);
	rs->me = mem_deref(rs->me);
	uv_run(&rs->loop, UV_RUN_DEFAULT);
	uv_loop_close(&rs->loop);
	free(rs);
	return err ? 1 : 0;
}
