/* SPDX-License-Identifier: MIT */
/*
 * logfwd.c - --forward-logs: the BMC's new log entries into the system journal, one journal
 * entry per BMC log entry (sd_journal_send), from a thread of their own.
 *
 * Every --forward-interval seconds each log service (hf_log_services(), read once at the
 * first poll that reaches the BMC) is read since its cursor (hf_log_read()); each new entry is
 * sent to the journal, then the cursor is kept (hf_log_cursor_store(), consumer "journal", a
 * cursor per BMC and log service in $HOSTFISH_STATE_DIR/cursors/), so a restart of the agent
 * neither repeats nor skips entries (an entry sent just before a crash, whose cursor was not
 * kept yet, is sent again: at least once).  A log without a cursor starts from now.  Each poll
 * holds one of the agent's BMC connections (the gate) for its requests, none in between.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>
#include <systemd/sd-journal.h>

#include "agent.h"

#define CURSOR_CONSUMER "journal"
/* sd-id128 identifiers of the journal messages hostfishd sends (journalctl MESSAGE_ID=) */
#define MESSAGE_ID_ENTRY "cf2fcc69e88d4bed8397afe82ddffd47" /* a BMC log entry */
#define MESSAGE_ID_GAP "ed221c9faa0e418cb00320eee5ae8477" /* a BMC log cleared or wrapped */

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* The journal priority of a BMC severity: iLO's own (Oem.Hpe.Severity) when it has one, else
 * the Redfish Severity. */
int logfwd_priority(const char *oem_severity, const char *severity)
{
	static const struct {
		const char *name;
		int priority;
	} map[] = {
		{ "Critical", LOG_CRIT },   { "Warning", LOG_WARNING },
		{ "Caution", LOG_WARNING }, { "Repaired", LOG_NOTICE },
		{ "OK", LOG_INFO },	    { "Informational", LOG_INFO },
	};
	const char *s = oem_severity ? oem_severity : severity;
	size_t i;

	for (i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s, map[i].name) == 0)
			return map[i].priority;
	return LOG_NOTICE;
}

/* MESSAGE: the entry's message (or MessageId(args)); the journal keeps any bytes. */
static char *message_of(struct json_object *e)
{
	struct json_object *args;
	char *text = NULL;
	size_t len = 0, i, n;
	FILE *f;

	if (jstr(e, "message"))
		return strdup(jstr(e, "message"));
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fputs(jstr(e, "message_id") ? jstr(e, "message_id") : "(no message)", f);
	if (json_object_object_get_ex(e, "message_args", &args) &&
	    json_object_is_type(args, json_type_array) && (n = json_object_array_length(args))) {
		fputc('(', f);
		for (i = 0; i < n; i++)
			fprintf(f, "%s%s", i ? ", " : "",
				json_object_get_string(json_object_array_get_idx(args, i)));
		fputc(')', f);
	}
	fclose(f);
	return text;
}

static void send_entry(const char *bmc, struct json_object *e)
{
	struct json_object *v;
	char *msg = message_of(e);
	long long count = json_object_object_get_ex(e, "count", &v) ? json_object_get_int64(v) : 1;
	bool again = json_object_object_get_ex(e, "repeated", &v) && json_object_get_boolean(v);
	int r;

	json_object_object_get_ex(e, "seq", &v);
	r = sd_journal_send("MESSAGE=%s", msg ? msg : "(no memory)", "MESSAGE_ID=%s",
			    MESSAGE_ID_ENTRY, "PRIORITY=%d",
			    logfwd_priority(jstr(e, "oem_severity"), jstr(e, "severity")),
			    "SYSLOG_IDENTIFIER=hostfishd", "HOSTFISH_BMC=%s", bmc,
			    "HOSTFISH_LOG_SERVICE=%s", jstr(e, "service"), "HOSTFISH_ENTRY_ID=%s",
			    jstr(e, "id"), "HOSTFISH_ENTRY_SEQ=%lld", (long long)json_object_get_int64(v),
			    "HOSTFISH_ENTRY_CREATED=%s", jstr(e, "created") ? jstr(e, "created") : "",
			    "HOSTFISH_SEVERITY=%s",
			    jstr(e, "oem_severity") ? jstr(e, "oem_severity")
						    : jstr(e, "severity") ? jstr(e, "severity") : "",
			    "HOSTFISH_REDFISH_MESSAGE_ID=%s",
			    jstr(e, "message_id") ? jstr(e, "message_id") : "",
			    "HOSTFISH_ENTRY_COUNT=%lld", count, "HOSTFISH_REPEATED=%d", again ? 1 : 0,
			    NULL);
	if (r < 0)
		agent_log(ALOG_WARN, "cannot send a BMC log entry to the journal: %s",
			  strerror(-r));
	free(msg);
}

static void send_gap(const char *bmc, struct json_object *doc)
{
	struct json_object *v;
	bool cleared = json_object_object_get_ex(doc, "cleared", &v) && json_object_get_boolean(v);
	bool wrapped = json_object_object_get_ex(doc, "wrapped", &v) && json_object_get_boolean(v);

	if (!cleared && !wrapped)
		return;
	sd_journal_send("MESSAGE=BMC log %s %s", jstr(doc, "service"),
			cleared ? "was cleared" : "wrapped: entries may have been lost",
			"MESSAGE_ID=%s", MESSAGE_ID_GAP, "PRIORITY=%d", LOG_WARNING,
			"SYSLOG_IDENTIFIER=hostfishd", "HOSTFISH_BMC=%s", bmc,
			"HOSTFISH_LOG_SERVICE=%s", jstr(doc, "service"), "HOSTFISH_LOG_GAP=%s",
			cleared ? "cleared" : "wrapped", NULL);
}

/* One poll of one service: 0, or the library's error (logged). */
static int forward_one(struct agent *a, struct json_object *service)
{
	const char *name = jstr(service, "name"), *bmc = hf_client_endpoint(a->client);
	struct json_object *doc = NULL, *entries;
	char *cursor = NULL;
	size_t i, n;
	int r;

	r = hf_log_cursor_load(a->client, CURSOR_CONSUMER, name, &cursor);
	r = hf_log_read(a->client, service, r == 0 ? cursor : NULL, &doc);
	if (r == -EINVAL && cursor) /* not a cursor of this log any more: start anew */
		r = hf_log_read(a->client, service, NULL, &doc);
	if (r < 0) {
		agent_log(ALOG_WARN, "cannot read the BMC log %s: %s", name,
			  hf_client_last_error(a->client)->message);
		free(cursor);
		return r;
	}
	if (cursor) {
		send_gap(bmc, doc);
		json_object_object_get_ex(doc, "entries", &entries);
		n = json_object_array_length(entries);
		for (i = 0; i < n; i++)
			send_entry(bmc, json_object_array_get_idx(entries, i));
		if (n)
			agent_log(ALOG_INFO, "%zu new entr%s of the BMC log %s sent to the journal",
				  n, n == 1 ? "y" : "ies", name);
	}
	free(cursor);
	r = hf_log_cursor_store(a->client, CURSOR_CONSUMER, name, jstr(doc, "cursor"));
	if (r < 0)
		agent_log(ALOG_WARN, "cannot keep the cursor of the BMC log %s: %s", name,
			  hf_client_last_error(a->client)->message);
	json_object_put(doc);
	return r;
}

static bool stopping(struct agent *a)
{
	return __atomic_load_n(&a->stopping, __ATOMIC_RELAXED) != 0;
}

/* One poll of every service, within one BMC connection of the gate. */
static void poll_once(struct agent *a, struct json_object **services)
{
	size_t i, n;

	if (gate_acquire_now(&a->gate, now_ms() + a->cfg.timeout_ms) < 0)
		return;
	if (!*services && hf_log_services(a->client, services) < 0) {
		agent_log(ALOG_WARN, "cannot list the BMC's log services: %s",
			  hf_client_last_error(a->client)->message);
		*services = NULL;
	}
	n = *services ? json_object_array_length(*services) : 0;
	for (i = 0; i < n && !stopping(a); i++)
		forward_one(a, json_object_array_get_idx(*services, i));
	gate_release(&a->gate, a->client);
}

static void *logfwd_thread(void *arg)
{
	struct agent *a = arg;
	struct json_object *services = NULL;

	agent_log(ALOG_NOTICE, "forwarding the BMC's log entries to the journal every %ld s",
		  a->cfg.forward_interval_ms / 1000);
	while (!stopping(a)) {
		struct pollfd p = { .fd = a->stop_fd, .events = POLLIN };

		poll_once(a, &services);
		/* the stop eventfd wakes the wait at once */
		if (poll(&p, 1, (int)a->cfg.forward_interval_ms) != 0)
			break;
	}
	json_object_put(services);
	return NULL;
}

int logfwd_start(struct agent *a)
{
	if (!a->cfg.forward_interval_ms)
		return 0;
	if (pthread_create(&a->logfwd, NULL, logfwd_thread, a) != 0) {
		agent_log(ALOG_ERR, "cannot start the log forwarder");
		return -1;
	}
	a->have_logfwd = true;
	return 0;
}

void logfwd_join(struct agent *a)
{
	if (a->have_logfwd)
		pthread_join(a->logfwd, NULL);
	a->have_logfwd = false;
}
