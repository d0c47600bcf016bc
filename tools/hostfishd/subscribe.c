/* SPDX-License-Identifier: MIT */
/*
 * subscribe.c - --subscribe: for BMCs that push events rather than stream them, an
 * EventService subscription whose Destination is this agent.
 *
 * At start the receiving socket is opened on the address the BMC reaches the host at (the
 * host's address on the host-interface vNIC, or loopback for a BMC on loopback; or
 * --subscribe-listen) with a certificate made for that address (subscribe-tls.c).  A thread
 * then waits for the BMC, deletes the subscriptions earlier runs left behind (killed, host
 * rebooted: hf_client_prune_subscriptions(), from the journal in $HOSTFISH_STATE_DIR) and
 * subscribes (hf_subscription_create(): journaled before the POST).  The Destination's path
 * holds 128 random bits and every delivery must carry the subscription's Context: anything
 * else is refused.  Each event received goes
 *   - to the system journal (sd_journal_send: MESSAGE_ID below, HOSTFISH_BMC,
 *     HOSTFISH_EVENT_TYPE, HOSTFISH_EVENT_ID, HOSTFISH_REDFISH_MESSAGE_ID, HOSTFISH_SEVERITY,
 *     HOSTFISH_ORIGIN; the priority from the severity), and
 *   - as one JSON line {"bmc", "received", "context", "event"} to
 *     $HOSTFISH_RUNTIME_DIR/events.jsonl (0600; at 1 MiB it becomes events.jsonl.1), where
 *     other programs can follow them.
 * At stop the subscription is deleted before the session is logged out.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-journal.h>

#include "agent.h"
#include "subscribe.h"

#define MESSAGE_ID_EVENT "5b1f0e1cf6d94a8f9e0f3a51c2a7d4e6" /* a BMC event (journalctl) */
#define SPOOL_NAME	 "events.jsonl"
#define SPOOL_MAX	 (1L << 20)
#define RETRY_MS	 5000 /* between attempts to subscribe while the BMC cannot be reached */
#define MAX_FILTER	 16

struct subscriber {
	struct agent *a;
	SSL_CTX *tls;
	int fd;
	char addr[64];
	unsigned port;
	char path[64]; /* /hostfishd/events/<32 hex> */
	char destination[160];
	char spool[4200];
	char *filter_buf;
	const char *filter[MAX_FILTER + 1];
	pthread_mutex_t lock; /* sub, context */
	hf_subscription *sub;
	char context[64];
	pthread_t thread;
	bool have_thread;
};

static bool stopping(struct agent *a)
{
	return __atomic_load_n(&a->stopping, __ATOMIC_RELAXED);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Append one line to the spool, rotating it first when it is full. */
static void spool(struct subscriber *s, const char *line)
{
	struct stat st;
	char old[4300];
	int fd;

	if (stat(s->spool, &st) == 0 && st.st_size >= SPOOL_MAX) {
		snprintf(old, sizeof(old), "%s.1", s->spool);
		rename(s->spool, old);
	}
	fd = open(s->spool, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0)
		agent_log(ALOG_WARN, "cannot write an event to %s: %s", s->spool, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void deliver(struct subscriber *s, const char *context, struct json_object *rec)
{
	struct json_object *line = json_object_new_object(), *origin;
	const char *bmc = hf_client_endpoint(s->a->client);
	const char *sev = jstr(rec, "Severity") ?: "";
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	int r;

	json_object_object_get_ex(rec, "OriginOfCondition", &origin);
	r = sd_journal_send(
	    "MESSAGE=%s", jstr(rec, "Message") ?: "(BMC event without a message)", "MESSAGE_ID=%s",
	    MESSAGE_ID_EVENT, "PRIORITY=%d", logfwd_priority(NULL, sev),
	    "SYSLOG_IDENTIFIER=hostfishd", "HOSTFISH_BMC=%s", bmc, "HOSTFISH_EVENT_TYPE=%s",
	    jstr(rec, "EventType") ?: "", "HOSTFISH_EVENT_ID=%s", jstr(rec, "EventId") ?: "",
	    "HOSTFISH_REDFISH_MESSAGE_ID=%s", jstr(rec, "MessageId") ?: "", "HOSTFISH_SEVERITY=%s",
	    sev, "HOSTFISH_ORIGIN=%s", jstr(origin, "@odata.id") ?: "", NULL);
	if (r < 0)
		agent_log(ALOG_WARN, "cannot send a BMC event to the journal: %s", strerror(-r));
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(line, "bmc", json_object_new_string(bmc));
	json_object_object_add(line, "received", json_object_new_string(when));
	json_object_object_add(line, "context", json_object_new_string(context));
	json_object_object_add(line, "event", json_object_get(rec));
	spool(s, json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(line);
	agent_log(ALOG_INFO, "BMC event %s %s (%s)", jstr(rec, "EventId") ?: "-",
		  jstr(rec, "MessageId") ?: "-", jstr(rec, "EventType") ?: "-");
}

/* A delivery (sub_event_fn): only for our subscription's Context. */
static int on_delivery(void *userdata, const char *body, size_t len)
{
	struct subscriber *s = userdata;
	struct json_tokener *tok = json_tokener_new();
	struct json_object *ev = tok ? json_tokener_parse_ex(tok, body, (int)len) : NULL, *list;
	char context[64] = "";
	size_t i, n;
	int status = 204;

	json_tokener_free(tok);
	pthread_mutex_lock(&s->lock);
	if (s->sub)
		snprintf(context, sizeof(context), "%s", s->context);
	pthread_mutex_unlock(&s->lock);
	if (!json_object_is_type(ev, json_type_object) ||
	    !json_object_object_get_ex(ev, "Events", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		status = 400;
	} else if (!*context || strcmp(jstr(ev, "Context") ?: "", context) != 0) {
		agent_log(ALOG_WARN, "an event delivery without our subscription's Context was "
				     "refused");
		status = 403;
	} else {
		n = json_object_array_length(list);
		for (i = 0; i < n && i < 1000; i++)
			deliver(s, context, json_object_array_get_idx(list, i));
	}
	json_object_put(ev);
	return status;
}

/* Prune what earlier runs left, then subscribe: 0, 1 (give up: logged), or -1 (try again). */
static int make_subscription(struct subscriber *s)
{
	struct agent *a = s->a;
	hf_subscription *sub = NULL;
	unsigned deleted = 0;
	int r;

	r = hf_client_prune_subscriptions(a->client, &deleted);
	if (deleted)
		agent_log(ALOG_NOTICE, "deleted %u subscription%s an earlier run left on the BMC",
			  deleted, deleted == 1 ? "" : "s");
	if (r < 0)
		agent_log(ALOG_WARN, "an earlier run's subscription could not be deleted: %s",
			  hf_client_last_error(a->client)->message);
	r = hf_subscription_create(a->client, s->destination, s->filter[0] ? s->filter : NULL,
				   &sub);
	if (r < 0) {
		const hf_error *e = hf_client_last_error(a->client);

		agent_log(ALOG_ERR, "cannot subscribe to the BMC's events: %s", e->message);
		return e->kind == HF_ERROR_TRANSPORT || e->kind == HF_ERROR_TIMEOUT ||
			       e->kind == HF_ERROR_HTTP_SERVER
			   ? -1
			   : 1;
	}
	pthread_mutex_lock(&s->lock);
	s->sub = sub;
	snprintf(s->context, sizeof(s->context), "%s", hf_subscription_context(sub));
	pthread_mutex_unlock(&s->lock);
	agent_log(ALOG_NOTICE, "subscribed to the BMC's events: %s, delivered to %s:%u",
		  hf_subscription_uri(sub), s->addr, s->port);
	return 0;
}

/* false when the agent stopped during the wait */
static bool pause_ms(struct agent *a, int ms)
{
	struct pollfd p = {.fd = a->stop_fd, .events = POLLIN};

	return poll(&p, 1, ms) == 0 && !stopping(a);
}

static void *subscriber_thread(void *arg)
{
	struct subscriber *s = arg;
	struct agent *a = s->a;
	int r = -1;

	while (!stopping(a)) {
		if (gate_acquire_now(&a->gate, now_ms() + a->cfg.timeout_ms) == 0) {
			r = stopping(a) ? 1 : make_subscription(s);
			gate_release(&a->gate, a->client);
		}
		if (r >= 0 || !pause_ms(a, RETRY_MS))
			break;
	}
	while (!stopping(a)) {
		struct pollfd p[2] = {{.fd = s->fd, .events = POLLIN},
				      {.fd = a->stop_fd, .events = POLLIN}};
		int c;

		if (poll(p, 2, -1) < 0 || (p[1].revents & POLLIN))
			continue;
		c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			sub_serve_one(s->tls, c, s->path, on_delivery, s);
	}
	return NULL;
}

/* --subscribe-listen ADDRESS[:PORT] ([v6]:PORT), or the address the BMC is reached from. */
static int listen_address(struct subscriber *s)
{
	const char *spec = s->a->cfg.subscribe_listen, *p, *end;
	char host[256];
	long port = 0;

	if (!spec) {
		/* "https://host:port": the BMC's host */
		p = strstr(hf_client_endpoint(s->a->client), "://");
		if (!p) {
			agent_log(ALOG_ERR,
				  "--subscribe: the BMC (%s) is not reached over the "
				  "network; say where it can reach this host with "
				  "--subscribe-listen ADDRESS",
				  hf_client_endpoint(s->a->client));
			return -1;
		}
		p += 3;
		end = *p == '[' ? strchr(p, ']') : strpbrk(p, ":/");
		if (*p == '[')
			p++;
		snprintf(host, sizeof(host), "%.*s", end ? (int)(end - p) : (int)strlen(p), p);
		return sub_local_address(host, s->addr, sizeof(s->addr));
	}
	p = spec;
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end || (end[1] && end[1] != ':'))
			goto bad;
		snprintf(s->addr, sizeof(s->addr), "%.*s", (int)(end - p - 1), p + 1);
		end++;
	} else {
		end = strrchr(p, ':');
		if (end && strchr(p, ':') != end)
			end = NULL; /* a bare IPv6 address */
		snprintf(s->addr, sizeof(s->addr), "%.*s", end ? (int)(end - p) : (int)strlen(p),
			 p);
	}
	if (end && *end == ':' && !tools_parse_long(end + 1, 1, 65535, &port))
		goto bad;
	s->port = (unsigned)port;
	return 0;
bad:
	agent_log(ALOG_ERR, "--subscribe-listen: expected ADDRESS, ADDRESS:PORT or [ADDRESS]:PORT");
	return -1;
}

static int split_filter(struct subscriber *s)
{
	char *save = NULL, *w;
	size_t n = 0;

	if (!s->a->cfg.subscribe_events)
		return 0;
	s->filter_buf = strdup(s->a->cfg.subscribe_events);
	if (!s->filter_buf)
		return -1;
	for (w = strtok_r(s->filter_buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (n == MAX_FILTER) {
			agent_log(ALOG_ERR, "--subscribe-events: at most %d words", MAX_FILTER);
			return -1;
		}
		s->filter[n++] = w;
	}
	return 0;
}

int subscribe_start(struct agent *a)
{
	struct subscriber *s;
	unsigned char rnd[16];
	char cert[4200];
	size_t i;

	if (!a->cfg.subscribe)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->a = a;
	s->fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	a->subscriber = s;
	if (split_filter(s) < 0 || listen_address(s) < 0 ||
	    getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	strcpy(s->path, "/hostfishd/events/");
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(s->path + 18 + 2 * i, 3, "%02x", rnd[i]);
	snprintf(s->spool, sizeof(s->spool), "%s/" SPOOL_NAME, a->cfg.runtime_dir);
	snprintf(cert, sizeof(cert), "%s/hostfishd-events.pem", a->cfg.runtime_dir);
	s->fd = sub_listen(s->addr, s->port, &s->port);
	if (s->fd < 0)
		return -1;
	s->tls = sub_tls_context(s->addr, cert);
	if (!s->tls)
		return -1;
	snprintf(s->destination, sizeof(s->destination),
		 strchr(s->addr, ':') ? "https://[%s]:%u%s" : "https://%s:%u%s", s->addr, s->port,
		 s->path);
	agent_log(ALOG_NOTICE, "receiving the BMC's events on %s port %u (TLS)", s->addr, s->port);
	if (pthread_create(&s->thread, NULL, subscriber_thread, s) != 0) {
		agent_log(ALOG_ERR, "--subscribe: cannot start its thread");
		return -1;
	}
	s->have_thread = true;
	return 0;
}

int subscribe_stop(struct agent *a)
{
	struct subscriber *s = a->subscriber;
	int rc = EXIT_OK, r;

	if (!s)
		return EXIT_OK;
	if (s->have_thread)
		pthread_join(s->thread, NULL);
	if (s->fd >= 0)
		close(s->fd);
	if (s->sub && a->client) {
		const char *uri = hf_subscription_uri(s->sub);
		char *keep = strdup(uri ? uri : "?");

		r = gate_acquire_now(&a->gate, now_ms() + 1000);
		if (hf_subscription_delete(a->client, s->sub) < 0) {
			const hf_error *e = hf_client_last_error(a->client);

			agent_log(ALOG_ERR,
				  "the subscription %s could not be deleted (the next "
				  "start, or hostfish sessions prune, deletes it): %s",
				  keep ? keep : "?", e->message);
			rc = tools_exit_code_of_kind(e->kind);
		} else {
			agent_log(ALOG_NOTICE, "subscription %s deleted", keep ? keep : "?");
		}
		free(keep);
		s->sub = NULL;
		if (r == 0)
			gate_release(&a->gate, NULL);
	}
	SSL_CTX_free(s->tls);
	free(s->filter_buf);
	pthread_mutex_destroy(&s->lock);
	free(s);
	a->subscriber = NULL;
	return rc;
}
