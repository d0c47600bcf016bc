/* SPDX-License-Identifier: MIT */
/*
 * logs-cursor.c - what is new in a BMC log since a cursor.
 *
 * What identifies a log entry on iLO (HPE's LogEntry Oem.Hpe): "Id" is the entry's place in
 * the log, 1 for the oldest, and starts again at 1 when the log is cleared; IML, IEL and SL
 * entries also carry Oem.Hpe.EventNumber, iLO's running number of the event, which only grows.
 * An event that happens again does not add an entry: the existing one's Oem.Hpe.Count grows
 * and its Oem.Hpe.Updated moves (Created stays the first occurrence).  The Event log (and a
 * DMTF BMC's logs) has only Id, Created and the message.
 *
 * So an entry's sequence number ("seq") is its EventNumber, else its numeric Id, else its
 * place in the collection; and a cursor remembers:
 *   - the last entry seen (its seq and a fingerprint of what does not change: Created and
 *     the message), the anchor;
 *   - how many entries the log had;
 *   - the latest Updated (else Created) seen, and the Count of the entries updated at that
 *     very second (Updated has a resolution of one second), so a repeat is reported once.
 * Reading again: entries after the anchor are new; older entries whose Updated moved past the
 * cursor's (or whose Count grew at the same second) are reported again ("repeated").  When the
 * anchor is gone, a log that shrank was cleared, a log that did not wrapped past it (entries
 * may have been lost); then every entry it holds is new.  When the anchor's fingerprint is
 * found under another seq, the log was renumbered (wrapped): what follows it is new.
 *
 * Text of a cursor (printable, no shell metacharacters):
 *   c1,SEQ,FINGERPRINT,COUNT,UPDATED,ID:COUNT+ID:COUNT...
 * SEQ "-" for an empty log, UPDATED the time as 20 digits ("-" when none).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostfish-private.h"
#include "logs-private.h"

struct cursor {
	bool empty; /* the log was empty: everything is new */
	int64_t seq;
	uint32_t fp;
	int64_t count;
	char updated[40];
	size_t n_same;
	int64_t same_seq[HF_LOG_CURSOR_SAME_MAX];
	int64_t same_count[HF_LOG_CURSOR_SAME_MAX];
};

/* ---- uniform entries ---- */

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool jint(struct json_object *o, const char *key, int64_t *ret)
{
	struct json_object *v = jget(o, key);

	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_int64(v);
	return true;
}

static int copy_str(struct json_object *to, const char *key, const char *value)
{
	if (!value)
		return 0;
	return json_object_object_add(to, key, json_object_new_string(value));
}

/* A decimal number of at most 19 digits within int64_t (an iLO Id, a count), else -1. */
static int64_t numeric_id(const char *id)
{
	char *end;
	long long v;
	size_t n = id ? strspn(id, "0123456789") : 0;

	if (n == 0 || n > 19 || id[n])
		return -1;
	errno = 0;
	v = strtoll(id, &end, 10);
	return errno || *end ? -1 : (int64_t)v;
}

struct json_object *hf_log_entry_normalise(struct json_object *raw, const char *service,
					   int64_t position)
{
	struct json_object *hpe = jget(jget(raw, "Oem"), "Hpe"), *e, *v;
	const char *id = jstr(raw, "Id");
	int64_t seq = -1, n;

	if (!json_object_is_type(raw, json_type_object))
		return NULL;
	if (jint(hpe, "EventNumber", &n) && n >= 0)
		seq = n;
	else if (numeric_id(id) >= 0)
		seq = numeric_id(id);
	else if (id)
		seq = position;
	if (seq < 0 || !id)
		return NULL;
	e = json_object_new_object();
	if (!e)
		return NULL;
	copy_str(e, "service", service);
	copy_str(e, "id", id);
	json_object_object_add(e, "seq", json_object_new_int64(seq));
	copy_str(e, "created", jstr(raw, "Created") ? jstr(raw, "Created")
						   : jstr(raw, "EventTimestamp"));
	copy_str(e, "updated", jstr(hpe, "Updated"));
	if (jint(hpe, "Count", &n) && n >= 0)
		json_object_object_add(e, "count", json_object_new_int64(n));
	copy_str(e, "severity", jstr(raw, "Severity"));
	copy_str(e, "oem_severity", jstr(hpe, "Severity"));
	copy_str(e, "message", jstr(raw, "Message"));
	copy_str(e, "message_id", jstr(raw, "MessageId"));
	v = jget(raw, "MessageArgs");
	if (v && json_object_is_type(v, json_type_array))
		json_object_object_add(e, "message_args", json_object_get(v));
	copy_str(e, "entry_type", jstr(raw, "EntryType"));
	v = jget(hpe, "Repaired");
	if (v && json_object_is_type(v, json_type_boolean))
		json_object_object_add(e, "repaired", json_object_get(v));
	if (jint(hpe, "EventNumber", &n))
		json_object_object_add(e, "event_number", json_object_new_int64(n));
	copy_str(e, "path", jstr(raw, "@odata.id"));
	return e;
}

static int64_t seq_of(struct json_object *e)
{
	int64_t v = -1;

	jint(e, "seq", &v);
	return v;
}

static int64_t count_of(struct json_object *e)
{
	int64_t v = 1;

	jint(e, "count", &v);
	return v;
}

/* A time as 20 digits that compare as text: YYYYMMDDHHMMSS and six digits of fraction
 * ("2022-06-06T20:59:43Z" -> "20220606205943000000").  The offset is not looked at: iLO and
 * DMTF services write UTC ("Z"); "" for anything that is not a time. */
static void compact_time(const char *t, char *out, size_t outlen)
{
	size_t o = 0, frac = 0;

	out[0] = '\0';
	if (!t || outlen < 21)
		return;
	for (; *t && o < 14; t++) {
		if (*t >= '0' && *t <= '9')
			out[o++] = *t;
		else if (!strchr("-:T ", *t))
			break;
	}
	if (o < 14) {
		out[0] = '\0';
		return;
	}
	if (*t == '.')
		for (t++; *t >= '0' && *t <= '9' && frac < 6; t++, frac++)
			out[o++] = *t;
	for (; frac < 6; frac++)
		out[o++] = '0';
	out[o] = '\0';
}

static void updated_of(struct json_object *e, char *out, size_t outlen)
{
	const char *u = jstr(e, "updated");

	compact_time(u ? u : jstr(e, "created"), out, outlen);
}

/* FNV-1a over what an entry keeps for life: Created, MessageId, Message. */
static uint32_t fingerprint(struct json_object *e)
{
	const char *parts[3] = { jstr(e, "created"), jstr(e, "message_id"), jstr(e, "message") };
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(parts); i++) {
		const unsigned char *p = (const unsigned char *)(parts[i] ? parts[i] : "");

		for (; *p; p++) {
			h ^= *p;
			h *= 16777619u;
		}
		h ^= 0x1f;
		h *= 16777619u;
	}
	return h;
}

bool hf_log_is_time(const char *t)
{
	size_t i;

	/* YYYY-MM-DDTHH:MM:SS */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";

	if (!t)
		return false;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != shape[i])
			return false;
	}
	t += i;
	if (*t == '.') {
		t++;
		if (!isdigit((unsigned char)*t))
			return false;
		while (isdigit((unsigned char)*t))
			t++;
	}
	return strcmp(t, "Z") == 0 || strcmp(t, "+00:00") == 0;
}

/* ---- cursor text ---- */

static int parse_cursor(const char *text, struct cursor *c)
{
	char buf[HF_LOG_CURSOR_MAX], *save = NULL, *f[6], *p;
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	if (strlen(text) >= sizeof(buf) || strncmp(text, "c1,", 3) != 0)
		return -EINVAL;
	strcpy(buf, text);
	for (p = strtok_r(buf, ",", &save); p && n < HF_ARRAY_SIZE(f); p = strtok_r(NULL, ",", &save))
		f[n++] = p;
	if (n < 5 || p)
		return -EINVAL;
	if (strcmp(f[1], "-") == 0) {
		c->empty = true;
	} else {
		c->seq = numeric_id(f[1]);
		if (c->seq < 0)
			return -EINVAL;
	}
	if (strlen(f[2]) != 8 || strspn(f[2], "0123456789abcdef") != 8)
		return -EINVAL;
	c->fp = (uint32_t)strtoul(f[2], NULL, 16);
	c->count = numeric_id(f[3]);
	if (c->count < 0 || strlen(f[4]) >= sizeof(c->updated))
		return -EINVAL;
	if (strcmp(f[4], "-") != 0)
		snprintf(c->updated, sizeof(c->updated), "%s", f[4]);
	if (n == 6) {
		char *save2 = NULL, *item;

		for (item = strtok_r(f[5], "+", &save2); item; item = strtok_r(NULL, "+", &save2)) {
			char *colon = strchr(item, ':');

			if (!colon || c->n_same == HF_LOG_CURSOR_SAME_MAX)
				return -EINVAL;
			*colon = '\0';
			c->same_seq[c->n_same] = numeric_id(item);
			c->same_count[c->n_same] = numeric_id(colon + 1);
			if (c->same_seq[c->n_same] < 0 || c->same_count[c->n_same] < 0)
				return -EINVAL;
			c->n_same++;
		}
	}
	return 0;
}

/* The cursor after reading these (sorted) entries. */
static char *make_cursor(struct json_object *entries)
{
	size_t i, n = json_object_array_length(entries), same = 0;
	char latest[40] = "", u[40];
	struct hf_buf b = { 0 };
	struct json_object *last;

	if (n == 0)
		return hf_strdup("c1,-,00000000,0,-");
	for (i = 0; i < n; i++) {
		updated_of(json_object_array_get_idx(entries, i), u, sizeof(u));
		if (strcmp(u, latest) > 0)
			snprintf(latest, sizeof(latest), "%s", u);
	}
	last = json_object_array_get_idx(entries, n - 1);
	if (hf_buf_printf(&b, "c1,%" PRId64 ",%08" PRIx32 ",%zu,%s", seq_of(last),
			  fingerprint(last), n, latest[0] ? latest : "-") < 0)
		goto oom;
	for (i = 0; i < n && latest[0]; i++) {
		struct json_object *e = json_object_array_get_idx(entries, i);

		updated_of(e, u, sizeof(u));
		if (strcmp(u, latest) != 0 || same == HF_LOG_CURSOR_SAME_MAX)
			continue;
		if (hf_buf_printf(&b, "%c%" PRId64 ":%" PRId64, same ? '+' : ',', seq_of(e),
				  count_of(e)) < 0)
			goto oom;
		same++;
	}
	return hf_buf_steal(&b);
oom:
	hf_buf_free(&b);
	return NULL;
}

/* ---- what is new ---- */

static int by_seq(const void *a, const void *b)
{
	int64_t x = seq_of(*(struct json_object *const *)a);
	int64_t y = seq_of(*(struct json_object *const *)b);

	return x < y ? -1 : x > y;
}

/* An entry at or before the anchor that changed since the cursor (its Count grew). */
static bool repeated(const struct cursor *c, struct json_object *e)
{
	char u[40];
	size_t i;
	int cmp;

	updated_of(e, u, sizeof(u));
	if (!c->updated[0])
		return false; /* the log had no times: nothing to compare */
	cmp = strcmp(u, c->updated);
	if (cmp < 0)
		return false;
	if (cmp > 0)
		return true;
	for (i = 0; i < c->n_same; i++)
		if (c->same_seq[i] == seq_of(e))
			return count_of(e) > c->same_count[i];
	return true; /* updated in the very second the cursor was taken, after it */
}

struct pick {
	int64_t after; /* entries with a greater seq are new */
	bool all_new, cleared, wrapped;
};

static void locate_anchor(struct json_object *entries, const struct cursor *c, struct pick *p)
{
	size_t i, n = json_object_array_length(entries);

	memset(p, 0, sizeof(*p));
	if (c->empty) {
		p->all_new = true;
		return;
	}
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(entries, i);

		if (seq_of(e) == c->seq && fingerprint(e) == c->fp) {
			p->after = c->seq;
			return;
		}
	}
	for (i = 0; i < n; i++) { /* renumbered: the log wrapped and counts from 1 again */
		struct json_object *e = json_object_array_get_idx(entries, i);

		if (fingerprint(e) == c->fp) {
			p->after = seq_of(e);
			p->wrapped = true;
			return;
		}
	}
	p->all_new = true;
	if ((int64_t)n < c->count || n == 0)
		p->cleared = true;
	else
		p->wrapped = true;
}

static int add_entry(struct json_object *out, struct json_object *e, bool again)
{
	struct json_object *copy = NULL;

	if (json_object_deep_copy(e, &copy, NULL) < 0 || !copy)
		return -ENOMEM;
	if (again)
		json_object_object_add(copy, "repeated", json_object_new_boolean(1));
	return json_object_array_add(out, copy) < 0 ? (json_object_put(copy), -ENOMEM) : 0;
}

static int pick_entries(struct json_object *entries, const char *since, struct json_object *out,
			struct pick *p)
{
	size_t i, n = json_object_array_length(entries);
	struct cursor c;
	char t[40], u[40], cr[40];
	bool by_time = false;
	int r;

	memset(p, 0, sizeof(*p));
	if (!since) {
		p->all_new = true;
	} else if (hf_log_is_time(since)) {
		by_time = true;
		compact_time(since, t, sizeof(t));
	} else {
		r = parse_cursor(since, &c);
		if (r < 0)
			return r;
		locate_anchor(entries, &c, p);
	}
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(entries, i);
		bool again = false;

		if (by_time) {
			updated_of(e, u, sizeof(u));
			compact_time(jstr(e, "created"), cr, sizeof(cr));
			if (strcmp(cr, t) <= 0 && strcmp(u, t) <= 0)
				continue;
			again = strcmp(cr, t) <= 0;
		} else if (!p->all_new && seq_of(e) <= p->after) {
			if (!repeated(&c, e))
				continue;
			again = true;
		}
		r = add_entry(out, e, again);
		if (r < 0)
			return r;
	}
	return 0;
}

int hf_log_select(struct json_object *entries, const char *service, const char *since,
		  struct json_object **ret)
{
	struct json_object *doc = NULL, *out = NULL;
	_cleanup_free_ char *cursor = NULL;
	struct pick p;
	int r;

	json_object_array_sort(entries, by_seq);
	out = json_object_new_array();
	if (!out)
		return -ENOMEM;
	r = pick_entries(entries, since, out, &p);
	if (r < 0) {
		json_object_put(out);
		return r;
	}
	cursor = make_cursor(entries);
	doc = json_object_new_object();
	if (!cursor || !doc) {
		json_object_put(out);
		json_object_put(doc);
		return -ENOMEM;
	}
	json_object_object_add(doc, "service", json_object_new_string(service));
	json_object_object_add(doc, "entries", out);
	json_object_object_add(doc, "cursor", json_object_new_string(cursor));
	json_object_object_add(doc, "cleared", json_object_new_boolean(p.cleared));
	json_object_object_add(doc, "wrapped", json_object_new_boolean(p.wrapped));
	*ret = doc;
	return 0;
}
