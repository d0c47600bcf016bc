/* SPDX-License-Identifier: MIT */
/*
 * pool.c - a client's connections to the BMC: at most max_conns, each holding one of the
 * host's slots (slots.c) while it is open, reused between requests, and closed by the reaper
 * once idle for idle_ms so that the slot goes back to the host's other processes.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client-private.h"

/*
 * The reaper: a thread of the client's own that closes every connection left idle for
 * c->idle_ms and gives its host-wide slot back, so that a client at rest (a daemon between
 * requests, a program between phases) does not keep the BMC's eight connections from the
 * host's other processes.  It sleeps until the next idle deadline; it is started with the
 * first connection given back and stopped by hf_client_free().
 */
static void *reaper_main(void *p)
{
	hf_client *c = p;

	pthread_mutex_lock(&c->lock);
	while (!c->reaper_stop) {
		void *conns[HF_MAX_CONNECTIONS];
		int fds[HF_MAX_CONNECTIONS], n = 0, i;
		int64_t now = hf_now_ms(), next = -1;

		for (i = 0; i < c->max_conns; i++) {
			int64_t due = c->idle_since[i] + c->idle_ms;

			if (!c->conn_open[i] || c->conn_busy[i])
				continue;
			if (due > now) {
				next = next < 0 || due < next ? due : next;
				continue;
			}
			/* taken out of the pool under the lock: nobody can pick it any more */
			conns[n] = c->conns[i];
			fds[n++] = c->slot_fd[i];
			c->conns[i] = NULL;
			c->conn_open[i] = false;
			c->slot_fd[i] = -1;
		}
		if (n) {
			pthread_mutex_unlock(&c->lock);
			hf_log_debug(&c->log, "closing %d idle connection%s", n, n == 1 ? "" : "s");
			for (i = 0; i < n; i++) {
				hf_transport_conn_close(&c->transport, conns[i]);
				hf_slots_release(fds[i]); /* after the close, as in hf_pool_release */
			}
			pthread_mutex_lock(&c->lock);
			pthread_cond_broadcast(&c->conn_free);
			continue;
		}
		if (next < 0) {
			pthread_cond_wait(&c->reaper_cond, &c->lock);
		} else {
			struct timespec ts = { .tv_sec = (time_t)(next / 1000),
					       .tv_nsec = (long)(next % 1000) * 1000000 };

			pthread_cond_timedwait(&c->reaper_cond, &c->lock, &ts);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* c->lock held.  Signals stay with the caller's threads (a CLI's SIGINT handler). */
static void reaper_wake(hf_client *c)
{
	sigset_t all, old;

	if (c->idle_ms < 0)
		return;
	if (!c->reaper_started) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		c->reaper_started = pthread_create(&c->reaper, NULL, reaper_main, c) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!c->reaper_started)
			hf_log_warning(&c->log, "cannot start the thread that closes idle "
						"connections: they stay open until the client is freed");
	}
	pthread_cond_signal(&c->reaper_cond);
}

void hf_pool_stop_reaper(hf_client *c)
{
	pthread_mutex_lock(&c->lock);
	c->reaper_stop = true;
	pthread_cond_signal(&c->reaper_cond);
	pthread_mutex_unlock(&c->lock);
	if (c->reaper_started)
		pthread_join(c->reaper, NULL);
	c->reaper_started = false;
}

/*
 * Wait for one of the client's connections to be given back (c->lock held): until DEADLINE
 * (hf_now_ms() time; <= 0: none), and in steps of at most 50 ms so that an interrupt is seen
 * even when nobody signals.  0, -ETIMEDOUT or -EINTR.
 */
static int wait_conn_free(hf_client *c, int64_t deadline, int interrupts_seen, bool *said)
{
	struct timespec ts;
	int64_t now = hf_now_ms(), until = now + 50;

	if (__atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != interrupts_seen)
		return -EINTR;
	if (deadline > 0 && now >= deadline)
		return -ETIMEDOUT;
	if (deadline > 0 && deadline < until)
		until = deadline;
	if (!*said) {
		/* the caller's log callback is never called with a lock held: look again after */
		pthread_mutex_unlock(&c->lock);
		hf_log_debug(&c->log, "waiting for one of this client's %d connections", c->max_conns);
		*said = true;
		pthread_mutex_lock(&c->lock);
		return 0;
	}
	/* conn_free uses CLOCK_MONOTONIC (client.c), the clock of hf_now_ms() */
	ts.tv_sec = (time_t)(until / 1000);
	ts.tv_nsec = (long)(until % 1000) * 1000000;
	pthread_cond_timedwait(&c->conn_free, &c->lock, &ts);
	return 0;
}

int hf_pool_acquire(hf_client *c, int *slot, int64_t deadline, int interrupts_seen,
		    char *errbuf, size_t errlen)
{
	bool said = false;
	int i, r, fd = -1;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		for (i = 0; i < c->max_conns; i++)
			if (c->conn_open[i] && !c->conn_busy[i])
				goto got;
		for (i = 0; i < c->max_conns; i++)
			if (!c->conn_open[i])
				goto open;
		r = wait_conn_free(c, deadline, interrupts_seen, &said);
		if (r < 0) {
			pthread_mutex_unlock(&c->lock);
			snprintf(errbuf, errlen,
				 r == -EINTR ? "interrupted while waiting for one of this client's "
					       "%d connections"
					     : "all %d connections of this client stayed in use until "
					       "the request's deadline",
				 c->max_conns);
			return r;
		}
	}
open:
	/* reserve the pool entry; take the host-wide slot and open outside the lock */
	c->conn_busy[i] = true;
	c->conn_open[i] = true;
	pthread_mutex_unlock(&c->lock);
	r = hf_slots_acquire(&c->slots, &c->interrupts, interrupts_seen, &fd);
	if (r == -EBUSY)
		snprintf(errbuf, errlen,
			 "all %d connections of this host to the BMC stayed in use for %ld s",
			 HF_MAX_CONNECTIONS, c->slots.wait_ms / 1000);
	else if (r == -EINTR)
		snprintf(errbuf, errlen, "interrupted while waiting for a connection slot");
	else if (r < 0)
		snprintf(errbuf, errlen, "cannot take a connection slot: %s", strerror(-r));
	if (r == 0) {
		r = hf_transport_conn_open(&c->transport, &c->conns[i], errbuf, errlen);
		if (r < 0)
			hf_slots_release(fd);
		else
			c->slot_fd[i] = fd;
	}
	if (r < 0) {
		pthread_mutex_lock(&c->lock);
		c->conn_busy[i] = false;
		c->conn_open[i] = false;
		pthread_cond_signal(&c->conn_free);
		pthread_mutex_unlock(&c->lock);
		return r;
	}
	*slot = i;
	return 0;
got:
	c->conn_busy[i] = true;
	pthread_mutex_unlock(&c->lock);
	*slot = i;
	return 0;
}

/* broken = the connection's state is unknown: close it rather than reuse it */
void hf_pool_release(hf_client *c, int slot, bool broken)
{
	void *conn = NULL;
	int fd = -1;

	pthread_mutex_lock(&c->lock);
	if (broken) {
		conn = c->conns[slot];
		c->conns[slot] = NULL;
		c->conn_open[slot] = false;
		fd = c->slot_fd[slot];
		c->slot_fd[slot] = -1;
	}
	c->conn_busy[slot] = false;
	if (!broken) {
		c->idle_since[slot] = hf_now_ms();
		reaper_wake(c);
	}
	pthread_cond_signal(&c->conn_free);
	pthread_mutex_unlock(&c->lock);
	if (conn)
		hf_transport_conn_close(&c->transport, conn);
	hf_slots_release(fd); /* after the close: the slot covers the connection's whole life */
}

