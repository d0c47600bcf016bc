/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - GET /metrics: the BMC's health and readings (hf_metrics(), the library's text,
 * the same as "hostfish metrics") and the agent's own state, in the Prometheus text
 * exposition format, on the agent's socket and, with --metrics-listen, on a TCP address.
 *
 * The BMC part comes from a cache refreshed at most once per --metrics-interval: the first
 * scrape after the interval runs the refresh (one at a time: the others meanwhile get the
 * previous text at once, or wait for the first one when there is none yet), so any number of
 * scrapes cost the BMC at most one read of its inventory per interval.  The refresh passes the
 * gate like any forwarded request (one connection of --max-connections).
 *
 * Who may read it: on the socket, whoever may GET (full and read-only access, authz.c).  On
 * TCP there are no peer credentials: anyone who can connect may read /metrics, and nothing
 * else is served there (no Redfish, no status).  That is every local user for a loopback
 * address, hence loopback only unless --metrics-allow-remote says otherwise; the metrics hold
 * models, serial numbers, versions and readings, never a credential.  TCP connections count
 * as one user without full access (at most a quarter of --max-clients together).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

/* request latency buckets, upper bounds in microseconds (Prometheus' default buckets) */
static const int64_t bucket_us[] = { 5000,   10000,   25000,   50000,   100000,  250000,
				     500000, 1000000, 2500000, 5000000, 10000000 };
#define N_BUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

struct agent_metrics {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *bmc_text; /* the last refresh's text, or NULL */
	int64_t refreshed_ms; /* when it was made (now_ms() clock), 0: never */
	bool refreshing;

	/* atomic */
	unsigned long refreshes;
	unsigned long login_failures;
	unsigned long buckets[N_BUCKETS + 1]; /* the last: +Inf */
	unsigned long long sum_us;
	unsigned long count;
};

int64_t metrics_clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int metrics_init(struct agent *a)
{
	pthread_condattr_t attr;

	a->metrics = calloc(1, sizeof(*a->metrics));
	if (!a->metrics)
		return -ENOMEM;
	pthread_mutex_init(&a->metrics->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&a->metrics->cond, &attr);
	pthread_condattr_destroy(&attr);
	return 0;
}

void metrics_destroy(struct agent *a)
{
	if (!a->metrics)
		return;
	free(a->metrics->bmc_text);
	free(a->metrics);
	a->metrics = NULL;
}

void metrics_observe(struct agent *a, int64_t start_us)
{
	struct agent_metrics *m = a->metrics;
	int64_t us = metrics_clock_us() - start_us;
	size_t i;

	if (!m)
		return;
	if (us < 0)
		us = 0;
	for (i = 0; i < N_BUCKETS && us > bucket_us[i]; i++)
		;
	__atomic_add_fetch(&m->buckets[i], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&m->sum_us, (unsigned long long)us, __ATOMIC_RELAXED);
	__atomic_add_fetch(&m->count, 1, __ATOMIC_RELAXED);
}

void metrics_login_failed(struct agent *a)
{
	if (a->metrics)
		__atomic_add_fetch(&a->metrics->login_failures, 1, __ATOMIC_RELAXED);
}

/* ---- the TCP listener ---- */

static bool loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a6) ||
		       (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
	}
	return false;
}

/* "HOST:PORT" or "[HOST]:PORT", numeric only: 0 and *ret (freeaddrinfo()), or -EINVAL. */
static int parse_address(const char *arg, struct addrinfo **ret)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM };
	const char *colon = strrchr(arg, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t len;
	long port;

	if (!colon || !tools_parse_long(colon + 1, 1, 65535, &port))
		return -EINVAL;
	len = (size_t)(colon - arg);
	if (len >= 2 && arg[0] == '[' && arg[len - 1] == ']') {
		arg++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(host))
		return -EINVAL;
	memcpy(host, arg, len);
	host[len] = '\0';
	return getaddrinfo(host, colon + 1, &hints, ret) == 0 ? 0 : -EINVAL;
}

int metrics_check_listen(const struct agent_config *cfg)
{
	struct addrinfo *ai = NULL;
	bool lo;

	if (!cfg->metrics_listen)
		return 0;
	if (parse_address(cfg->metrics_listen, &ai) < 0) {
		agent_log(ALOG_ERR, "--metrics-listen: expected ADDRESS:PORT with a numeric "
				    "address (127.0.0.1:9101, [::1]:9101), not %s",
			  cfg->metrics_listen);
		return -EINVAL;
	}
	lo = loopback(ai->ai_addr);
	freeaddrinfo(ai);
	if (!lo && !cfg->metrics_allow_remote) {
		agent_log(ALOG_ERR, "--metrics-listen %s is not a loopback address: anyone who "
				    "can reach it reads the metrics; add --metrics-allow-remote to "
				    "mean it",
			  cfg->metrics_listen);
		return -EPERM;
	}
	return 0;
}

int metrics_listen(struct agent *a)
{
	struct addrinfo *ai = NULL;
	int fd, one = 1, r;

	a->metrics_fd = -1;
	if (!a->cfg.metrics_listen)
		return 0;
	if (parse_address(a->cfg.metrics_listen, &ai) < 0)
		return -EINVAL; /* checked before */
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		close(fd);
		goto out;
	}
	a->metrics_fd = fd;
	agent_log(ALOG_NOTICE, "serving /metrics on tcp %s%s", a->cfg.metrics_listen,
		  loopback(ai->ai_addr) ? "" : " (not loopback: --metrics-allow-remote)");
	r = 0;
out:
	if (r < 0)
		agent_log(ALOG_ERR, "cannot listen on %s: %s", a->cfg.metrics_listen, strerror(-r));
	freeaddrinfo(ai);
	return r;
}

/* ---- the BMC part, cached ---- */

/* Read the BMC through the gate; the new text (to free) or NULL. */
static char *refresh(struct agent *a)
{
	char *text = NULL;
	int r;

	if (gate_reserve(&a->gate) < 0)
		return NULL;
	if (gate_acquire(&a->gate, now_ms() + a->cfg.timeout_ms) < 0)
		return NULL;
	r = hf_metrics(a->client, 0, &text);
	if (r > 0 && hf_client_last_error(a->client)->kind == HF_ERROR_AUTH)
		metrics_login_failed(a);
	if (r > 0)
		agent_log(ALOG_WARN, "metrics: the BMC could not be read: %s",
			  hf_client_last_error(a->client)->message);
	gate_release(&a->gate, a->client);
	__atomic_add_fetch(&a->metrics->refreshes, 1, __ATOMIC_RELAXED);
	return r >= 0 ? text : NULL;
}

/* A copy of the BMC text, refreshed first when it is older than the interval (by this thread
 * when no other is at it).  NULL when there is none (to free otherwise). */
static char *bmc_text(struct agent *a)
{
	struct agent_metrics *m = a->metrics;
	int64_t deadline = now_ms() + a->cfg.timeout_ms;
	char *text, *copy;
	bool stale;

	pthread_mutex_lock(&m->lock);
	stale = !m->refreshed_ms || now_ms() - m->refreshed_ms >= a->cfg.metrics_interval_ms;
	if (stale && !m->refreshing && !__atomic_load_n(&a->stopping, __ATOMIC_RELAXED)) {
		m->refreshing = true;
		pthread_mutex_unlock(&m->lock);
		text = refresh(a);
		pthread_mutex_lock(&m->lock);
		if (text) {
			free(m->bmc_text);
			m->bmc_text = text;
		}
		m->refreshed_ms = now_ms(); /* failed too: not again before the interval */
		m->refreshing = false;
		pthread_cond_broadcast(&m->cond);
	}
	/* nothing yet: wait for the refresh in flight (the first scrapes after the start) */
	while (!m->bmc_text && m->refreshing && now_ms() < deadline) {
		struct timespec ts = { .tv_sec = deadline / 1000,
				       .tv_nsec = (long)(deadline % 1000) * 1000000 };

		pthread_cond_timedwait(&m->cond, &m->lock, &ts);
	}
	copy = m->bmc_text ? strdup(m->bmc_text) : NULL;
	pthread_mutex_unlock(&m->lock);
	return copy;
}

/* ---- the agent's own part ---- */

static void family(struct obuf *b, const char *name, const char *type, const char *help)
{
	obuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram(struct obuf *b, struct agent_metrics *m)
{
	const char *name = "hostfishd_bmc_request_duration_seconds";
	unsigned long cum = 0;
	size_t i;

	family(b, name, "histogram", "Time forwarded requests spent on the BMC.");
	for (i = 0; i <= N_BUCKETS; i++) {
		cum += __atomic_load_n(&m->buckets[i], __ATOMIC_RELAXED);
		if (i < N_BUCKETS)
			obuf_printf(b, "%s_bucket{le=\"%g\"} %lu\n", name,
				    (double)bucket_us[i] / 1e6, cum);
		else
			obuf_printf(b, "%s_bucket{le=\"+Inf\"} %lu\n", name, cum);
	}
	obuf_printf(b, "%s_sum %.6f\n%s_count %lu\n", name,
		    (double)__atomic_load_n(&m->sum_us, __ATOMIC_RELAXED) / 1e6, name,
		    __atomic_load_n(&m->count, __ATOMIC_RELAXED));
}

static void own_metrics(struct agent *a, struct obuf *b)
{
	struct agent_metrics *m = a->metrics;
	char uri[512];
	int in_use, queued, clients;
	bool active;
	int64_t age;

	gate_snapshot(&a->gate, a->client, &in_use, &queued, &active, uri, sizeof(uri));
	pthread_mutex_lock(&a->clients_lock);
	clients = a->clients;
	pthread_mutex_unlock(&a->clients_lock);
	pthread_mutex_lock(&m->lock);
	age = m->refreshed_ms ? now_ms() - m->refreshed_ms : -1;
	pthread_mutex_unlock(&m->lock);

	family(b, "hostfishd_sessions", "gauge", "BMC sessions the agent holds (0 or 1).");
	obuf_printf(b, "hostfishd_sessions %d\n", active ? 1 : 0);
	family(b, "hostfishd_bmc_login_failures_total", "counter",
	       "Requests and metrics refreshes the BMC refused for authentication.");
	obuf_printf(b, "hostfishd_bmc_login_failures_total %lu\n",
		    __atomic_load_n(&m->login_failures, __ATOMIC_RELAXED));
	family(b, "hostfishd_bmc_connections_in_use", "gauge", "BMC connections in use now.");
	obuf_printf(b, "hostfishd_bmc_connections_in_use %d\n", in_use);
	family(b, "hostfishd_bmc_connections_max", "gauge", "--max-connections.");
	obuf_printf(b, "hostfishd_bmc_connections_max %d\n", a->cfg.max_connections);
	family(b, "hostfishd_queue_length", "gauge",
	       "Requests admitted and waiting for a BMC connection.");
	obuf_printf(b, "hostfishd_queue_length %d\n", queued);
	family(b, "hostfishd_clients", "gauge", "Open client connections.");
	obuf_printf(b, "hostfishd_clients %d\n", clients);
	family(b, "hostfishd_requests_total", "counter", "Requests received from clients.");
	obuf_printf(b, "hostfishd_requests_total %lu\n",
		    __atomic_load_n(&a->counters.requests, __ATOMIC_RELAXED));
	family(b, "hostfishd_requests_failed_total", "counter",
	       "Requests answered with an error, by reason.");
	obuf_printf(b, "hostfishd_requests_failed_total{reason=\"malformed\"} %lu\n",
		    __atomic_load_n(&a->counters.errors, __ATOMIC_RELAXED));
	obuf_printf(b, "hostfishd_requests_failed_total{reason=\"rejected\"} %lu\n",
		    __atomic_load_n(&a->counters.rejected, __ATOMIC_RELAXED));
	obuf_printf(b, "hostfishd_requests_failed_total{reason=\"bmc\"} %lu\n",
		    __atomic_load_n(&a->counters.bmc_errors, __ATOMIC_RELAXED));
	histogram(b, m);
	family(b, "hostfishd_metrics_refreshes_total", "counter",
	       "Reads of the BMC for these metrics (at most one per --metrics-interval).");
	obuf_printf(b, "hostfishd_metrics_refreshes_total %lu\n",
		    __atomic_load_n(&m->refreshes, __ATOMIC_RELAXED));
	family(b, "hostfishd_metrics_age_seconds", "gauge",
	       "Age of the BMC metrics above (-1: not read yet).");
	obuf_printf(b, "hostfishd_metrics_age_seconds %.3f\n",
		    age < 0 ? -1.0 : (double)age / 1000.0);
	family(b, "hostfishd_start_time_seconds", "gauge", "When the agent started (Unix time).");
	obuf_printf(b, "hostfishd_start_time_seconds %lld\n", (long long)a->start_wall);
}

void metrics_respond(struct conn *c, const struct http_request *req)
{
	struct agent *a = c->agent;
	struct obuf b = { .max = (size_t)64 << 20 };
	char *text = bmc_text(a);

	if (text)
		obuf_add(&b, text, strlen(text));
	free(text);
	own_metrics(a, &b);
	if (b.failed) {
		obuf_free(&b);
		http_send_error(c, 503, "ServiceTemporarilyUnavailable", "Retry-After: 1\r\n",
				false, "hostfishd is out of memory");
		return;
	}
	agent_log(ALOG_INFO, "uid %u pid %d: %s %s -> 200", (unsigned)c->uid, (int)c->pid,
		  req->method, METRICS_PATH);
	http_send(c, 200, NULL,
		  "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		  "Cache-Control: no-store\r\n",
		  b.data, (long long)b.len, !c->head);
	obuf_free(&b);
}
