/* SPDX-License-Identifier: MIT */
/*
 * hostfish-query.h - libhostfish: reading the BMC's tree in few requests (the service root's
 * links kept per BMC, collections read with $expand/$select).  Included by hostfish.h; may be
 * included alone.
 */
#ifndef HOSTFISH_QUERY_H
#define HOSTFISH_QUERY_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

/* hf_service_root_link() flags */
#define HF_ROOT_REVALIDATE 1u /* ask the BMC whether its service root changed (a cached link
			       * answered 404, say) */
/*
 * The path of a link of the BMC's service root: name is a top-level navigation property
 * ("Systems", "UpdateService") or "Links/NAME" for one inside its Links ("Links/Sessions").
 * The links are kept per BMC in $HOSTFISH_STATE_DIR/service-root/ (directory 0700, file
 * 0600) and revalidated with the root's ETag after 10 minutes, so most calls make no request.
 * On success *ret belongs to the caller (free()).  Returns 0, -ENOENT (no such link), -ENOMEM,
 * or the error of reading the service root.
 */
int hf_service_root_link(hf_client *client, const char *name, unsigned flags, char **ret);

/*
 * The members of the collection at path, read in one request with $expand (and $select of the
 * NULL-terminated property names in select, may be NULL) when the BMC's service root
 * advertises them, else (or when the BMC answers them wrongly) the collection and then each
 * member.  Members@odata.nextLink pages are followed (at most 4096 members).  With select,
 * a member may hold only those properties and its @odata annotations, or all of them.
 * Members gone between the collection and their own read are left out.  On success *ret is a
 * new JSON array of the member resources (the caller puts it).  Returns 0, -ENOENT (404),
 * -EACCES (401/403), -EIO (another HTTP error: see hf_client_last_error()), -EPROTO (not a
 * collection), -ENOMEM, or a transport error.
 */
int hf_get_collection(hf_client *client, const char *path, const char *const *select,
		      struct json_object **ret);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_QUERY_H */
