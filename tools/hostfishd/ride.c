/* SPDX-License-Identifier: MIT */
/*
 * ride.c - riding through the BMC's resets.  A BMC that answered before and now cannot be
 * reached (connection refused, no route, no device: an iLO resetting itself after a firmware
 * flash or a certificate import, or reset on purpose) puts the agent in the "resetting" state:
 * from then on every client request is answered at once with 503 and Retry-After, without
 * touching the BMC, while one thread of its own (the rider) waits for the BMC with
 * hf_bmc_wait(): probes with a bounded back-off, a new connection (or CHIF channel) each, then
 * "reconnecting": the session is kept if the BMC still knows it, else a new one is logged in
 * (the old one's journal entry removed once the BMC confirms it gone), and the manager is
 * read.  Then requests are forwarded again.  GET /hostfishd/status says "bmc_state": "ok",
 * "resetting" or "reconnecting", and "bmc_outages" counts the outages ridden through.
 *
 * A BMC that never answered since the agent started is not "resetting": its requests keep
 * failing with 502 (unreachable), as before.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "agent.h"

#define RIDE_RETRY_AFTER "Retry-After: 5\r\n" /* seconds: an iLO is gone for a minute or more */
#define RIDE_ROUND_S 60 /* one hf_bmc_wait(); the rider goes on until the BMC is back or the
			 * agent stops */

static const char *const state_names[] = { "ok", "resetting", "reconnecting" };

const char *ride_state_name(struct agent *a)
{
	int s = __atomic_load_n(&a->bmc_state, __ATOMIC_ACQUIRE);

	return s >= 0 && s < BMC_STATES ? state_names[s] : "unknown";
}

void ride_answered(struct agent *a)
{
	__atomic_store_n(&a->bmc_seen, 1, __ATOMIC_RELEASE);
}

void ride_send(struct conn *c)
{
	struct agent *a = c->agent;
	const char *state = ride_state_name(a);

	http_send_error(c, 503, "ServiceTemporarilyUnavailable", RIDE_RETRY_AFTER, true,
			"the BMC is %s (hostfishd reconnects by itself): retry later",
			strcmp(state, "ok") == 0 ? "back" : state);
}

bool ride_refuse(struct conn *c, const struct http_request *unread)
{
	if (__atomic_load_n(&c->agent->bmc_state, __ATOMIC_ACQUIRE) == BMC_OK)
		return false;
	if (unread && unread->content_length)
		c->close = true; /* its body was never asked for */
	ride_send(c);
	return true;
}

/* hf_progress_fn of the rider: "reconnect" once the BMC answers; stop when the agent does. */
static int rider_progress(void *userdata, const char *phase, double done, double total)
{
	struct agent *a = userdata;

	(void)done;
	(void)total;
	if (strcmp(phase, "reconnect") == 0 &&
	    __atomic_exchange_n(&a->bmc_state, BMC_RECONNECTING, __ATOMIC_ACQ_REL) !=
		    BMC_RECONNECTING)
		agent_log(ALOG_NOTICE, "the BMC answers again: reconnecting");
	return __atomic_load_n(&a->stopping, __ATOMIC_RELAXED) ? 1 : 0;
}

static void *rider_main(void *p)
{
	struct agent *a = p;
	int64_t t0 = now_ms();
	int r;

	while (!__atomic_load_n(&a->stopping, __ATOMIC_RELAXED)) {
		r = hf_bmc_wait(a->client, RIDE_ROUND_S, HF_BMC_WAIT_GONE, rider_progress, a);
		if (r == 0) {
			agent_log(ALOG_NOTICE, "the BMC is back after %lld ms: forwarding requests "
					       "again",
				  (long long)(now_ms() - t0));
			__atomic_store_n(&a->bmc_state, BMC_OK, __ATOMIC_RELEASE);
			return NULL;
		}
		if (r == -ECANCELED || r == -EINTR)
			break;
		agent_log(ALOG_WARN, "the BMC is still away: %s; waiting on",
			  hf_client_last_error(a->client)->message);
		__atomic_store_n(&a->bmc_state, BMC_RESETTING, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Is this failure the BMC being gone (rather than one request going wrong)? */
static bool bmc_gone(int r)
{
	return r == -ECONNREFUSED || r == -EHOSTUNREACH || r == -ENETUNREACH || r == -ENODEV ||
	       r == -ENETDOWN || r == -ENXIO || r == -EADDRNOTAVAIL;
}

bool ride_failed(struct agent *a, int r)
{
	int expected = BMC_OK;

	if (!bmc_gone(r) || !__atomic_load_n(&a->bmc_seen, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&a->stopping, __ATOMIC_RELAXED))
		return false;
	if (__atomic_compare_exchange_n(&a->bmc_state, &expected, BMC_RESETTING, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		agent_log(ALOG_NOTICE, "the BMC cannot be reached (%s): riding through its reset",
			  hf_client_last_error(a->client)->message);
		__atomic_add_fetch(&a->bmc_outages, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&a->ride_lock);
		if (a->rider_started)
			pthread_join(a->rider, NULL); /* the last one ended: it set BMC_OK */
		a->rider_started = pthread_create(&a->rider, NULL, rider_main, a) == 0;
		pthread_mutex_unlock(&a->ride_lock);
		if (!a->rider_started) {
			agent_log(ALOG_ERR, "cannot start the thread that waits for the BMC");
			__atomic_store_n(&a->bmc_state, BMC_OK, __ATOMIC_RELEASE);
		}
	}
	return true;
}

void ride_stop(struct agent *a)
{
	pthread_mutex_lock(&a->ride_lock);
	if (a->rider_started)
		pthread_join(a->rider, NULL);
	a->rider_started = false;
	pthread_mutex_unlock(&a->ride_lock);
}
