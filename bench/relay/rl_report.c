/* rl_report.c: relayload's result line: per-call figures aggregated over
 * the calls that reached media (loss and jitter per direction, setup and
 * DTLS times as percentiles) and the relay's CPU per call-minute (a call-
 * minute being 6,000 packets offered to the relay, 50/s each way). */
#include <stdio.h>
#include <stdlib.h>

#include "relayload.h"

struct agg {
	double *v;
	size_t n;
};

static void add(struct agg *a, double x)
{
	a->v[a->n++] = x;
}

static double pct(struct agg *a, double p)
{
	return rl_percentile(a->v, a->n, p);
}

void rl_report(const struct rl_run *run, double window_s, double relay_cpu_s,
	       double setup_cpu_s, double self_cpu_s, double max_loss_pct,
	       double max_jitter_ms)
{
	struct agg ju = {0}, jd = {0}, su = {0}, dt = {0};
	uint64_t up_exp = 0, up_lost = 0, dn_exp = 0, dn_lost = 0, late = 0;
	uint64_t tx_up = 0, tx_dn = 0, rx_up = 0, rx_dn = 0, hs = 0;
	uint64_t hs_first = UINT64_MAX, hs_last = 0, stamped_dn = 0, wpt = 0;
	unsigned nb = 0;
	const char *why = "-", *profile = "-";
	unsigned i, ok = 0, failed = 0;
	double up_loss, dn_loss, cpm, hs_s, jit_u, jit_d;
	size_t n = run->callc ? run->callc : 1;

	ju.v = calloc(n, sizeof(double));
	jd.v = calloc(n, sizeof(double));
	su.v = calloc(n, sizeof(double));
	dt.v = calloc(n, sizeof(double));
	if (!ju.v || !jd.v || !su.v || !dt.v)
		goto out;
	for (i = 0; i < run->callc; i++) {
		const struct rl_call *c = &run->callv[i];

		if (c->t_dtls1) {
			hs++;
			if (c->t_dtls0 < hs_first)
				hs_first = c->t_dtls0;
			if (c->t_dtls1 > hs_last)
				hs_last = c->t_dtls1;
			add(&dt, (double)(c->t_dtls1 - c->t_dtls0) / 1e6);
		}
		if (c->state != RL_MEDIA || !c->t_media) {
			failed++;
			if (c->why)
				why = c->why;
			else
				why = c->state == RL_ICE    ? "ice-timeout"
				      : c->state == RL_DTLS ? "dtls-timeout"
							    : "no-media";
			continue;
		}
		ok++;
		if (!run->plain) {
			profile = msrtp_profile_name(c->profile);
			add(&su, (double)(c->t_media - c->t_check0) / 1e6);
		}
		add(&ju, c->rx_up.jitter_ns / 1e6);
		add(&jd, c->rx_down.jitter_ns / 1e6);
		up_exp += rl_rx_expected(&c->rx_up);
		up_lost += rl_rx_lost(&c->rx_up);
		dn_exp += rl_rx_expected(&c->rx_down);
		dn_lost += rl_rx_lost(&c->rx_down);
		tx_up += c->tx_up;
		tx_dn += c->tx_down;
		rx_up += c->rx_up.packets;
		rx_dn += c->rx_down.packets;
		stamped_dn += c->rx_down.stamped;
		late += c->late;
		wpt += c->wrong_pt;
		nb += c->opus_nb;
	}
	up_loss = up_exp ? 100.0 * (double)up_lost / (double)up_exp : 100;
	dn_loss = dn_exp ? 100.0 * (double)dn_lost / (double)dn_exp : 100;
	/* calls that sent nothing the receiver saw count as lost too */
	if (ok && (!rx_up || !rx_dn))
		up_loss = dn_loss = 100;
	/* per call-minute of media actually offered to the relay: 100
	 * packets/s per call (50 each way); a load generator that fell
	 * behind sent fewer, and the relay had less to do */
	cpm =
	    tx_up + tx_dn
		? relay_cpu_s / ((double)(tx_up + tx_dn) / (2.0 * 50.0 * 60.0))
		: 0;
	hs_s = hs > 1 && hs_last > hs_first
		   ? (double)hs / ((double)(hs_last - hs_first) / 1e9)
		   : 0;
	jit_u = pct(&ju, 95);
	jit_d = pct(&jd, 95);
	printf("calls=%u ok=%u failed=%u why=%s mode=%s profile=%s "
	       "seconds=%.1f tx_up=%llu rx_up=%llu up_loss_pct=%.3f "
	       "tx_down=%llu rx_down=%llu down_loss_pct=%.3f "
	       "jit_up_p50_ms=%.3f jit_up_p95_ms=%.3f jit_up_max_ms=%.3f "
	       "jit_down_p50_ms=%.3f jit_down_p95_ms=%.3f jit_down_max_ms=%.3f "
	       "down_stamped=%d setup_p50_ms=%.1f setup_p95_ms=%.1f "
	       "dtls_p50_ms=%.1f dtls_p95_ms=%.1f hs=%llu hs_per_s=%.0f "
	       "setup_relay_cpu_s=%.2f hs_per_cpu_s=%.0f relay_cpu_s=%.2f "
	       "relay_cpu_pct=%.1f cpu_s_per_call_min=%.4f "
	       "calls_per_core=%.0f load_cpu_pct=%.1f late=%llu gaps=%llu "
	       "gap_max_ms=%.1f wrong_pt=%llu opus_nb=%u pass=%d\n",
	       run->callc, ok, failed, why,
	       run->plain       ? "plain"
	       : run->transcode ? "transcode"
				: "webrtc",
	       profile, window_s, (unsigned long long)tx_up,
	       (unsigned long long)rx_up, up_loss, (unsigned long long)tx_dn,
	       (unsigned long long)rx_dn, dn_loss, pct(&ju, 50), jit_u,
	       pct(&ju, 100), pct(&jd, 50), jit_d, pct(&jd, 100),
	       stamped_dn == rx_dn && rx_dn > 0, pct(&su, 50), pct(&su, 95),
	       pct(&dt, 50), pct(&dt, 95), (unsigned long long)hs, hs_s,
	       setup_cpu_s, setup_cpu_s > 0 ? (double)hs / setup_cpu_s : 0,
	       relay_cpu_s, 100.0 * relay_cpu_s / window_s, cpm,
	       cpm > 0 ? 60.0 / cpm : 0, 100.0 * self_cpu_s / window_s,
	       (unsigned long long)late, (unsigned long long)run->gaps,
	       (double)run->gap_max_ns / 1e6, (unsigned long long)wpt, nb,
	       !failed && !wpt && up_loss <= max_loss_pct &&
		   dn_loss <= max_loss_pct && jit_u <= max_jitter_ms &&
		   jit_d <= max_jitter_ms);
	fflush(stdout);
out:
	free(ju.v);
	free(jd.v);
	free(su.v);
	free(dt.v);
}
