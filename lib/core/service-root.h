/* SPDX-License-Identifier: MIT */
/*
 * service-root.h - the service root's links and ProtocolFeaturesSupported, kept per BMC
 * (service-root.c), and the collection reader built on them (collection.c).  Library-internal.
 */
#ifndef HOSTFISH_SERVICE_ROOT_H
#define HOSTFISH_SERVICE_ROOT_H

#include <pthread.h>
#include <stdbool.h>

#include "hostfish-private.h"

struct json_object;

/* A cache older than this (since it was fetched or last confirmed with a 304) is revalidated
 * with If-None-Match the next time a command needs it. */
#define HF_SERVICE_ROOT_TTL_S 600L
#define HF_SERVICE_ROOT_CACHE_MAX ((size_t)64 << 10) /* bytes of one BMC's cache file */

/* The client's copy (struct hf_client's root); guarded by its lock, never held over a
 * request. */
struct hf_root_cache {
	pthread_mutex_t lock;
	struct json_object *doc; /* the cache document (see service-root.c), or NULL */
	bool loaded; /* the file was read (or found absent, or dropped): not read again */
	bool confirmed; /* fetched or revalidated by this client: no age check any more */
};

void hf_root_cache_init(struct hf_root_cache *rc);
void hf_root_cache_fini(struct hf_root_cache *rc);

/* What the BMC's ProtocolFeaturesSupported allows for reading collections. */
struct hf_query_support {
	char expand; /* '.', '*' or 0: the $expand form that expands Members (none) */
	bool levels; /* ($levels=1) may be given */
	bool select; /* $select */
};

/*
 * Make the cache current: read it from the state directory once, and fetch the service root
 * when there is none, or (GET with If-None-Match: its ETag; 304 keeps it) when revalidate is
 * set or it is older than HF_SERVICE_ROOT_TTL_S.  A failed fetch keeps an existing cache.
 * 0, or a negative errno (nothing cached and the root could not be read; error recorded).
 */
int hf_service_root_load(hf_client *c, bool revalidate);
/* A copy of a link of the service root: "UpdateService" (a top-level navigation property)
 * or "Links/Sessions" (one in its Links), loading the cache first.  0 with *ret (caller
 * frees), -ENOENT (no such link), or hf_service_root_load()'s error. */
int hf_service_root_link_dup(hf_client *c, const char *name, bool revalidate, char **ret);
/* The cached Links.Sessions without any request, or NULL (caller frees). */
char *hf_service_root_sessions_cached(hf_client *c);
/* The query support the cache advertises (loading it first); all off when unknown or when
 * the BMC answered them wrongly before (hf_service_root_query_broken()). */
void hf_service_root_query(hf_client *c, struct hf_query_support *q);
/* The BMC advertised $expand/$select but answered them wrongly: remember it (in the cache
 * file too) until the service root changes. */
void hf_service_root_query_broken(hf_client *c);
/* A 200 answer to a GET of the service root made for any reason: the cache follows it (a
 * new ETag or firmware version replaces the cached links and features). */
void hf_service_root_note(hf_client *c, const hf_response *resp);
/* The cache file of an endpoint: DIR/service-root/KEY.json (caller frees); NULL on ENOMEM. */
char *hf_service_root_path(const char *state_dir, const char *endpoint);

/*
 * Drop the cached service root, in memory and its file, so the next command that needs it
 * fetches it again.  Called after a BMC reset (Manager.Reset, and what resets the BMC by
 * itself: an iLO firmware flash, a certificate import, a security-state change), whose
 * firmware, links or features may differ afterwards.  A change made behind hostfish's back is
 * found at the next revalidation (a new ETag or firmware version replaces the cache), or when
 * a cached link answers 404 or an advertised $expand is answered wrongly.
 */
void hf_client_forget_service_root(hf_client *c);

/* ---- collection.c ---- */

/* Members of at most this many are read (and pages of Members@odata.nextLink followed). */
#define HF_COLLECTION_MAX_MEMBERS 4096
#define HF_COLLECTION_MAX_PAGES 64

/*
 * The members of the collection at path, as resources (a new array in *members_ret, owned by
 * the caller): one GET with $expand (and $select of the NULL-terminated select, when given)
 * when the service root advertises them; else, or when the answer is wrong (no Members, 400,
 * 501, members not expanded), the collection and then each member.  With select, members
 * may hold only those properties (and their @odata annotations), or all of them.  Members
 * that vanish between the two reads (404) are left out.  0, or a negative errno with the
 * error recorded (the collection's own non-200 answer: its status).
 */
int hf_collection_get(hf_client *c, const char *path, const char *const *select,
		      struct json_object **members_ret);
/* The same, also returning the collection itself (its first page; with select, its own
 * properties may be gone).  flags HF_COLLECTION_NO_LOGIN: within the session operation (a
 * login finding its own session), sent with the current credentials and no login logic. */
#define HF_COLLECTION_NO_LOGIN 1u
int hf_collection_read(hf_client *c, const char *path, const char *const *select,
		       unsigned flags, struct json_object **coll_ret,
		       struct json_object **members_ret);

#endif /* HOSTFISH_SERVICE_ROOT_H */
