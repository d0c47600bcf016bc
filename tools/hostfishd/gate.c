/* SPDX-License-Identifier: MIT */
/*
 * gate.c - the gate in front of hf_request(): --max-connections requests on the BMC at once,
 * --max-queue more admitted, first come first served; the rest are refused at once (503).
 *
 * The library would block a thread that finds all of its connections busy, but it does not
 * say how many wait; the agent must bound and report that number, so it counts for itself:
 * with the gate as wide as hf_options.max_connections, the library never blocks (one request
 * uses one connection at a time, its login or re-login included).
 *
 *   gate_reserve()   admission, before the body is read: in_use + queued < max + max_queue
 *   gate_acquire()   with the body read: a connection now, or a place in the FIFO until one
 *                    is handed over by gate_release(), or the deadline (--timeout)
 *   gate_release()   hands the connection to the first waiter, else frees it
 *
 * The queue length therefore counts the requests that are admitted but not yet on a
 * connection, including those whose body is still arriving: the memory of request bodies is
 * bounded by (max + max_queue) * --max-body, and by --max-body-total (bodies.c, charged
 * before a place here is asked for).
 *
 * hf_client_session() returns pointers that a re-login in another thread frees; the gate
 * reads it only while no request is in hf_request() (in_use == 0, under the gate's lock), and
 * keeps a copy for /hostfishd/status: the session as of the last quiet moment.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"

struct gate_waiter {
	struct gate_waiter *next;
	pthread_cond_t cond;
	bool granted;
};

void gate_init(struct gate *g, int max, int max_queue)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	g->max = max;
	g->max_queue = max_queue;
}

void gate_destroy(struct gate *g)
{
	pthread_mutex_destroy(&g->lock);
}

int gate_reserve(struct gate *g)
{
	int r = 0;

	pthread_mutex_lock(&g->lock);
	if (g->aborting)
		r = -ECANCELED;
	else if (g->in_use + g->queued >= g->max + g->max_queue)
		r = -EBUSY;
	else
		g->queued++;
	pthread_mutex_unlock(&g->lock);
	return r;
}

void gate_cancel(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->queued--;
	pthread_mutex_unlock(&g->lock);
}

static void unlink_waiter(struct gate *g, struct gate_waiter *w)
{
	struct gate_waiter **pp, *prev = NULL;

	for (pp = &g->head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			if (g->tail == w)
				g->tail = prev;
			return;
		}
	}
}

/* With g->lock held and a reservation counted in g->queued. */
static int acquire_locked(struct gate *g, int64_t deadline, bool internal)
{
	struct gate_waiter w = { .next = NULL, .granted = false };
	pthread_condattr_t attr;
	int r = 0;

	if (g->aborting && !internal) {
		g->queued--;
		return -ECANCELED;
	}
	if (!g->head && g->in_use < g->max) {
		g->in_use++;
		g->queued--;
		return 0;
	}
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cond, &attr);
	pthread_condattr_destroy(&attr);
	/* w lives on this stack frame and is always unlinked before the function returns:
	 * by the thread that grants it the slot, or by unlink_waiter() below */
	if (g->tail)
		g->tail->next = &w;
	else
		/* cppcheck-suppress autoVariables */
		g->head = &w;
	/* cppcheck-suppress autoVariables */
	g->tail = &w;

	while (!w.granted && (internal || !g->aborting)) {
		struct timespec ts = { .tv_sec = deadline / 1000,
				       .tv_nsec = (long)(deadline % 1000) * 1000000 };

		if (pthread_cond_timedwait(&w.cond, &g->lock, &ts) == ETIMEDOUT && !w.granted)
			break;
	}
	if (!w.granted) {
		/* the slot was not handed over: leave the queue */
		unlink_waiter(g, &w);
		g->queued--;
		r = g->aborting && !internal ? -ECANCELED : -ETIMEDOUT;
	}
	pthread_cond_destroy(&w.cond);
	return r;
}

int gate_acquire(struct gate *g, int64_t deadline)
{
	int r;

	pthread_mutex_lock(&g->lock);
	r = acquire_locked(g, deadline, false);
	pthread_mutex_unlock(&g->lock);
	return r;
}

int gate_acquire_now(struct gate *g, int64_t deadline)
{
	int r;

	pthread_mutex_lock(&g->lock);
	g->queued++;
	r = acquire_locked(g, deadline, true);
	pthread_mutex_unlock(&g->lock);
	return r;
}

/* With g->lock held and nothing in hf_request(). */
static void refresh_session(struct gate *g, hf_client *client)
{
	const char *uri = NULL;

	g->session_active = client && hf_client_session(client, NULL, &uri) == 0;
	if (g->session_active && uri)
		snprintf(g->session_uri, sizeof(g->session_uri), "%s", uri);
	else
		g->session_uri[0] = '\0';
}

void gate_release(struct gate *g, hf_client *client)
{
	struct gate_waiter *w;

	pthread_mutex_lock(&g->lock);
	w = g->head;
	if (w) {
		/* hand the connection over: in_use stays */
		g->head = w->next;
		if (!g->head)
			g->tail = NULL;
		w->granted = true;
		g->queued--;
		pthread_cond_signal(&w->cond);
	} else {
		g->in_use--;
		if (g->in_use == 0)
			refresh_session(g, client);
	}
	pthread_mutex_unlock(&g->lock);
}

/* Stopping past the drain bound: every waiter gives up, nobody is admitted any more. */
void gate_abort(struct gate *g)
{
	struct gate_waiter *w;

	pthread_mutex_lock(&g->lock);
	g->aborting = true;
	for (w = g->head; w; w = w->next)
		pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&g->lock);
}

void gate_snapshot(struct gate *g, hf_client *client, int *in_use, int *queued, bool *active,
		   char *uri, size_t urilen)
{
	pthread_mutex_lock(&g->lock);
	if (g->in_use == 0)
		refresh_session(g, client);
	*in_use = g->in_use;
	*queued = g->queued;
	*active = g->session_active;
	snprintf(uri, urilen, "%s", g->session_uri);
	pthread_mutex_unlock(&g->lock);
}
