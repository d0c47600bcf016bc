/* SPDX-License-Identifier: MIT */
/*
 * test-chif-threads.c - several clients on the CHIF transport in threads of one process, and
 * application-account queries beside them (driven by chif-threads.test).
 *
 * HPE's channel library is process-wide state: its packet builders fill one static buffer.
 * The emulated library (tests/emulator/chif) has that buffer too, and stops the process when
 * two threads are inside it at once; so this program fails unless every call into the library,
 * from every client and from the application-account code, is serialised by one lock.  Every
 * answer is checked: the resource asked for, in full.
 *
 * Environment: HOSTFISH_CHIF_LIBRARY (the emulated library), HOSTFISH_EMU_CHIF_SOCKET.
 * Prints TAP.  Uses only <hostfish.h> and json-c, like any program built on the library.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hostfish.h>
#include <json-c/json.h>

#define N_CLIENTS 4
#define THREADS_PER_CLIENT 2
#define PER_THREAD 30
#define BIG_TAG 9000 /* a PATCH body over one packet: it goes through a request blob */

static const char *const paths[] = {
	"/redfish/v1/Systems/1/",
	"/redfish/v1/Managers/1/",
	"/redfish/v1/Chassis/1/",
	"/redfish/v1/",
};

static int n_tests, n_failed;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	printf("%s %d - ", cond ? "ok" : "not ok", ++n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		n_failed++;
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void log_cb(void *userdata, int level, const char *message)
{
	(void)userdata;
	(void)level;
	fprintf(stderr, "hostfish: %s\n", message);
}

struct worker {
	hf_client *client;
	unsigned id;
	unsigned done; /* answers that were right */
	char why[512]; /* the first wrong one */
};

/* A GET whose answer must be the resource asked for: 200, its @odata.id the path. */
static int check_get(struct worker *w, const char *path)
{
	hf_response *resp = NULL;
	struct json_object *j, *id;
	int r = hf_get(w->client, path, &resp), good = 0;

	if (r < 0) {
		snprintf(w->why, sizeof(w->why), "GET %s: %s", path, strerror(-r));
		return 0;
	}
	j = hf_response_json(resp);
	if (hf_response_status(resp) == 200 && j && json_object_object_get_ex(j, "@odata.id", &id))
		good = strcmp(json_object_get_string(id), path) == 0;
	if (!good)
		snprintf(w->why, sizeof(w->why), "GET %s answered %d with @odata.id %s", path,
			 hf_response_status(resp),
			 j && json_object_object_get_ex(j, "@odata.id", &id)
				 ? json_object_get_string(id)
				 : "(none)");
	hf_response_free(resp);
	return good;
}

/* A PATCH through a request blob, read back: the AssetTag must be one a thread wrote, whole. */
static int check_big_patch(struct worker *w, unsigned n)
{
	char tag[BIG_TAG + 1];
	struct json_object *body = json_object_new_object();
	hf_response *resp = NULL;
	int r, status = 0;

	memset(tag, 'a' + (int)(w->id % 26), BIG_TAG);
	snprintf(tag, 16, "w%02u-%04u-", w->id, n);
	tag[strlen(tag)] = '-';
	tag[BIG_TAG] = '\0';
	json_object_object_add(body, "AssetTag", json_object_new_string(tag));
	r = hf_request_json(w->client, "PATCH", "/redfish/v1/Systems/1/", NULL, body, &resp);
	json_object_put(body);
	if (r == 0)
		status = hf_response_status(resp);
	hf_response_free(resp);
	if (r < 0 || status < 200 || status > 204) {
		snprintf(w->why, sizeof(w->why), "PATCH of %u bytes: %s (status %d)", BIG_TAG,
			 r < 0 ? strerror(-r) : "refused", status);
		return 0;
	}
	return 1;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned i;

	for (i = 0; i < PER_THREAD; i++) {
		int good = i % 10 == 9 ? check_big_patch(w, i)
				       : check_get(w, paths[(w->id + i) % (sizeof(paths) /
								      sizeof(paths[0]))]);
		if (!good)
			break;
		w->done++;
	}
	return NULL;
}

/* Application accounts use the same library, so the same lock: query it beside the clients. */
struct acct {
	hf_options opts;
	unsigned done;
	char why[512];
};

static void *accounts(void *arg)
{
	struct acct *a = arg;
	struct json_object *rep, *ready;
	unsigned i;
	int r;

	for (i = 0; i < PER_THREAD; i++) {
		rep = NULL;
		r = hf_appaccount(&a->opts, "status", &rep);
		if (r < 0 || !json_object_object_get_ex(rep, "ready", &ready) ||
		    !json_object_get_boolean(ready)) {
			snprintf(a->why, sizeof(a->why), "appaccount status: %s",
				 r < 0 ? strerror(-r) : "not ready");
			json_object_put(rep);
			break;
		}
		json_object_put(rep);
		a->done++;
	}
	return NULL;
}

int main(void)
{
	struct worker w[N_CLIENTS * THREADS_PER_CLIENT];
	pthread_t t[N_CLIENTS * THREADS_PER_CLIENT], ta;
	hf_client *clients[N_CLIENTS] = { NULL };
	hf_options opts = HF_OPTIONS_INIT;
	struct acct acct;
	unsigned i, n = N_CLIENTS * THREADS_PER_CLIENT;
	int r;

	opts.transport = "chif";
	opts.direct = 1;
	opts.max_connections = THREADS_PER_CLIENT;
	opts.log_fn = log_cb;
	for (i = 0; i < N_CLIENTS; i++) {
		r = hf_client_new(&clients[i], &opts);
		ok(r == 0, "client %u on the CHIF transport (%s)", i, r < 0 ? strerror(-r) : "ok");
		if (r < 0) {
			printf("Bail out! no CHIF client\n");
			return 1;
		}
	}
	memset(w, 0, sizeof(w));
	memset(&acct, 0, sizeof(acct));
	acct.opts = opts;
	for (i = 0; i < n; i++) {
		w[i].client = clients[i % N_CLIENTS];
		w[i].id = i;
		if (pthread_create(&t[i], NULL, work, &w[i]) != 0) {
			printf("Bail out! pthread_create\n");
			return 1;
		}
	}
	if (pthread_create(&ta, NULL, accounts, &acct) != 0) {
		printf("Bail out! pthread_create\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_join(ta, NULL);
	for (i = 0; i < n; i++)
		ok(w[i].done == PER_THREAD, "thread %u (client %u): %u of %u answers right%s%s", i,
		   i % N_CLIENTS, w[i].done, PER_THREAD, w[i].why[0] ? "; " : "", w[i].why);
	ok(acct.done == PER_THREAD, "application accounts beside them: %u of %u status queries%s%s",
	   acct.done, PER_THREAD, acct.why[0] ? "; " : "", acct.why);
	for (i = 0; i < N_CLIENTS; i++)
		hf_client_free(clients[i]);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
