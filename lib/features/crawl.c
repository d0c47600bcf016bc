/* SPDX-License-Identifier: MIT */
/*
 * crawl.c - hf_crawl(): mirror a BMC's resource tree into a directory, in the layout of
 * DMTF's Redfish Mockup Creator (the resource at /redfish/v1/A/B is DIR/redfish/v1/A/B/
 * index.json, $metadata is DIR/redfish/v1/$metadata/index.xml).
 *
 * Every @odata.id of every resource (at any depth: Members, Links, Oem, arrays) is followed
 * once, by up to 8 threads that share the one client: each request takes a pooled
 * connection, so N threads hold at most N connections.  Which links are followed is decided
 * by crawl-link.c, how files are written by crawl-fs.c; everything is bounded (resources,
 * path depth and length, each answer by the client's max_response_size, bytes in all).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"
#include "crawl-private.h"

#define CRAWL_DEFAULT_JOBS 4u
#define CRAWL_MAX_RESOURCES 100000u /* resources fetched (and links queued) per crawl */
#define CRAWL_MAX_BYTES ((uint64_t)4 << 30) /* written in all */
#define CRAWL_MAX_JSON_DEPTH 64 /* nesting walked for links */

enum item_kind {
	ITEM_RESOURCE, /* a JSON resource below the root */
	ITEM_METADATA, /* /redfish/v1/$metadata: XML, optional */
	ITEM_OPTIONAL, /* /redfish, /redfish/v1/odata: written when served */
};

/* An optional item the service does not have is skipped; any other failure is recorded. */
static bool absent(int status)
{
	return status == 404 || status == 405 || status == 501;
}

struct item {
	struct item *next;
	int kind;
	char *path; /* as linked (with its trailing slash, if any) */
};

struct crawl {
	hf_client *c;
	char *root; /* the root's key: its path without trailing slash */
	size_t rootlen;
	int dirfd;
	bool force;
	int interrupts_seen;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct item *head, *tail;
	unsigned busy; /* items being processed */
	unsigned workers; /* threads still crawling */
	bool stop;

	/* keys seen (open addressing, power-of-two capacity) */
	char **set;
	size_t set_cap, set_n;

	unsigned long known, done, written, out_of_scope;
	uint64_t bytes;
	bool truncated;
	unsigned long tmp_seq;

	struct hf_crawl_list errors; /* path, message */
	struct hf_crawl_list refused; /* link, from, reason */

	/* the first fatal failure: the crawl stops and hf_crawl() returns it */
	int fatal;
	int fatal_kind;
	int fatal_status;
	char *fatal_msg;

	hf_progress_fn progress;
	void *userdata;
	pthread_mutex_t progress_lock;
};

/* ---- the set of keys ---- */

static size_t key_hash(const char *k, size_t len)
{
	size_t h = 14695981039346656037ull & SIZE_MAX, i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * (1099511628211ull & SIZE_MAX);
	return h;
}

/* Add key[0..len); 1 if added, 0 if known, -ENOMEM.  Under cr->lock. */
static int set_add(struct crawl *cr, const char *key, size_t len)
{
	size_t i;

	if (2 * (cr->set_n + 1) > cr->set_cap) {
		size_t cap = cr->set_cap ? 2 * cr->set_cap : 1024, j;
		char **n = calloc(cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (j = 0; j < cr->set_cap; j++) {
			if (!cr->set[j])
				continue;
			i = key_hash(cr->set[j], strlen(cr->set[j])) & (cap - 1);
			while (n[i])
				i = (i + 1) & (cap - 1);
			n[i] = cr->set[j];
		}
		free(cr->set);
		cr->set = n;
		cr->set_cap = cap;
	}
	i = key_hash(key, len) & (cr->set_cap - 1);
	while (cr->set[i]) {
		if (strlen(cr->set[i]) == len && memcmp(cr->set[i], key, len) == 0)
			return 0;
		i = (i + 1) & (cr->set_cap - 1);
	}
	cr->set[i] = hf_strndup(key, len);
	if (!cr->set[i])
		return -ENOMEM;
	cr->set_n++;
	return 1;
}

static size_t key_len(const char *path)
{
	size_t len = strlen(path);

	return len > 1 && path[len - 1] == '/' ? len - 1 : len;
}

/* Queue path (owned: taken over, or freed) unless its key is known.  Under cr->lock. */
static int enqueue(struct crawl *cr, char *path, int kind)
{
	struct item *it;
	int r;

	if (cr->known >= CRAWL_MAX_RESOURCES) {
		cr->truncated = true;
		free(path);
		return 0;
	}
	r = set_add(cr, path, key_len(path));
	if (r <= 0) {
		free(path);
		return r;
	}
	it = calloc(1, sizeof(*it));
	if (!it) {
		free(path);
		return -ENOMEM;
	}
	it->path = path;
	it->kind = kind;
	if (cr->tail)
		cr->tail->next = it;
	else
		cr->head = it;
	cr->tail = it;
	cr->known++;
	pthread_cond_signal(&cr->cond);
	return 0;
}

static void item_free(struct item *it)
{
	if (it) {
		free(it->path);
		free(it);
	}
}

/* ---- recording ---- */

/* Under cr->lock. */
static void record_error(struct crawl *cr, const char *path, int status, int kind,
			 const char *message)
{
	hf_crawl_list_add(&cr->errors, path, message ? message : "", NULL, status, kind);
}

/* Under cr->lock. */
static void record_refused(struct crawl *cr, const char *link, const char *from,
			   const char *why)
{
	/* info only: the report lists them, and the caller decides how to show them */
	hf_log_info(&cr->c->log, "crawl: not following %.200s (in %.200s): %s", link, from,
		    why);
	hf_crawl_list_add(&cr->refused, link, from, why, 0, 0);
}

/* Stop the crawl with its first fatal failure.  Under cr->lock. */
static void record_fatal(struct crawl *cr, int code, int kind, int status, const char *msg)
{
	if (!cr->fatal) {
		cr->fatal = code;
		cr->fatal_kind = kind;
		cr->fatal_status = status;
		cr->fatal_msg = strdup(msg ? msg : "");
	}
	cr->stop = true;
	pthread_cond_broadcast(&cr->cond);
}

/* ---- links of one resource ---- */

struct found {
	char **paths;
	size_t n, cap;
};

static int found_add(struct found *f, char *path)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 32;
		char **n = realloc(f->paths, cap * sizeof(*n));

		if (!n) {
			free(path);
			return -ENOMEM;
		}
		f->paths = n;
		f->cap = cap;
	}
	f->paths[f->n++] = path;
	return 0;
}

static void found_clear(struct found *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	memset(f, 0, sizeof(*f));
}

/* Collect the @odata.id values below the top level (the top one names the resource itself). */
/* NOLINTNEXTLINE(misc-no-recursion): bounded by its depth argument */
static int collect_links(struct crawl *cr, struct json_object *o, int depth, bool top,
			 const char *from, struct found *f)
{
	int r;

	if (depth > CRAWL_MAX_JSON_DEPTH)
		return 0;
	if (json_object_is_type(o, json_type_array)) {
		size_t i, n = json_object_array_length(o);

		for (i = 0; i < n; i++) {
			r = collect_links(cr, json_object_array_get_idx(o, i), depth + 1, false,
					  from, f);
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (!json_object_is_type(o, json_type_object))
		return 0;
	json_object_object_foreach(o, name, value)
	{
		if (strcmp(name, "@odata.id") == 0) {
			const char *why = NULL;
			char *path = NULL;

			if (top || !json_object_is_type(value, json_type_string))
				continue;
			r = hf_crawl_classify(cr->c->origin, cr->root, cr->rootlen,
					      json_object_get_string(value),
					      (size_t)json_object_get_string_len(value), &path, &why);
			if (r < 0)
				return r;
			if (r == HF_CRAWL_FOLLOW) {
				r = found_add(f, path);
				if (r < 0)
					return r;
			} else if (r == HF_CRAWL_REFUSE) {
				pthread_mutex_lock(&cr->lock);
				record_refused(cr, json_object_get_string(value), from, why);
				pthread_mutex_unlock(&cr->lock);
			} else {
				pthread_mutex_lock(&cr->lock);
				cr->out_of_scope++;
				pthread_mutex_unlock(&cr->lock);
			}
			continue;
		}
		r = collect_links(cr, value, depth + 1, false, from, f);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- one resource ---- */

static bool request_error_is_local(int r)
{
	/* this resource's answer was bad, cut or late (after the client's retries); the BMC
	 * itself still answers.  Refused connections, authentication, interruptions, no
	 * memory or no connection slot stop the crawl. */
	return r == -EFBIG || r == -EPROTO || r == -EBADMSG || r == -ETIMEDOUT ||
	       r == -ECONNRESET;
}

static void error_text(const hf_response *resp, struct hf_buf *b)
{
	const hf_redfish_error *rf = hf_response_redfish_error(resp);
	const hf_message *m = rf ? hf_redfish_error_info(rf, 0) : NULL;

	hf_buf_printf(b, "%d %s", hf_response_status(resp), hf_response_reason(resp));
	if (m && m->message_id)
		hf_buf_printf(b, " (%s)", m->message_id);
	else if (rf && hf_redfish_error_code(rf))
		hf_buf_printf(b, " (%s)", hf_redfish_error_code(rf));
}

static int status_kind(int status)
{
	if (status == 401 || status == 403)
		return HF_ERROR_AUTH;
	return status >= 500 ? HF_ERROR_HTTP_SERVER : HF_ERROR_HTTP_CLIENT;
}

/*
 * Fetch one item, write it, queue its links.  Per-resource failures are recorded and the
 * crawl goes on; a fatal one stops it.  Returns 0, a negative errno when fatal, or
 * RETIRE: no connection could be had (the host's 8 slots are taken by others) while other
 * threads still crawl: this thread gives the item back and ends, the others go on.
 */
#define RETIRE 1
static int process(struct crawl *cr, const struct item *it)
{
	static const char *const xml_headers[] = { "Accept: application/xml", NULL };
	hf_client *c = cr->c;
	hf_response *resp = NULL;
	struct found f = { 0 };
	struct hf_buf msg = { 0 };
	struct json_object *json;
	const char *body, *name, *what = "";
	unsigned long seq;
	size_t len, i;
	int r;

	if (__atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != cr->interrupts_seen) {
		pthread_mutex_lock(&cr->lock);
		record_fatal(cr, -EINTR, HF_ERROR_TRANSPORT, 0, "crawl interrupted");
		pthread_mutex_unlock(&cr->lock);
		return -EINTR;
	}
	r = hf_request(c, "GET", it->path, it->kind == ITEM_METADATA ? xml_headers : NULL, NULL, 0,
		       &resp);
	if (r < 0) {
		const hf_error *e = hf_client_last_error(c);

		pthread_mutex_lock(&cr->lock);
		if (r == -EBUSY && cr->workers > 1) {
			cr->workers--;
			hf_log_info(&c->log, "crawl: no connection slot for one more thread; going "
					     "on with %u",
				    cr->workers);
			r = RETIRE;
		} else if (request_error_is_local(r)) {
			record_error(cr, it->path, e->http_status, e->kind, e->message);
			r = 0;
		} else {
			record_fatal(cr, r, e->kind, e->http_status, e->message);
		}
		pthread_mutex_unlock(&cr->lock);
		return r;
	}
	if (hf_response_status(resp) != 200) {
		if (it->kind == ITEM_RESOURCE || !absent(hf_response_status(resp))) {
			error_text(resp, &msg);
			pthread_mutex_lock(&cr->lock);
			record_error(cr, it->path, hf_response_status(resp),
				     status_kind(hf_response_status(resp)),
				     msg.data ? msg.data : "");
			pthread_mutex_unlock(&cr->lock);
		}
		goto out;
	}
	body = hf_response_body(resp, &len);
	json = hf_response_json(resp);
	if (it->kind == ITEM_METADATA ||
	    (!json && hf_response_header(resp, "Content-Type") &&
	     strstr(hf_response_header(resp, "Content-Type"), "xml"))) {
		name = "index.xml";
	} else if (json && json_object_is_type(json, json_type_object)) {
		name = "index.json";
		if (it->kind == ITEM_RESOURCE) {
			r = collect_links(cr, json, 0, true, it->path, &f);
			if (r < 0) {
				pthread_mutex_lock(&cr->lock);
				record_fatal(cr, r, HF_ERROR_RESOURCE, 0, "out of memory");
				pthread_mutex_unlock(&cr->lock);
				goto out;
			}
		}
	} else {
		pthread_mutex_lock(&cr->lock);
		record_error(cr, it->path, 200, HF_ERROR_PROTOCOL, "the answer is not a JSON object");
		pthread_mutex_unlock(&cr->lock);
		goto out;
	}

	pthread_mutex_lock(&cr->lock);
	if (cr->bytes + len > CRAWL_MAX_BYTES) {
		record_fatal(cr, -EFBIG, HF_ERROR_RESOURCE, 0,
			     "the crawl reached its bound of 4 GiB written");
		pthread_mutex_unlock(&cr->lock);
		r = -EFBIG;
		goto out;
	}
	cr->bytes += len; /* reserved; given back if the write fails */
	seq = ++cr->tmp_seq;
	pthread_mutex_unlock(&cr->lock);
	r = hf_crawl_write(cr->dirfd, cr->force, seq, it->path, key_len(it->path), name, body,
			   len, &what);
	pthread_mutex_lock(&cr->lock);
	if (r < 0) {
		cr->bytes -= len;
		hf_buf_printf(&msg, "%s for %s: %s", what, it->path, strerror(-r));
		if (hf_crawl_write_error_is_local(-r)) {
			record_error(cr, it->path, 0, HF_ERROR_RESOURCE, msg.data ? msg.data : "");
			r = 0;
		} else {
			record_fatal(cr, r, HF_ERROR_RESOURCE, 0, msg.data ? msg.data : "");
		}
	} else {
		cr->written++;
		for (i = 0; i < f.n && r == 0; i++) {
			r = enqueue(cr, f.paths[i], ITEM_RESOURCE);
			f.paths[i] = NULL;
		}
		if (r < 0)
			record_fatal(cr, r, HF_ERROR_RESOURCE, 0, "out of memory");
	}
	pthread_mutex_unlock(&cr->lock);
out:
	hf_buf_free(&msg);
	found_clear(&f);
	hf_response_free(resp);
	return r;
}

/* ---- workers ---- */

static int report_progress(struct crawl *cr)
{
	unsigned long done, known;
	int r = 0;

	if (!cr->progress)
		return 0;
	pthread_mutex_lock(&cr->progress_lock);
	pthread_mutex_lock(&cr->lock);
	done = cr->done;
	known = cr->known;
	pthread_mutex_unlock(&cr->lock);
	if (cr->progress(cr->userdata, "crawl", (double)done, (double)known) != 0)
		r = -ECANCELED;
	pthread_mutex_unlock(&cr->progress_lock);
	if (r < 0) {
		pthread_mutex_lock(&cr->lock);
		/* not HF_ERROR_USAGE: requests were sent */
		record_fatal(cr, r, HF_ERROR_TRANSPORT, 0, "crawl cancelled");
		pthread_mutex_unlock(&cr->lock);
	}
	return r;
}

static void *worker(void *arg)
{
	struct crawl *cr = arg;

	pthread_mutex_lock(&cr->lock);
	for (;;) {
		struct item *it;

		while (!cr->stop && !cr->head && cr->busy > 0)
			pthread_cond_wait(&cr->cond, &cr->lock);
		if (cr->stop || !cr->head)
			break; /* stopped, or nothing queued and nobody to queue more: done */
		it = cr->head;
		cr->head = it->next;
		if (!cr->head)
			cr->tail = NULL;
		cr->busy++;
		pthread_mutex_unlock(&cr->lock);

		if (process(cr, it) == RETIRE) {
			pthread_mutex_lock(&cr->lock);
			it->next = cr->head; /* for the others */
			cr->head = it;
			if (!cr->tail)
				cr->tail = it;
			cr->busy--;
			break;
		}
		item_free(it);

		pthread_mutex_lock(&cr->lock);
		cr->busy--;
		cr->done++;
		if (!cr->head && cr->busy == 0)
			pthread_cond_broadcast(&cr->cond);
		pthread_mutex_unlock(&cr->lock);
		report_progress(cr);
		pthread_mutex_lock(&cr->lock);
	}
	pthread_cond_broadcast(&cr->cond);
	pthread_mutex_unlock(&cr->lock);
	return NULL;
}

static void crawl_fini(struct crawl *cr)
{
	size_t i;

	while (cr->head) {
		struct item *it = cr->head;

		cr->head = it->next;
		item_free(it);
	}
	for (i = 0; i < cr->set_cap; i++)
		free(cr->set[i]);
	free(cr->set);
	hf_crawl_list_clear(&cr->errors);
	hf_crawl_list_clear(&cr->refused);
	free(cr->fatal_msg);
	free(cr->root);
	if (cr->dirfd >= 0)
		close(cr->dirfd);
	pthread_mutex_destroy(&cr->lock);
	pthread_cond_destroy(&cr->cond);
	pthread_mutex_destroy(&cr->progress_lock);
}

/*
 * The crawl's root: path (NULL: the service root) checked as its links will be, below
 * /redfish/v1.  Sets cr->root (its key) and *ret_path (the path to request, the caller's);
 * 0 or a negative errno with the error recorded.
 */
static int crawl_root(struct crawl *cr, const char *path, char **ret_path)
{
	const char *why = NULL;
	char *root_path = NULL;
	int r;

	cr->root = strdup("/redfish/v1");
	if (!cr->root)
		return -ENOMEM;
	cr->rootlen = strlen(cr->root);
	r = hf_crawl_classify(cr->c->origin, cr->root, cr->rootlen, path, strlen(path), &root_path,
			      &why);
	if (r < 0)
		return r;
	if (r != HF_CRAWL_FOLLOW || path[0] != '/') {
		free(root_path);
		hf_client_set_error(cr->c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "invalid crawl root %.200s: expected a path below /redfish/v1/"
				    "%s%s",
				    path, why ? ": " : "", why ? why : "");
		return -EINVAL;
	}
	free(cr->root);
	cr->root = hf_strndup(root_path, key_len(root_path));
	if (!cr->root) {
		free(root_path);
		return -ENOMEM;
	}
	cr->rootlen = strlen(cr->root);
	*ret_path = root_path;
	return 0;
}

/* Open the output directory: 0 or a negative errno with the error recorded. */
static int crawl_outdir(struct crawl *cr, const char *outdir)
{
	const char *why = NULL;
	int r = hf_crawl_outdir_open(outdir, cr->force, &cr->dirfd, &why);

	if (r == -EEXIST)
		hf_client_set_error(cr->c, r, HF_ERROR_USAGE, 0, NULL,
				    "%s: not empty (remove it, choose another directory, or "
				    "replace its files with force)",
				    outdir);
	else if (r < 0)
		hf_client_set_error(cr->c, r, HF_ERROR_USAGE, 0, NULL, "%s: %s: %s", outdir, why,
				    strerror(-r));
	return r;
}

/* Queue the root (root_path is taken over), and with the service root what the Mockup
 * Creator also captures. */
static int enqueue_roots(struct crawl *cr, char *root_path)
{
	int r;

	pthread_mutex_lock(&cr->lock);
	r = enqueue(cr, root_path, ITEM_RESOURCE);
	if (r == 0 && strcmp(cr->root, "/redfish/v1") == 0) {
		char *m = strdup("/redfish/v1/$metadata"), *o = strdup("/redfish/v1/odata"),
		     *v = strdup("/redfish");

		r = m ? enqueue(cr, m, ITEM_METADATA) : -ENOMEM;
		if (r == 0)
			r = o ? enqueue(cr, o, ITEM_OPTIONAL) : -ENOMEM;
		else
			free(o);
		if (r == 0)
			r = v ? enqueue(cr, v, ITEM_OPTIONAL) : -ENOMEM;
		else
			free(v);
	}
	pthread_mutex_unlock(&cr->lock);
	return r;
}

/* Crawl with up to jobs threads, this one included; returns how many crawled. */
static unsigned crawl_run(struct crawl *cr, unsigned jobs)
{
	pthread_t threads[HF_MAX_CONNECTIONS];
	struct item *it = cr->head;
	unsigned started = 0, i;

	/* the root alone first: it logs in once, and its links give the threads work */
	cr->head = it->next;
	if (!cr->head)
		cr->tail = NULL;
	process(cr, it);
	item_free(it);
	cr->done++;
	report_progress(cr);

	for (i = 1; i < jobs; i++) {
		bool stop;

		pthread_mutex_lock(&cr->lock);
		stop = cr->stop;
		if (!stop)
			cr->workers++;
		pthread_mutex_unlock(&cr->lock);
		if (stop)
			break;
		if (pthread_create(&threads[started], NULL, worker, cr) != 0) {
			pthread_mutex_lock(&cr->lock);
			cr->workers--;
			pthread_mutex_unlock(&cr->lock);
			hf_log_info(&cr->c->log, "crawl: %u threads instead of %u", started + 1, jobs);
			break;
		}
		started++;
	}
	worker(cr);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	return started + 1;
}

/* The outcome of a finished crawl: the report, or its fatal error. */
static int crawl_result(struct crawl *cr, const char *path, const char *outdir, unsigned jobs,
			int64_t t0, struct json_object **report)
{
	struct hf_crawl_summary s = {
		.root = path,
		.outdir = outdir,
		.jobs = jobs,
		.elapsed_ms = hf_now_ms() - t0,
		.resources = cr->written,
		.bytes = cr->bytes,
		.out_of_scope = cr->out_of_scope,
		.truncated = cr->truncated,
		.errors = &cr->errors,
		.refused = &cr->refused,
	};
	int r;

	if (cr->fatal) {
		hf_client_set_error(cr->c, cr->fatal, cr->fatal_kind, cr->fatal_status, NULL, "%s",
				    cr->fatal_msg ? cr->fatal_msg : strerror(-cr->fatal));
		return cr->fatal;
	}
	r = hf_crawl_report(&s, report);
	if (r < 0)
		return r;
	return cr->errors.total + cr->truncated > INT32_MAX ? INT32_MAX
							    : (int)(cr->errors.total + cr->truncated);
}

_hf_public_ int hf_crawl(hf_client *c, const char *path, const char *outdir, unsigned jobs,
			 unsigned flags, hf_progress_fn progress, void *userdata,
			 struct json_object **report)
{
	struct crawl cr = { 0 };
	char *root_path = NULL;
	int64_t t0 = hf_now_ms();
	int r;

	if (!c || !outdir || !report)
		return -EINVAL;
	HF_OPERATION(c);
	cr.c = c;
	cr.dirfd = -1;
	cr.force = (flags & HF_CRAWL_FORCE) != 0;
	cr.progress = progress;
	cr.userdata = userdata;
	cr.interrupts_seen = hf_op_interrupts(c);
	cr.workers = 1; /* the calling thread */
	pthread_mutex_init(&cr.lock, NULL);
	pthread_cond_init(&cr.cond, NULL);
	pthread_mutex_init(&cr.progress_lock, NULL);

	if (!path)
		path = "/redfish/v1/";
	if (jobs == 0)
		jobs = CRAWL_DEFAULT_JOBS;
	if (jobs > HF_MAX_CONNECTIONS || (flags & ~HF_CRAWL_FORCE) || !*outdir ||
	    strlen(outdir) > 4096) {
		r = -EINVAL;
		hf_client_set_error(c, r, HF_ERROR_USAGE, 0, NULL,
				    "invalid crawl arguments: jobs must be 1 to %d, the output "
				    "directory a non-empty path",
				    HF_MAX_CONNECTIONS);
		goto out;
	}
	if ((int)jobs > c->max_conns)
		jobs = (unsigned)c->max_conns; /* the client's own cap on connections */
	r = crawl_root(&cr, path, &root_path);
	if (r == 0)
		r = crawl_outdir(&cr, outdir);
	if (r == 0) {
		r = enqueue_roots(&cr, root_path);
		root_path = NULL;
	}
	if (r == 0)
		r = crawl_result(&cr, path, outdir, crawl_run(&cr, jobs), t0, report);
out:
	free(root_path);
	crawl_fini(&cr);
	return r;
}
