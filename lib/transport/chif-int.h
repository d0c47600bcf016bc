/* SPDX-License-Identifier: MIT */
/*
 * chif-int.h - what the CHIF backend's two halves share: the backend (chif.c: requests, blobs,
 * security) and its channel layer (chif-channel.c: channels and packets, and the calls into
 * HPE's library under the process-wide lock of chif-lib.c).  Internal to lib/transport.
 */
#ifndef HOSTFISH_CHIF_INT_H
#define HOSTFISH_CHIF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "transport.h"
#include "chif.h"

#define CHIF_TRIES 3 /* exchanges of one packet on one channel */
#define CHIF_REOPENS 2 /* re-creations of the channel after CHIF_TRIES failures */
#define CHIF_DEFAULT_TIMEOUT_MS 60000

/*
 * Every call into HPE's library is made under the process-wide lock of chif-lib.c
 * (hf_chif_lock): the library is shared by every client of the process, its builders fill one
 * static buffer.  A request waits for the lock no longer than its deadline and stops waiting
 * when it is interrupted.
 */
struct chif_ctx {
	struct hf_chif_lib lib; /* a reference on the process's library */
	const struct hf_logger *log;
	size_t max_buffer, max_write, max_read;
	size_t key_req, write_req, read_req, rest_req, rest_blob_req, rest_fixed, blob_hdr,
		security_req;
};

struct chif_conn {
	void *handle;
};

/* One packet being exchanged: request and reply buffers of max_buffer bytes. */
struct packet {
	unsigned char *out;
	size_t out_len;
	unsigned char *in;
	/* the request every packet of this exchange serves (its interrupts), and its deadline
	 * (hf_now_ms(); 0: none): all the packets of a blob request share them */
	const struct hf_transport_request *req;
	int64_t deadline;
	long recv_timeout; /* ms, for each exchange when there is no deadline; 0: the default */
};

static inline unsigned get16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static inline uint32_t get32(const unsigned char *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* Take the library's lock for the packet's request: bounded by its deadline, given up when it
 * is interrupted.  0, or -EINTR / -ETIMEDOUT with errbuf set. */
int hf_chif_lib_enter(const struct packet *pkt, char *errbuf, size_t errlen);

/* ---- the library's packet builders (one static buffer: copied out under the lock) -------- */

#define BUILD(ctx, pkt, size, call, errbuf, errlen)                                        \
	({                                                                                 \
		const unsigned char *built_ = NULL;                                        \
		int build_r_ = hf_chif_lib_enter((pkt), (errbuf), (errlen));               \
		if (build_r_ == 0) {                                                       \
			built_ = (ctx)->lib.call;                                          \
			if (built_)                                                        \
				memcpy((pkt)->out, built_, (size));                        \
			hf_chif_unlock();                                                  \
			if (!built_) {                                                     \
				snprintf((errbuf), (errlen), "CHIF: the library built no " \
							     "packet");                    \
				build_r_ = -EPROTO;                                        \
			}                                                                  \
		}                                                                          \
		(pkt)->out_len = (size);                                                   \
		build_r_;                                                                  \
	})

/* ---- channels (chif-channel.c) --------------------------------------------------------------- */

/* ChifCreate + ChifPing: 0 with *handle, or -ENODEV (no driver), -EPERM (not root),
 * -ECONNREFUSED with errbuf set. */
int hf_chif_channel_open(struct chif_ctx *ctx, void **handle, char *errbuf, size_t errlen);
/* ChifClose; *handle becomes NULL (NULL accepted). */
void hf_chif_channel_close(struct chif_ctx *ctx, void **handle);
/*
 * Exchange one packet, bounded: CHIF_TRIES attempts on the channel (an exchange error or a
 * reply whose sequence number is not the request's), then the channel is re-created, at most
 * CHIF_REOPENS times.  resend: whether the packet may go out more than once; *sends counts
 * how often it went out.  The reply is in pkt->in.
 */
int hf_chif_exchange_packet(struct chif_ctx *ctx, struct chif_conn *conn, struct packet *pkt,
			    bool resend, unsigned *sends, char *errbuf, size_t errlen);

#endif /* HOSTFISH_CHIF_INT_H */
