/* SPDX-License-Identifier: MIT */
/*
 * crawl-report.c - the JSON report of a finished crawl (hf_crawl()'s *report): what was
 * written, how long it took, and the errors and refused links listed, built from the summary
 * crawl.c hands over (crawl-private.h), not from the crawl's own state; and the bounded lists
 * of errors and refused links that the crawl fills for it.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"
#include "crawl-private.h"

static void listed_clear(struct hf_crawl_listed *l)
{
	free(l->a);
	free(l->b);
	free(l->c);
}

void hf_crawl_list_add(struct hf_crawl_list *l, const char *a, const char *b, const char *c,
		       int status, int kind)
{
	struct hf_crawl_listed *e;

	l->total++;
	if (l->n >= HF_CRAWL_MAX_LISTED)
		return;
	if (!l->v) {
		l->v = calloc(HF_CRAWL_MAX_LISTED, sizeof(*l->v));
		if (!l->v)
			return;
	}
	e = &l->v[l->n];
	e->a = hf_strndup(a, strnlen(a, HF_CRAWL_MAX_PATH + 256));
	e->b = strdup(b);
	e->c = c ? strdup(c) : NULL;
	e->status = status;
	e->kind = kind;
	if (!e->a || !e->b || (c && !e->c)) {
		listed_clear(e);
		memset(e, 0, sizeof(*e));
		return;
	}
	l->n++;
}

void hf_crawl_list_clear(struct hf_crawl_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		listed_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int add_str(struct json_object *o, const char *k, const char *v)
{
	struct json_object *s = json_object_new_string(v ? v : "");

	if (!s || json_object_object_add(o, k, s) < 0) {
		json_object_put(s);
		return -ENOMEM;
	}
	return 0;
}

static int add_int(struct json_object *o, const char *k, int64_t v)
{
	struct json_object *n = json_object_new_int64(v);

	if (!n || json_object_object_add(o, k, n) < 0) {
		json_object_put(n);
		return -ENOMEM;
	}
	return 0;
}

int hf_crawl_report(const struct hf_crawl_summary *s, struct json_object **ret)
{
	struct json_object *rep = json_object_new_object(), *errs = json_object_new_array(),
			   *refs = json_object_new_array();
	size_t i;
	int r = 0;

	if (!rep || !errs || !refs) {
		json_object_put(rep);
		json_object_put(errs);
		json_object_put(refs);
		return -ENOMEM;
	}
	r = r ?: add_str(rep, "root", s->root);
	r = r ?: add_str(rep, "out", s->outdir);
	r = r ?: add_int(rep, "jobs", s->jobs);
	r = r ?: add_int(rep, "resources", (int64_t)s->resources);
	r = r ?: add_int(rep, "bytes", (int64_t)s->bytes);
	r = r ?: add_int(rep, "elapsed_ms", s->elapsed_ms);
	r = r ?: add_int(rep, "error_count", (int64_t)s->errors->total);
	r = r ?: add_int(rep, "refused_count", (int64_t)s->refused->total);
	r = r ?: add_int(rep, "out_of_scope", (int64_t)s->out_of_scope);
	if (r == 0 && json_object_object_add(rep, "truncated",
					     json_object_new_boolean(s->truncated)) < 0)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < s->errors->n; i++) {
		struct json_object *e = json_object_new_object();

		if (!e || json_object_array_add(errs, e) < 0) {
			json_object_put(e);
			r = -ENOMEM;
			break;
		}
		r = r ?: add_str(e, "path", s->errors->v[i].a);
		r = r ?: add_int(e, "status", s->errors->v[i].status);
		r = r ?: add_str(e, "kind", hf_error_kind_name(s->errors->v[i].kind));
		r = r ?: add_str(e, "message", s->errors->v[i].b);
	}
	for (i = 0; r == 0 && i < s->refused->n; i++) {
		struct json_object *e = json_object_new_object();

		if (!e || json_object_array_add(refs, e) < 0) {
			json_object_put(e);
			r = -ENOMEM;
			break;
		}
		r = r ?: add_str(e, "link", s->refused->v[i].a);
		r = r ?: add_str(e, "from", s->refused->v[i].b);
		r = r ?: add_str(e, "reason", s->refused->v[i].c);
	}
	/* ownership moves to rep only when added (an earlier failure kept them here) */
	if (r == 0 && json_object_object_add(rep, "errors", errs) == 0)
		errs = NULL;
	else
		r = r ?: -ENOMEM;
	if (r == 0 && json_object_object_add(rep, "refused", refs) == 0)
		refs = NULL;
	else
		r = r ?: -ENOMEM;
	json_object_put(errs);
	json_object_put(refs);
	if (r < 0) {
		json_object_put(rep);
		return r;
	}
	*ret = rep;
	return 0;
}
