/* SPDX-License-Identifier: MIT */
/*
 * intent.c - logins in progress, so that a process killed between its login POST and the
 * journal entry (journal.c) does not leave a session nobody can find.
 *
 * Before the POST the client writes $HOSTFISH_RUNTIME_DIR/journal/<endpoint>/intent-<id>.json
 * (user, pid, the host's wall-clock start and deadline of the login) and holds an flock() on
 * intent-<id>.lock; the entry goes once the session is journaled, or certainly not created.
 * An intent whose lock can be taken belongs to a dead login.  "sessions prune" with
 * credentials then lists the BMC's sessions and deletes those of that user whose creation
 * time (Oem.Hpe.LoginTime on iLO, CreatedTime in DMTF Session 1.5) falls in the dead login's
 * window, translated to the BMC's clock by the Date header of its answer, unless a journal
 * entry names the session or a live login's window overlaps (the session may be that
 * login's, not yet journaled).  A BMC that tells no creation time gets nothing deleted: the
 * intent stays and prune says why.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"

#define INTENT_MAX     64   /* intents looked at in one prune */
#define SKEW_MARGIN_MS 3000 /* clock resolution (seconds) and the Date header's own */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hf_intent_begin(hf_client *c, struct hf_intent *in)
{
	unsigned char rnd[12];
	char err[512], path[4096];
	struct json_object *o;
	const char *text;
	int64_t now = wall_ms();
	size_t i;
	int r;

	in->lock_fd = -1;
	in->dir = NULL;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return;
	strcpy(in->name, "intent-");
	for (i = 0; i < sizeof(rnd); i++)
		sprintf(in->name + 7 + 2 * i, "%02x", rnd[i]);
	r = hf_journal_dir(hf_client_endpoint(c), &in->dir, err, sizeof(err));
	if (r < 0)
		return; /* the journal itself says so when the session arrives */
	snprintf(path, sizeof(path), "%s/%s.lock", in->dir, in->name);
	in->lock_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (in->lock_fd < 0 || flock(in->lock_fd, LOCK_EX | LOCK_NB) < 0)
		goto fail;
	o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string("intent"));
	json_object_object_add(o, "user", json_object_new_string(c->username ? c->username : ""));
	json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(o, "started_ms", json_object_new_int64(now));
	json_object_object_add(o, "deadline_ms", json_object_new_int64(now + c->timeout_ms));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	snprintf(path, sizeof(path), "%s/%s.json", in->dir, in->name);
	r = text ? hf_journal_write(in->dir, path, text, strlen(text)) : -ENOMEM;
	json_object_put(o);
	if (r == 0)
		return;
	hf_log_warning(&c->log,
		       "warning: the login is not journaled in %s (if this process is "
		       "killed before the session is, sessions prune cannot find it): %s",
		       in->dir, strerror(-r));
fail:
	if (in->lock_fd >= 0) {
		snprintf(path, sizeof(path), "%s/%s.lock", in->dir, in->name);
		unlink(path);
		close(in->lock_fd);
	}
	in->lock_fd = -1;
}

void hf_intent_end(hf_client *c, struct hf_intent *in, bool keep)
{
	if (in->lock_fd >= 0) {
		if (!keep)
			hf_journal_remove_files(
			    in->dir, in->name); /* before the lock goes: never an orphan */
		else
			hf_log_warning(&c->log,
				       "the login's outcome is unknown: the BMC may have "
				       "created a session; sessions prune (with credentials) "
				       "will look for it");
		close(in->lock_fd);
	}
	free(in->dir);
	in->dir = NULL;
	in->lock_fd = -1;
}

/* ---- prune ---- */

struct window {
	char *user;
	int64_t from, to; /* the host's wall clock, ms */
	bool live;
	char name[48];
};

static int64_t member_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int)
		   ? json_object_get_int64(v)
		   : -1;
}

static const char *member_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		   ? json_object_get_string(v)
		   : NULL;
}

/* The dead and live intents of the directory (at most INTENT_MAX); *n set. */
static void read_intents(const char *dir, struct window *w, size_t *n)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	*n = 0;
	while (d && (de = readdir(d)) && *n < INTENT_MAX) {
		size_t len = strlen(de->d_name);
		char path[4096];
		struct json_object *o;
		int lfd;

		if (strncmp(de->d_name, "intent-", 7) != 0 || len < 6 ||
		    len - 5 >= sizeof(w->name) || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(w[*n].name, sizeof(w->name), "%.*s", (int)(len - 5), de->d_name);
		snprintf(path, sizeof(path), "%s/%s.lock", dir, w[*n].name);
		lfd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		w[*n].live = lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) < 0;
		if (lfd >= 0)
			close(lfd);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		o = hf_journal_read(path);
		if (!o || !member_string(o, "user") || member_int(o, "started_ms") < 0 ||
		    member_int(o, "deadline_ms") < member_int(o, "started_ms")) {
			json_object_put(o);
			if (!w[*n].live)
				hf_journal_remove_files(dir,
							w[*n].name); /* its owner died writing it */
			continue;
		}
		w[*n].user = strdup(member_string(o, "user"));
		w[*n].from = member_int(o, "started_ms");
		w[*n].to = member_int(o, "deadline_ms");
		json_object_put(o);
		if (w[*n].user)
			(*n)++;
	}
	if (d)
		closedir(d);
}

/* The URIs every journal entry names: sessions some process or cache accounts for. */
static struct json_object *journaled_uris(const char *dir)
{
	struct json_object *uris = json_object_new_array();
	struct dirent *de;
	DIR *d = opendir(dir);

	while (uris && d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[4096];
		struct json_object *o;
		const char *uri;

		if (len != 37 || strcmp(de->d_name + 32, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		o = hf_journal_read(path);
		uri = member_string(o, "uri");
		if (uri)
			json_object_array_add(uris, json_object_new_string(uri));
		json_object_put(o);
	}
	if (d)
		closedir(d);
	return uris;
}

static bool uri_listed(struct json_object *uris, const char *path)
{
	size_t i;

	for (i = 0; i < json_object_array_length(uris); i++)
		if (hf_path_same(json_object_get_string(json_object_array_get_idx(uris, i)), path))
			return true;
	return false;
}

static int month_of(const char *m)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *p = strstr(names, m);

	return p && strlen(m) == 3 && (p - names) % 3 == 0 ? (int)(p - names) / 3 : -1;
}

/* n digits at *p (advanced), or -1 */
static int digits(const char **p, int n)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* *p starts with c (then advanced past it) */
static bool skip(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* hh:mm:ss into tm, or false */
static bool clock_time(const char **p, struct tm *tm)
{
	tm->tm_hour = digits(p, 2);
	if (tm->tm_hour < 0 || !skip(p, ':'))
		return false;
	tm->tm_min = digits(p, 2);
	if (tm->tm_min < 0 || !skip(p, ':'))
		return false;
	tm->tm_sec = digits(p, 2);
	return tm->tm_sec >= 0;
}

/* "Sun, 06 Dec 2026 23:41:44 GMT" (RFC 9110 IMF-fixdate), in ms since the epoch, or -1 */
static int64_t http_date_ms(const char *s)
{
	struct tm tm = { 0 };
	char mon[4] = "";
	const char *p = s;

	if (!s || strlen(s) < 29 || s[3] != ',' || s[4] != ' ')
		return -1;
	p = s + 5;
	tm.tm_mday = digits(&p, 2);
	if (tm.tm_mday < 1 || !skip(&p, ' '))
		return -1;
	memcpy(mon, p, 3);
	p += 3;
	tm.tm_mon = month_of(mon);
	if (tm.tm_mon < 0 || !skip(&p, ' '))
		return -1;
	tm.tm_year = digits(&p, 4) - 1900;
	if (tm.tm_year < 0 || !skip(&p, ' ') || !clock_time(&p, &tm) || strcmp(p, " GMT") != 0)
		return -1;
	return (int64_t)timegm(&tm) * 1000;
}

/* "2026-12-06T23:41:44Z", with optional fraction and "+hh:mm"/"-hh:mm", in ms, or -1 */
static int64_t iso_ms(const char *s)
{
	struct tm tm = { 0 };
	const char *p = s;
	int64_t ms, sign;
	int oh, om;

	if (!s)
		return -1;
	tm.tm_year = digits(&p, 4) - 1900;
	if (tm.tm_year < 0 || !skip(&p, '-'))
		return -1;
	tm.tm_mon = digits(&p, 2) - 1;
	if (tm.tm_mon < 0 || !skip(&p, '-'))
		return -1;
	tm.tm_mday = digits(&p, 2);
	if (tm.tm_mday < 1 || !skip(&p, 'T') || !clock_time(&p, &tm))
		return -1;
	ms = (int64_t)timegm(&tm) * 1000;
	if (skip(&p, '.'))
		while (isdigit((unsigned char)*p))
			p++; /* below the BMC's clock resolution anyway */
	if (*p == 'Z' || *p == '\0')
		return ms;
	sign = *p == '+' ? 1 : *p == '-' ? -1 : 0;
	p++;
	oh = digits(&p, 2);
	if (sign == 0 || oh < 0 || !skip(&p, ':') || (om = digits(&p, 2)) < 0)
		return -1;
	return ms - sign * ((int64_t)oh * 3600 + (int64_t)om * 60) * 1000;
}

/* A session resource's user and creation time (BMC clock, ms; -1 when it does not say). */
static void session_facts(struct json_object *o, const char **user, int64_t *created)
{
	struct json_object *hpe = NULL, *oem;

	if (json_object_object_get_ex(o, "Oem", &oem))
		json_object_object_get_ex(oem, "Hpe", &hpe);
	*user = member_string(o, "UserName");
	if (!*user && hpe)
		*user = member_string(hpe, "UserAccount");
	*created = iso_ms(member_string(o, "CreatedTime"));
	if (*created < 0 && hpe)
		*created = iso_ms(member_string(hpe, "LoginTime"));
}

/* Is this session (user, created on the host's clock) a dead login's?  1 yes, 0 no, -1 maybe
 * a live login's (leave it). */
static int judge(const struct window *w, size_t n, const char *user, int64_t created)
{
	bool dead = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(w[i].user, user) != 0 || created < w[i].from - SKEW_MARGIN_MS ||
		    created > w[i].to + SKEW_MARGIN_MS)
			continue;
		if (w[i].live)
			return -1;
		dead = true;
	}
	return dead;
}

int hf_intent_prune(hf_client *c, unsigned *deleted, unsigned *failed, unsigned *waiting)
{
	struct window w[INTENT_MAX];
	_cleanup_free_ char *dir = NULL;
	struct json_object *uris = NULL, *members;
	hf_response *coll = NULL;
	const char *coll_path = hf_session_collection(c);
	int64_t offset;
	size_t n, i, dead = 0, unknown_times = 0;
	char err[512];
	int r;

	*waiting = 0;
	if (hf_journal_dir(hf_client_endpoint(c), &dir, err, sizeof(err)) < 0)
		return 0;
	read_intents(dir, w, &n);
	for (i = 0; i < n; i++)
		dead += !w[i].live;
	if (dead == 0)
		goto out;
	if (!c->token && !c->password && c->auth != HF_AUTH_CERT) {
		hf_log_warning(&c->log,
			       "%zu login%s of this host died before %s session was "
			       "journaled: give credentials to sessions prune to delete "
			       "what %s may have left",
			       dead, dead == 1 ? "" : "s", dead == 1 ? "its" : "their",
			       dead == 1 ? "it" : "they");
		*waiting = (unsigned)dead;
		goto out;
	}
	if (hf_session_auth_uses_session(c)) {
		r = hf_session_login_locked(c);
		if (r < 0)
			goto out_r;
	}
	r = hf_client_send(c, "GET", coll_path, NULL, NULL, 0, HF_SEND_AUTH, NULL, &coll);
	if (r < 0)
		goto out_r;
	offset = http_date_ms(hf_response_header(coll, "Date"));
	if (hf_response_status(coll) != 200 || offset < 0) {
		hf_log_warning(&c->log,
			       "cannot list the BMC's sessions (%d%s) for the %zu "
			       "interrupted login%s: left for a later prune",
			       hf_response_status(coll), offset < 0 ? ", no Date" : "", dead,
			       dead == 1 ? "" : "s");
		*waiting = (unsigned)dead;
		goto out;
	}
	offset -= wall_ms(); /* BMC clock - host clock, within a second */
	uris = journaled_uris(dir);
	members = NULL;
	json_object_object_get_ex(hf_response_json(coll), "Members", &members);
	for (i = 0; uris && members && i < json_object_array_length(members); i++) {
		struct json_object *m = json_object_array_get_idx(members, i), *id;
		_cleanup_free_ char *path = NULL;
		hf_response *resp = NULL;
		const char *user;
		int64_t created;
		int verdict;

		if (!json_object_object_get_ex(m, "@odata.id", &id) ||
		    hf_location_to_path(json_object_get_string(id), coll_path, c->origin, &path) <
			0 ||
		    !hf_session_in_collection(c, path) ||
		    (c->session_uri && hf_path_same(path, c->session_uri)) ||
		    uri_listed(uris, path))
			continue;
		if (hf_client_send(c, "GET", path, NULL, NULL, 0, HF_SEND_AUTH, NULL, &resp) < 0 ||
		    hf_response_status(resp) != 200) {
			hf_response_free(resp);
			continue;
		}
		session_facts(hf_response_json(resp), &user, &created);
		verdict = user && created >= 0 ? judge(w, n, user, created - offset) : 0;
		unknown_times += user && created < 0;
		hf_response_free(resp);
		resp = NULL;
		if (verdict < 0) {
			(*waiting)++;
			continue;
		}
		if (verdict == 0)
			continue;
		if (hf_client_send(c, "DELETE", path, NULL, NULL, 0, HF_SEND_AUTH, NULL, &resp) ==
			0 &&
		    ((hf_response_status(resp) >= 200 && hf_response_status(resp) < 300) ||
		     hf_response_status(resp) == 404)) {
			hf_log_info(&c->log, "session %s, left by an interrupted login, deleted",
				    path);
			(*deleted)++;
		} else {
			(*failed)++;
		}
		hf_response_free(resp);
	}
	if (unknown_times) {
		hf_log_warning(&c->log,
			       "the BMC does not say when its sessions were created: the "
			       "sessions of %zu interrupted login%s cannot be told from "
			       "others and are left",
			       dead, dead == 1 ? "" : "s");
		*waiting = (unsigned)dead;
	} else if (*failed == 0 && *waiting == 0) {
		for (i = 0; i < n; i++)
			if (!w[i].live)
				hf_journal_remove_files(dir, w[i].name);
	}
out:
	r = 0;
out_r:
	json_object_put(uris);
	hf_response_free(coll);
	for (i = 0; i < n; i++)
		free(w[i].user);
	return r;
}
