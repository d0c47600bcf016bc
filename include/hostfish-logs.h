/* SPDX-License-Identifier: MIT */
/*
 * hostfish-logs.h - libhostfish: the BMC's log services and their cursors.  Part of the public
 * API: hostfish.h includes it, and it can be included alone.  The conventions of hostfish.h
 * apply.  C89, self-contained.
 */
#ifndef HOSTFISH_LOGS_H
#define HOSTFISH_LOGS_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- logs ----
 *
 * The BMC's log services (LogService) of every system and manager: on iLO the IML
 * (Integrated Management Log), Event and SL (security log) of Systems/1 and the IEL (iLO
 * Event Log) of Managers/1.  A service is described by an object of hf_log_services()'s
 * array, which the other calls take (borrowed).
 */

/*
 * The log services: *ret (owned by the caller, json_object_put()) is an array of
 * {"name" (the LogService's Id: "IML"), "path", "entries" (its Entries collection),
 * "owner" (the system or manager), "title"?, "clear"? (#LogService.ClearLog target),
 * "overwrite_policy"?}.  Returns 0, or an hf_request() error, -EIO/-ENOENT/-EACCES when the
 * BMC answered with an error, -EPROTO.
 */
int hf_log_services(hf_client *client, struct json_object **ret);

/*
 * Read a log service's entries, or only those new since a cursor or a time.  since: NULL
 * (every entry), a cursor returned by an earlier call for the same service, or a time
 * "YYYY-MM-DDTHH:MM:SSZ" (entries created or updated after it).  Each entry is read once
 * per call (the Entries collection, its Members@odata.nextLink pages, and members given as
 * links only), at most 10000 entries and 100 pages.
 *
 * *ret (owned by the caller): {"service", "entries": [...] (oldest first), "cursor" (text to
 * give as since next time: only what is new after this call is returned then), "cleared"
 * (the cursor's last entry is gone and the log shrank: it was cleared), "wrapped" (the
 * cursor's last entry is gone, or moved, in a log that did not shrink: it wrapped, and
 * entries may have been lost)}.  After a clear or a wrap past the cursor every entry is new.
 * Each entry: {"service", "id", "seq" (iLO's Oem.Hpe.EventNumber, else the numeric Id, else
 * its place), "created", "updated"? (Oem.Hpe.Updated), "count"? (Oem.Hpe.Count),
 * "severity"? (OK, Warning, Critical), "oem_severity"? (iLO: Informational, Caution,
 * Critical, Repaired), "message"?, "message_id"?, "message_args"?, "entry_type"?,
 * "repaired"?, "event_number"?, "path"?, "repeated"? (true: an entry already returned whose
 * Count grew since the cursor: the event happened again)}.  Strings are the BMC's, unescaped:
 * print them with care.  Returns 0, -EINVAL (service or since invalid: nothing was sent), or
 * an error as hf_log_services().
 */
int hf_log_read(hf_client *client, struct json_object *service, const char *since,
		struct json_object **ret);

/* Clear a log (POST its #LogService.ClearLog).  Returns 0, -ENOTSUP (the service has no such
 * action), -EINVAL, or a request error; the BMC's refusal as -EIO, -EPERM, -ENOENT. */
int hf_log_clear(hf_client *client, struct json_object *service);

/* Mark an entry of an iLO IML repaired: PATCH {"Oem":{"Hpe":{"Repaired":true}}} to the
 * entry ID (1 to 32 letters, digits, '-' or '_', else -EINVAL).  Returns 0 or as above. */
int hf_log_repair(hf_client *client, struct json_object *service, const char *id);

/* Add a maintenance note to an iLO IML: POST {"EntryCode":"Maintenance","Message":text} to
 * its Entries.  text: valid UTF-8, 1 to 500 characters, no control character (CR, LF, tab,
 * C1), else -EINVAL and nothing is sent.  Returns 0 or as above. */
int hf_log_note(hf_client *client, struct json_object *service, const char *text);

/*
 * A cursor kept between runs, per BMC (hf_client_endpoint()), consumer (a name of the
 * caller's choosing: "cli", "journal"; letters, digits, '-', '_', '.') and service name, in
 * $HOSTFISH_STATE_DIR/cursors/ (default /var/lib/hostfish; directories 0700, files 0600,
 * replaced atomically).  load: 0 and *ret (owned by the caller, free()), -ENOENT when none
 * is kept, -EBADMSG when the file holds no cursor.  store: 0, or a negative errno (the
 * reason in hf_client_last_error()).  Neither contacts the BMC.
 */
int hf_log_cursor_load(hf_client *client, const char *consumer, const char *service,
		       char **ret);
int hf_log_cursor_store(hf_client *client, const char *consumer, const char *service,
			const char *cursor);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_LOGS_H */
