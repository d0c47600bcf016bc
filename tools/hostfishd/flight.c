/* SPDX-License-Identifier: MIT */
/*
 * flight.c - one BMC request for many identical reads: single flight, and the optional
 * short-lived answer cache (--cache-ttl).
 *
 * Single flight: a GET or HEAD without a body whose key (below) equals that of a read already
 * on its way to the BMC does not go to the BMC: its thread waits for that read's answer and
 * sends the same bytes.  The first read (the leader) takes the gate and asks the BMC as any
 * request does; the others (waiters) hold no place in the gate's queue, only their own
 * connection thread.  The answer is built once (struct answer: status, header lines, body) and
 * shared by reference, never copied per waiter.
 *
 * The key: method, the client's role, the target (path and query) and the headers forwarded to
 * the BMC (Accept, If-None-Match, OData-Version, ... as sent; User-Agent aside), so that
 * clients only ever share answers to the very same request.  The BMC's answer does not depend
 * on who asked (every request uses the agent's own session, and every role that may send a GET
 * may read all the agent reads), but the role is in the key all the same: one class of local
 * users is never handed an answer fetched for another.
 *
 * Writes (any other method) are never merged.  A write to a path ends every merge of reads of
 * the path, of the resources above it and of those below it (an action's POST changes the
 * resource it belongs to; a DELETE the collection holding it): such a flight is taken out of
 * the table when the write begins, so a read that arrives after that gets a fresh BMC request.
 * The reads already waiting for it keep it: they were in flight together with the write.
 *
 * Waiting: a waiter polls its client's socket (POLLHUP: the client closed, the waiter leaves
 * at once), the flight's eventfd (readable once the answer landed) and the agent's stop
 * event, until the leader's own bounds have passed (the queue wait, one request, a spare:
 * 2 x --timeout + 5 s); then it answers 504.  A leader whose client has gone still completes
 * the request for the others.
 *
 * Cache (--cache-ttl SEC, default 0: off): a 200 answer to a GET or HEAD is kept SEC seconds
 * under the same key, unless its path is of the session service (SessionService), of tasks
 * (TaskService, task monitors), the BMC said "Cache-Control: no-store", a write began or ended
 * while it was in flight, or a write is in progress.  A request with "Cache-Control: no-cache"
 * (or no-store, or "Pragma: no-cache") is not answered from the cache.  A write drops the
 * cached answers of its path, of the resources above it and below it, when it begins and
 * again when it ends.  "Cache-Control: no-cache", which iLO puts on every answer, is not
 * honoured: with it the cache could never serve an iLO, and it is the administrator who
 * chose to accept answers up to SEC seconds old.  At most CACHE_MAX_ENTRIES answers and
 * CACHE_MAX_BYTES bytes are kept, the oldest dropped first; an answer larger than
 * CACHE_MAX_ANSWER is not kept.  Answers sent from the cache carry an Age header.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "agent.h"

#define CACHE_BUCKETS 1024
#define CACHE_MAX_ENTRIES 4096
#define CACHE_MAX_BYTES ((size_t)32 << 20)
#define CACHE_MAX_ANSWER ((size_t)4 << 20)
#define WAIT_SPARE_MS 5000

struct flight {
	struct flight *next; /* in flights.flying while it may be joined */
	uint64_t hash;
	char *key;
	size_t key_len;
	char *path; /* normalised (normalise_path()) */
	int refs; /* the leader and its waiters */
	int waiters;
	bool joinable;
	bool landed;
	uint64_t write_gen; /* flights.write_gen when it took off */
	struct answer *ans; /* once landed */
	int efd; /* readable once landed */
};

struct cached {
	struct cached *next; /* in its bucket */
	struct cached *older, *newer; /* the FIFO of all entries: same TTL, so expiry order */
	uint64_t hash;
	char *key;
	size_t key_len;
	char *path;
	struct answer *ans;
	int64_t stored_ms;
	size_t bytes;
};

struct flights {
	pthread_mutex_t lock;
	struct flight *flying;
	unsigned writes; /* writes between flight_write_begin() and _end() */
	uint64_t write_gen; /* + 1 at every write's begin and end */
	int leaders, waiting; /* now */
	unsigned long shared; /* answers sent from another request's flight */
	long ttl_ms;
	struct cached *buckets[CACHE_BUCKETS];
	struct cached *oldest, *newest;
	size_t entries, bytes;
	unsigned long hits;
};

static size_t answer_bytes(const struct answer *ans)
{
	return sizeof(*ans) + ans->body_len + (ans->head ? strlen(ans->head) : 0) +
	       (ans->reason ? strlen(ans->reason) : 0) +
	       (ans->error_message ? strlen(ans->error_message) : 0);
}

void answer_unref(struct answer *ans)
{
	if (!ans || __atomic_sub_fetch(&ans->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(ans->reason);
	free(ans->head);
	free(ans->body);
	free(ans->error_message);
	free(ans);
}

static struct answer *answer_ref(struct answer *ans)
{
	__atomic_add_fetch(&ans->refs, 1, __ATOMIC_RELAXED);
	return ans;
}

int flight_init(struct agent *a)
{
	struct flights *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	f->ttl_ms = a->cfg.cache_ttl_ms;
	a->flights = f;
	return 0;
}

static void cache_unlink(struct flights *f, struct cached *e)
{
	struct cached **pp = &f->buckets[e->hash % CACHE_BUCKETS];

	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	if (e->older)
		e->older->newer = e->newer;
	else
		f->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		f->newest = e->older;
	f->entries--;
	f->bytes -= e->bytes;
	answer_unref(e->ans);
	free(e->key);
	free(e->path);
	free(e);
}

/* Only at exit, when no connection thread is left. */
void flight_destroy(struct agent *a)
{
	struct flights *f = a->flights;

	if (!f)
		return;
	while (f->oldest)
		cache_unlink(f, f->oldest);
	pthread_mutex_destroy(&f->lock);
	free(f);
	a->flights = NULL;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The path of a target, lower-case (iLO's paths are case-insensitive), without the query
 * and without trailing slashes: the form writes and reads are compared in. */
static char *normalise_path(const char *target)
{
	size_t n = strcspn(target, "?"), i;
	char *p;

	while (n > 1 && target[n - 1] == '/')
		n--;
	p = malloc(n + 1);
	if (!p)
		return NULL;
	for (i = 0; i < n; i++)
		p[i] = (target[i] >= 'A' && target[i] <= 'Z') ? (char)(target[i] + 32) : target[i];
	p[n] = '\0';
	return p;
}

/* Is one of the two paths the other, or above it? */
static bool related(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *s = la <= lb ? a : b, *l = la <= lb ? b : a;
	size_t ls = la <= lb ? la : lb;

	if (ls == 0)
		return true;
	return strncmp(s, l, ls) == 0 && (l[ls] == '\0' || l[ls] == '/' || s[ls - 1] == '/');
}

static bool never_cached(const char *path)
{
	return strstr(path, "/sessionservice") || strstr(path, "/taskservice") ||
	       strstr(path, "taskmonitor");
}

/* Does a Cache-Control (or Pragma) value hold this directive? */
static bool has_directive(const char *value, const char *directive)
{
	size_t n = strlen(directive);

	while (value && *value) {
		size_t len;

		while (*value == ' ' || *value == '\t' || *value == ',')
			value++;
		len = strcspn(value, ",= \t");
		if (len == n && strncasecmp(value, directive, n) == 0)
			return true;
		value += strcspn(value, ",");
	}
	return false;
}

bool flight_answer_no_store(const char *cache_control)
{
	return has_directive(cache_control, "no-store");
}

/* The key of a read: method, role, target, the forwarded headers but User-Agent. */
static char *make_key(const struct conn *c, const struct http_request *req,
		      const char *const *headers, size_t *len)
{
	struct obuf k = { .max = (size_t)1 << 20 };

	obuf_printf(&k, "%s %d ", req->method, c->role);
	obuf_add(&k, req->target, strlen(req->target));
	for (; headers && *headers; headers++) {
		if (strncasecmp(*headers, "User-Agent:", 11) == 0)
			continue;
		obuf_add(&k, "\n", 1);
		obuf_add(&k, *headers, strlen(*headers));
	}
	if (k.failed) {
		obuf_free(&k);
		return NULL;
	}
	*len = k.len;
	return k.data;
}

static bool wants_fresh(const struct http_request *req)
{
	const char *cc = http_header(req, "Cache-Control");

	return has_directive(cc, "no-cache") || has_directive(cc, "no-store") ||
	       has_directive(http_header(req, "Pragma"), "no-cache");
}

/* Under the lock: the live cached answer under key (expired ones are dropped), or NULL. */
static struct cached *cache_find(struct flights *f, uint64_t hash, const char *key, size_t len,
				 int64_t now)
{
	struct cached *e;

	while (f->oldest && now - f->oldest->stored_ms >= f->ttl_ms)
		cache_unlink(f, f->oldest);
	for (e = f->buckets[hash % CACHE_BUCKETS]; e; e = e->next)
		if (e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0)
			return e;
	return NULL;
}

/* Under the lock: keep a flight's answer (the caller checked that it may be kept). */
static void cache_store(struct flights *f, struct flight *fl, int64_t now)
{
	struct cached *e, *old;
	size_t bytes = answer_bytes(fl->ans) + fl->key_len + strlen(fl->path) + sizeof(*e);

	if (bytes > CACHE_MAX_ANSWER)
		return;
	old = cache_find(f, fl->hash, fl->key, fl->key_len, now);
	if (old)
		cache_unlink(f, old);
	while (f->oldest && (f->entries >= CACHE_MAX_ENTRIES || f->bytes + bytes > CACHE_MAX_BYTES))
		cache_unlink(f, f->oldest);
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	e->key = malloc(fl->key_len);
	e->path = strdup(fl->path);
	if (!e->key || !e->path) {
		free(e->key);
		free(e->path);
		free(e);
		return;
	}
	memcpy(e->key, fl->key, fl->key_len);
	e->key_len = fl->key_len;
	e->hash = fl->hash;
	e->ans = answer_ref(fl->ans);
	e->stored_ms = now;
	e->bytes = bytes;
	e->next = f->buckets[e->hash % CACHE_BUCKETS];
	f->buckets[e->hash % CACHE_BUCKETS] = e;
	e->older = f->newest;
	if (f->newest)
		f->newest->newer = e;
	else
		f->oldest = e;
	f->newest = e;
	f->entries++;
	f->bytes += bytes;
}

static void flight_free(struct flight *fl)
{
	answer_unref(fl->ans);
	if (fl->efd >= 0)
		close(fl->efd);
	free(fl->key);
	free(fl->path);
	free(fl);
}

/* Under the lock: take a flight out of the table (no one joins it any more). */
static void unlist(struct flights *f, struct flight *fl)
{
	struct flight **pp = &f->flying;

	if (!fl->joinable)
		return;
	while (*pp && *pp != fl)
		pp = &(*pp)->next;
	if (*pp)
		*pp = fl->next;
	fl->joinable = false;
}

/* Under the lock: one reference less; the last one frees it. */
static void drop(struct flight *fl)
{
	if (--fl->refs == 0)
		flight_free(fl);
}

/*
 * Wait for a flight to land: 0 (landed), -EPIPE (the client closed), -ECANCELED (the agent
 * stops), -ETIMEDOUT.  Called without the lock, holding a reference.
 */
static int wait_landing(struct agent *a, struct conn *c, struct flight *fl)
{
	int64_t deadline = now_ms() + 2 * a->cfg.timeout_ms + WAIT_SPARE_MS;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = fl->efd, .events = POLLIN },
			{ .fd = c->fd, .events = 0 }, /* POLLHUP, POLLERR: the client is gone */
			{ .fd = a->stop_fd, .events = POLLIN },
		};
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(p, 3, (int)(left > 60000 ? 60000 : left));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		if (p[0].revents & POLLIN)
			return 0;
		if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
			return -EPIPE;
		if (p[2].revents & POLLIN) {
			/* stopping: the leader is interrupted soon and lands; keep waiting for it,
			 * but no longer watch the stop event (it stays readable) */
			int64_t until = now_ms() + a->cfg.timeout_ms + WAIT_SPARE_MS;

			if (until < deadline)
				deadline = until;
			p[2].fd = -1;
			for (;;) {
				left = deadline - now_ms();
				if (left <= 0)
					return -ECANCELED;
				r = poll(p, 2, (int)left);
				if (r > 0 && (p[0].revents & POLLIN))
					return 0;
				if (r > 0 && (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)))
					return -EPIPE;
			}
		}
	}
}

/* Under the lock: a new flight, listed, with its leader's reference; NULL without memory. */
static struct flight *take_off(struct flights *f, char *key, size_t len, uint64_t hash,
			       const char *target)
{
	struct flight *fl = calloc(1, sizeof(*fl));

	if (!fl)
		return NULL;
	fl->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fl->path = normalise_path(target);
	if (fl->efd < 0 || !fl->path) {
		if (fl->efd >= 0)
			close(fl->efd);
		free(fl->path);
		free(fl);
		return NULL;
	}
	fl->key = key;
	fl->key_len = len;
	fl->hash = hash;
	fl->refs = 1;
	fl->write_gen = f->write_gen;
	fl->joinable = true;
	fl->next = f->flying;
	f->flying = fl;
	f->leaders++;
	return fl;
}

/* Under the lock: a cached answer for this read, with a reference, and its age. */
static struct answer *cache_hit(struct flights *f, const struct http_request *req,
				const char *key, size_t len, uint64_t hash, int *age)
{
	int64_t now = now_ms();
	struct cached *e;

	if (f->ttl_ms <= 0 || wants_fresh(req))
		return NULL;
	e = cache_find(f, hash, key, len, now);
	if (!e)
		return NULL;
	f->hits++;
	*age = (int)((now - e->stored_ms) / 1000);
	return answer_ref(e->ans);
}

int flight_board(struct agent *a, struct conn *c, const struct http_request *req,
		 const char *const *headers, struct flight **ret, struct answer **ans, int *age)
{
	struct flights *f = a->flights;
	struct flight *fl;
	size_t len = 0;
	uint64_t hash;
	char *key;
	int r;

	*ret = NULL;
	*ans = NULL;
	*age = -1;
	key = make_key(c, req, headers, &len);
	if (!key)
		return FLIGHT_SOLO;
	hash = fnv1a(key, len);
	pthread_mutex_lock(&f->lock);
	*ans = cache_hit(f, req, key, len, hash, age);
	if (*ans) {
		pthread_mutex_unlock(&f->lock);
		free(key);
		return FLIGHT_ANSWER;
	}
	for (fl = f->flying; fl; fl = fl->next)
		if (fl->hash == hash && fl->key_len == len && memcmp(fl->key, key, len) == 0)
			break;
	if (!fl) {
		fl = take_off(f, key, len, hash, req->target);
		pthread_mutex_unlock(&f->lock);
		if (!fl) {
			free(key);
			return FLIGHT_SOLO;
		}
		*ret = fl;
		return FLIGHT_LEAD;
	}
	free(key);
	fl->refs++;
	fl->waiters++;
	f->waiting++;
	pthread_mutex_unlock(&f->lock);

	r = wait_landing(a, c, fl);

	pthread_mutex_lock(&f->lock);
	f->waiting--;
	fl->waiters--;
	if (r == 0 && fl->landed && fl->ans) {
		*ans = answer_ref(fl->ans);
		f->shared++;
	}
	drop(fl);
	pthread_mutex_unlock(&f->lock);
	if (*ans)
		return FLIGHT_ANSWER;
	if (r == 0)
		return FLIGHT_SOLO; /* the leader had no memory for the answer: ask alone */
	return r == -EPIPE ? FLIGHT_GONE : r == -ECANCELED ? FLIGHT_STOPPING : FLIGHT_TIMEOUT;
}

void flight_land(struct agent *a, struct flight *fl, struct answer *ans)
{
	struct flights *f = a->flights;
	uint64_t one = 1;

	pthread_mutex_lock(&f->lock);
	fl->ans = ans ? answer_ref(ans) : NULL;
	fl->landed = true;
	unlist(f, fl);
	f->leaders--;
	if (ans && f->ttl_ms > 0 && ans->r == 0 && ans->status == 200 && !ans->no_store &&
	    f->writes == 0 && f->write_gen == fl->write_gen && !never_cached(fl->path))
		cache_store(f, fl, now_ms());
	if (fl->waiters)
		(void)!write(fl->efd, &one, sizeof(one));
	drop(fl);
	pthread_mutex_unlock(&f->lock);
}

/* Under the lock: end the merges of reads of paths related to this one, drop their answers. */
static void invalidate(struct flights *f, const char *path)
{
	struct flight *fl, *next;
	struct cached *e, *newer;

	for (fl = f->flying; fl; fl = next) {
		next = fl->next;
		if (related(fl->path, path))
			unlist(f, fl);
	}
	for (e = f->oldest; e; e = newer) {
		newer = e->newer;
		if (related(e->path, path))
			cache_unlink(f, e);
	}
}

void flight_write_begin(struct agent *a, const char *target)
{
	struct flights *f = a->flights;
	char *path = normalise_path(target);

	pthread_mutex_lock(&f->lock);
	f->writes++;
	f->write_gen++;
	if (path) {
		invalidate(f, path);
	} else {
		/* no memory to compare: end every merge, drop every answer */
		while (f->flying)
			unlist(f, f->flying);
		while (f->oldest)
			cache_unlink(f, f->oldest);
	}
	pthread_mutex_unlock(&f->lock);
	free(path);
}

void flight_write_end(struct agent *a, const char *target)
{
	struct flights *f = a->flights;
	char *path = normalise_path(target);

	pthread_mutex_lock(&f->lock);
	f->writes--;
	f->write_gen++;
	if (path) {
		invalidate(f, path);
	} else {
		while (f->oldest)
			cache_unlink(f, f->oldest);
	}
	pthread_mutex_unlock(&f->lock);
	free(path);
}

void flight_snapshot(struct agent *a, struct flight_stats *st)
{
	struct flights *f = a->flights;

	pthread_mutex_lock(&f->lock);
	st->leaders = f->leaders;
	st->waiting = f->waiting;
	st->shared = f->shared;
	st->ttl_s = f->ttl_ms / 1000;
	st->cache_entries = f->entries;
	st->cache_bytes = f->bytes;
	st->cache_hits = f->hits;
	pthread_mutex_unlock(&f->lock);
}
