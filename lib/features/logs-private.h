/* SPDX-License-Identifier: MIT */
/*
 * logs-private.h - the parts of the log reader that do not talk to the BMC: entries made
 * uniform, cursors, and what is new since a cursor.  Unit-testable without a client.
 */
#ifndef HOSTFISH_LOGS_PRIVATE_H
#define HOSTFISH_LOGS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#define HF_LOG_MAX_ENTRIES 10000 /* entries read from one log service in one call */
#define HF_LOG_MAX_PAGES 100 /* Members@odata.nextLink pages followed */
#define HF_LOG_CURSOR_MAX 4096 /* bytes of a cursor's text */
#define HF_LOG_CURSOR_SAME_MAX 64 /* entries remembered at the cursor's last update time */

/*
 * A BMC's LogEntry made uniform (a new object, owned by the caller), or NULL when it has
 * neither a usable Id nor an EventNumber.  position: its 1-based place in the collection, the
 * sequence number of last resort.  See hf_log_read() in hostfish.h for the members.
 */
struct json_object *hf_log_entry_normalise(struct json_object *raw, const char *service,
					   int64_t position);

/* What hf_log_read() returns, computed from the log's uniform entries (borrowed; sorted here
 * by "seq") and since (NULL, a cursor, or a time).  Returns 0 and *ret, -EINVAL (since is
 * neither a cursor nor a time), -ENOMEM. */
int hf_log_select(struct json_object *entries, const char *service, const char *since,
		  struct json_object **ret);

/* Whether text is a time "YYYY-MM-DDTHH:MM:SS[.fff]Z" or with a "+HH:MM" offset of 00:00. */
bool hf_log_is_time(const char *text);

#endif /* HOSTFISH_LOGS_PRIVATE_H */
