/* SPDX-License-Identifier: MIT */
/*
 * bmc-private.h - waiting across a reset of the BMC (bmc.c), for the features that cause one:
 * hf_bmc_reset(), an HTTPS certificate import (cert.c), an iLO firmware flash.
 */
#ifndef HOSTFISH_BMC_PRIVATE_H
#define HOSTFISH_BMC_PRIVATE_H

#include <stdint.h>

#include "hostfish-private.h"

#define HF_BMC_WAIT_DEFAULT_S 300L /* --wait-timeout's default: an iLO reboots in 1-3 min */
#define HF_BMC_WAIT_MAX_S 86400L
#define HF_BMC_POLL_FIRST_MS 100L /* the back-off between probes: from this, doubling... */
#define HF_BMC_POLL_MAX_MS 500L /* ...up to this (the cost of noticing the BMC is back) */

/* What hf_bmc_wait_back() saw, in ms since it began (-1: not seen). */
struct hf_bmc_back {
	long gone_ms; /* the BMC stopped answering (or no longer knew the session) */
	long back_ms; /* it answered again */
	long ready_ms; /* a new session read the manager */
	int probes; /* requests sent while waiting */
};

/* flags: HF_BMC_WAIT_GONE (hostfish-bmc.h): the caller saw the BMC go away already */
/*
 * Wait until the BMC has gone away (a reset it was asked for, or does by itself after an
 * iLO firmware flash or an HTTPS certificate import) and come back, then make the client
 * usable again: a new session is logged in (when the client logs in at all) and the manager
 * is read.  The old session: when the wait sees the BMC go (or forget the session), the reset
 * the caller caused has ended it, and it is forgotten with its journal entry at once (an
 * interrupted wait leaves nothing behind).  With HF_BMC_WAIT_GONE (the caller only saw the
 * BMC stop answering, which may not be a reset) it is kept: once the BMC is back, a session
 * it still knows goes on, and one it refuses is replaced, its journal entry removed when the
 * new session finds it gone (404).
 *
 * How: probes, each bounded by what is left of the wait, with a back-off from
 * HF_BMC_POLL_FIRST_MS doubling to HF_BMC_POLL_MAX_MS between them.  While the BMC is up, the
 * probe asks for the client's own session (a 401 or 404: the reset happened between two
 * probes) or, without a session, the service root; a connection that fails or an answer of
 * 5xx (hostfishd's 503 during the BMC's outage) means gone.  Gone, the probe is an
 * unauthenticated GET of the service root over a new connection (https, hostif: connect
 * again; chif: a new channel, since every channel opened before the reset answers ENODEV);
 * any answer below 500 means back.  Back, GET manager (NULL: the Managers collection's first
 * member) with the client's credentials, until it answers 2xx.
 *
 * timeout_s bounds the whole wait (<= 0: HF_BMC_WAIT_DEFAULT_S; at most HF_BMC_WAIT_MAX_S).
 * progress (may be NULL) is called after each probe with phase "reset" (until the BMC is back)
 * or "reconnect" (back: logging in, reading the manager), the seconds waited and timeout_s; a
 * nonzero return cancels (-ECANCELED).  hf_client_interrupt() stops it
 * (-EINTR).  The caller has called hf_client_begin() (HF_OPERATION), so that one interrupt
 * stops the operation as a whole.
 *
 * Returns 0 with *info filled (may be NULL), -ETIMEDOUT (the error says whether the BMC
 * never went away, never came back, or came back without answering), -EINTR, -ECANCELED,
 * -EACCES (back, but the credentials are refused), or a request error.
 */
int hf_bmc_wait_back(hf_client *c, long timeout_s, const char *manager, unsigned flags,
		     hf_progress_fn progress, void *userdata, struct hf_bmc_back *info);

#endif /* HOSTFISH_BMC_PRIVATE_H */
