/* SPDX-License-Identifier: MIT */
/*
 * chif-channel.c - the CHIF backend's channels and packets (see chif.c for the requests).
 *
 * One connection = one CHIF channel (ChifCreate ... ChifClose).  Every call into HPE's
 * library is made under the process-wide lock of chif-lib.c (hf_chif_lock): the library is
 * shared by every client of the process and its builders fill one static buffer.  A request
 * waits for the lock no longer than its deadline and stops waiting when it is interrupted, so
 * that one thread's long packet exchange neither outlasts another's deadline nor hides its
 * interrupt.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chif-int.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool interrupted(const struct hf_transport_request *req)
{
	return req && req->interrupts && *req->interrupts != req->interrupts_seen;
}

static bool stop_waiting(const void *req)
{
	return interrupted(req);
}

static void time_up(const struct packet *pkt, char *errbuf, size_t errlen)
{
	snprintf(errbuf, errlen, "CHIF: the request's time is up (%ld ms)",
		 pkt->req ? pkt->req->timeout_ms : 0L);
}

int hf_chif_lib_enter(const struct packet *pkt, char *errbuf, size_t errlen)
{
	int r = hf_chif_lock_wait(pkt->deadline, stop_waiting, pkt->req);

	if (r == -EINTR)
		snprintf(errbuf, errlen, "CHIF: interrupted");
	else if (r == -ETIMEDOUT)
		time_up(pkt, errbuf, errlen);
	else if (r < 0)
		snprintf(errbuf, errlen, "CHIF: cannot lock HPE's library: %s", strerror(-r));
	return r;
}

/* ---- channels ------------------------------------------------------------------------------ */

static int map_ping(struct chif_ctx *ctx, int status, char *errbuf, size_t errlen)
{
	switch (status) {
	case HF_CHIF_ERR_NO_DRIVER:
		snprintf(errbuf, errlen,
			 "CHIF: no iLO channel: the hpilo driver is not loaded (modprobe hpilo) or "
			 "this host has no iLO 5/6 (library %s)",
			 ctx->lib.path);
		return -ENODEV;
	case HF_CHIF_ERR_ACCESS_DENIED:
		snprintf(errbuf, errlen, "CHIF: must be root to use the iLO channel");
		return -EPERM;
	default:
		snprintf(errbuf, errlen, "CHIF: the iLO channel does not answer (error %d)",
			 status);
		return -ECONNREFUSED;
	}
}

int hf_chif_channel_open(struct chif_ctx *ctx, void **handle, char *errbuf, size_t errlen)
{
	void *h = NULL;
	int st, ping = 0;

	hf_chif_lock();
	st = ctx->lib.sym_ChifCreate(&h);
	if (st == 0 && h) {
		ping = ctx->lib.sym_ChifPing(h);
		if (ping != 0)
			ctx->lib.sym_ChifClose(h);
		else
			ctx->lib.sym_ChifSetRecvTimeout(h, CHIF_DEFAULT_TIMEOUT_MS);
	}
	hf_chif_unlock();
	if (st != 0 || !h) {
		snprintf(errbuf, errlen, "CHIF: cannot create a channel (error %d)", st);
		return -ECONNREFUSED;
	}
	if (ping != 0)
		return map_ping(ctx, ping, errbuf, errlen);
	*handle = h;
	return 0;
}

void hf_chif_channel_close(struct chif_ctx *ctx, void **handle)
{
	if (*handle) {
		hf_chif_lock();
		ctx->lib.sym_ChifClose(*handle);
		hf_chif_unlock();
	}
	*handle = NULL;
}

/*
 * One ChifPacketExchange under the library's lock, the receive timeout set to what is left of
 * the request's time; *sends counts it once the packet goes out.  The channel status (>= 0),
 * or -EINTR / -ETIMEDOUT (errbuf set) when the request stopped first.
 */
static int packet_exchange(struct chif_ctx *ctx, struct chif_conn *conn, struct packet *pkt,
			   unsigned *sends, char *errbuf, size_t errlen)
{
	int64_t left = pkt->recv_timeout > 0 ? pkt->recv_timeout : CHIF_DEFAULT_TIMEOUT_MS;
	int r = hf_chif_lib_enter(pkt, errbuf, errlen), st;

	if (r < 0)
		return r;
	if (pkt->deadline) {
		/* one deadline for all the packets of the request, the wait for the lock too */
		left = pkt->deadline - hf_now_ms();
		if (left <= 0) {
			hf_chif_unlock();
			time_up(pkt, errbuf, errlen);
			return -ETIMEDOUT;
		}
	}
	memset(pkt->in, 0, ctx->max_buffer);
	(*sends)++;
	ctx->lib.sym_ChifSetRecvTimeout(conn->handle, left < INT32_MAX ? (int)left : INT32_MAX);
	st = ctx->lib.sym_ChifPacketExchange(conn->handle, pkt->out, pkt->in,
					     (int)ctx->max_buffer);
	hf_chif_unlock();
	return st < 0 ? EIO : st; /* HPE's library answers errno values */
}

int hf_chif_exchange_packet(struct chif_ctx *ctx, struct chif_conn *conn, struct packet *pkt,
			    bool resend, unsigned *sends, char *errbuf, size_t errlen)
{
	const struct hf_transport_request *req = pkt->req;
	unsigned seq = get16(pkt->out + 2), reopen, attempt, mismatches = 0;
	int st = 0, r;

	for (reopen = 0; reopen <= CHIF_REOPENS; reopen++) {
		if (reopen > 0 || !conn->handle) {
			hf_chif_channel_close(ctx, &conn->handle);
			hf_log_debug(ctx->log, "chif: re-creating the channel (%u of %u)", reopen,
				     CHIF_REOPENS);
			r = hf_chif_channel_open(ctx, &conn->handle, errbuf, errlen);
			if (r < 0)
				return r;
		}
		for (attempt = 0; attempt < CHIF_TRIES; attempt++) {
			if (interrupted(req)) {
				snprintf(errbuf, errlen, "CHIF: interrupted");
				return -EINTR;
			}
			if (pkt->deadline && pkt->deadline <= hf_now_ms()) {
				time_up(pkt, errbuf, errlen);
				return -ETIMEDOUT;
			}
			if (*sends > 0 && !resend) {
				snprintf(errbuf, errlen,
					 "CHIF: the exchange failed after the request may have "
					 "reached the iLO (error %d, %u wrong sequence numbers); "
					 "not resent",
					 st, mismatches);
				return -ECONNRESET;
			}
			st = packet_exchange(ctx, conn, pkt, sends, errbuf, errlen);
			if (st < 0)
				return st;
			if (st != 0) {
				hf_log_debug(ctx->log, "chif: exchange failed with error %d", st);
				if (st == HF_CHIF_ERR_NO_DRIVER)
					break; /* a reset channel stays dead: reopen now */
				sleep_ms(20L * (attempt + 1));
				continue;
			}
			if (get16(pkt->in + 2) != seq) {
				mismatches++;
				hf_log_debug(ctx->log,
					     "chif: reply sequence %u, expected %u: discarded",
					     get16(pkt->in + 2), seq);
				continue;
			}
			return 0;
		}
	}
	snprintf(errbuf, errlen,
		 "CHIF: no valid answer from the iLO after %u channels of %u exchanges (last "
		 "error %d, %u wrong sequence numbers)",
		 (unsigned)(CHIF_REOPENS + 1), (unsigned)CHIF_TRIES, st, mismatches);
	return -ECONNRESET;
}
