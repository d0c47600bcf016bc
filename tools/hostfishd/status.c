/* SPDX-License-Identifier: MIT */
/*
 * status.c - GET /hostfishd/status: the agent's health, for any authorised peer.
 *
 *   {"session": {"active": bool, "uri": "/redfish/v1/SessionService/Sessions/..." | null},
 *    "connections": {"max": N, "in_use": n}, "queue": {"length": n, "max": m},
 *    "clients": n, "bodies": {"bytes": n, "max": m},
 *    "counters": {"requests", "errors", "rejected", "bmc_errors"},
 *    "flight": {"leaders": n, "waiting": n, "shared": n},
 *    "cache": {"ttl_s": n, "entries": n, "bytes": n, "hits": n},
 *    "uptime_s": n, "bmc": "https://...", "bmc_state": "ok" | "resetting" | "reconnecting",
 *    "bmc_outages": n, "transport": "https", "version": "x.y.z"}
 *
 * The session is as of the last moment no request was on the BMC (see gate.c): under
 * constant load it may lag behind a re-login.  Nothing here talks to the BMC.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "agent.h"

static struct json_object *pair(const char *k1, struct json_object *v1, const char *k2,
				struct json_object *v2)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, k1, v1);
	json_object_object_add(o, k2, v2);
	return o;
}

static struct json_object *counter(unsigned long *v)
{
	return json_object_new_int64((int64_t)__atomic_load_n(v, __ATOMIC_RELAXED));
}

void status_respond(struct conn *c, const struct http_request *req)
{
	struct agent *a = c->agent;
	struct json_object *root = json_object_new_object(), *counters, *o;
	struct flight_stats fs;
	char uri[512];
	int in_use, queued, clients;
	bool active;
	const char *body;

	gate_snapshot(&a->gate, a->client, &in_use, &queued, &active, uri, sizeof(uri));
	pthread_mutex_lock(&a->clients_lock);
	clients = a->clients;
	pthread_mutex_unlock(&a->clients_lock);

	json_object_object_add(root, "session",
			       pair("active", json_object_new_boolean(active), "uri",
				    active && *uri ? json_object_new_string(uri) : NULL));
	json_object_object_add(root, "connections",
			       pair("max", json_object_new_int(a->cfg.max_connections), "in_use",
				    json_object_new_int(in_use)));
	json_object_object_add(root, "queue",
			       pair("length", json_object_new_int(queued), "max",
				    json_object_new_int(a->cfg.max_queue)));
	json_object_object_add(root, "clients", json_object_new_int(clients));
	json_object_object_add(root, "bodies",
			       pair("bytes", json_object_new_int64((int64_t)bodies_buffered(a)),
				    "max", json_object_new_int64((int64_t)a->cfg.max_body_total)));
	counters = json_object_new_object();
	json_object_object_add(counters, "requests", counter(&a->counters.requests));
	json_object_object_add(counters, "errors", counter(&a->counters.errors));
	json_object_object_add(counters, "rejected", counter(&a->counters.rejected));
	json_object_object_add(counters, "bmc_errors", counter(&a->counters.bmc_errors));
	json_object_object_add(root, "counters", counters);
	/* single flight: reads on their way to the BMC, reads waiting for them, answers shared */
	flight_snapshot(a, &fs);
	o = json_object_new_object();
	json_object_object_add(o, "leaders", json_object_new_int(fs.leaders));
	json_object_object_add(o, "waiting", json_object_new_int(fs.waiting));
	json_object_object_add(o, "shared", json_object_new_int64((int64_t)fs.shared));
	json_object_object_add(root, "flight", o);
	o = json_object_new_object();
	json_object_object_add(o, "ttl_s", json_object_new_int64(fs.ttl_s));
	json_object_object_add(o, "entries", json_object_new_int64((int64_t)fs.cache_entries));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)fs.cache_bytes));
	json_object_object_add(o, "hits", json_object_new_int64((int64_t)fs.cache_hits));
	json_object_object_add(root, "cache", o);
	json_object_object_add(root, "uptime_s",
			       json_object_new_int64((now_ms() - a->start_ms) / 1000));
	json_object_object_add(root, "bmc", json_object_new_string(hf_client_endpoint(a->client)));
	json_object_object_add(root, "bmc_state", json_object_new_string(ride_state_name(a)));
	json_object_object_add(root, "bmc_outages", counter(&a->bmc_outages));
	o = json_object_new_object();
	json_object_object_add(o, "active", json_object_new_boolean(
						    __atomic_load_n(&a->uploading, __ATOMIC_RELAXED)));
	json_object_object_add(o, "relayed", counter(&a->uploads_relayed));
	json_object_object_add(o, "aborted", counter(&a->uploads_aborted));
	json_object_object_add(root, "uploads", o);
	json_object_object_add(root, "transport",
			       json_object_new_string(hf_client_transport(a->client)));
	json_object_object_add(root, "version", json_object_new_string(PACKAGE_VERSION));

	body = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	agent_log(ALOG_INFO, "uid %u pid %d: %s %s -> 200", (unsigned)c->uid, (int)c->pid,
		  req->method, STATUS_PATH);
	http_send(c, 200, NULL,
		  "Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n",
		  body, (long long)strlen(body), !c->head);
	json_object_put(root);
}
