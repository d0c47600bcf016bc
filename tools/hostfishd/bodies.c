/* SPDX-License-Identifier: MIT */
/*
 * bodies.c - the budget of request body bytes that hostfishd buffers at once (--max-body-total),
 * shared so that no user can take it all.
 *
 * A request body is charged in full (its Content-Length: the buffer is allocated at once)
 * before the agent asks for it or reads it, and given back when the body has been forwarded
 * and wiped.  Bodies that are only read and dropped (answers made without them) are not
 * charged: they pass through a small buffer on the stack.
 *
 *   root and the agent's own uid      the whole budget
 *   any other uid                     at most a quarter of it at once, and all of those uids
 *                                     together at most seven eighths: an eighth is kept for
 *                                     root
 *   users without full access         together at most half: the rest is kept for root and
 *   (--ro-group: GET with a body)     the members of --group
 *
 * A body that does not fit now is refused with 503 and Retry-After (the share comes back as
 * the same user's other requests finish); one larger than its uid could ever be granted,
 * with 413.  The table has one entry per uid with bytes charged: at most one body per client
 * connection, so --max-clients entries.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "agent.h"

static bool is_owner(const struct agent *a, uid_t uid)
{
	return uid == 0 || uid == a->self_uid;
}

/* The most one uid may hold at once, whatever the others hold. */
static size_t uid_max(const struct agent *a, uid_t uid)
{
	return is_owner(a, uid) ? a->cfg.max_body_total : a->cfg.max_body_total / 4;
}

int bodies_init(struct agent *a)
{
	pthread_mutex_init(&a->bodies.lock, NULL);
	a->bodies.per_uid = calloc((size_t)a->cfg.max_clients, sizeof(*a->bodies.per_uid));
	return a->bodies.per_uid ? 0 : -ENOMEM;
}

void bodies_destroy(struct agent *a)
{
	free(a->bodies.per_uid);
	a->bodies.per_uid = NULL;
	pthread_mutex_destroy(&a->bodies.lock);
}

/* The entry of uid (a free one claimed when it has none); NULL when the table is full. */
static struct uid_bytes *entry_of(struct agent *a, uid_t uid, bool claim)
{
	struct uid_bytes *free_slot = NULL;
	int i;

	for (i = 0; a->bodies.per_uid && i < a->cfg.max_clients; i++) {
		struct uid_bytes *e = &a->bodies.per_uid[i];

		if (e->bytes > 0 && e->uid == uid)
			return e;
		if (e->bytes == 0 && !free_slot)
			free_slot = e;
	}
	if (claim && free_slot)
		free_slot->uid = uid;
	return claim ? free_slot : NULL;
}

int bodies_reserve(struct agent *a, uid_t uid, int role, size_t len, const char **why)
{
	struct body_budget *b = &a->bodies;
	size_t max = a->cfg.max_body_total;
	struct uid_bytes *mine = NULL;
	bool owner = is_owner(a, uid), limited = !owner && role != ROLE_RW;
	int r = -EAGAIN;

	if (len > uid_max(a, uid)) {
		*why = owner ? "the request body is larger than the agent's body budget"
			     : "the request body is larger than one user's share of the body "
			       "budget";
		return -EFBIG;
	}
	pthread_mutex_lock(&b->lock);
	if (!owner)
		mine = entry_of(a, uid, true);
	if (len > max - b->total)
		*why = "the request bodies being received fill the agent's body budget";
	else if (!owner && !mine)
		*why = "no room in the table of request bodies";
	else if (!owner && len > max / 4 - mine->bytes)
		*why = "this user's request bodies fill its share of the body budget";
	else if (!owner && len > max - max / 8 - b->others)
		*why = "the rest of the body budget is kept for root";
	else if (limited && len > max / 2 - b->limited)
		*why = "the rest of the body budget is kept for root and full access";
	else
		r = 0;
	if (r == 0) {
		b->total += len;
		if (!owner) {
			mine->bytes += len;
			b->others += len;
		}
		if (limited)
			b->limited += len;
	}
	pthread_mutex_unlock(&b->lock);
	return r;
}

void bodies_release(struct agent *a, uid_t uid, int role, size_t len)
{
	struct body_budget *b = &a->bodies;
	bool owner = is_owner(a, uid);
	struct uid_bytes *mine;

	pthread_mutex_lock(&b->lock);
	b->total -= len;
	if (!owner) {
		mine = entry_of(a, uid, false);
		if (mine)
			mine->bytes -= len;
		b->others -= len;
		if (role != ROLE_RW)
			b->limited -= len;
	}
	pthread_mutex_unlock(&b->lock);
}

size_t bodies_buffered(struct agent *a)
{
	size_t n;

	pthread_mutex_lock(&a->bodies.lock);
	n = a->bodies.total;
	pthread_mutex_unlock(&a->bodies.lock);
	return n;
}
