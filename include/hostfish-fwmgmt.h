/* SPDX-License-Identifier: MIT */
/*
 * hostfish-fwmgmt.h - libhostfish: an HPE iLO's firmware repository, update task queue,
 * install sets and maintenance windows, and pull updates (the BMC fetches the image).  Part of
 * the public API: hostfish.h includes it, and it can be included alone.  The conventions of
 * hostfish.h apply.  C89, self-contained.
 *
 * The collections are the ones the UpdateService names in Oem.Hpe (ComponentRepository,
 * UpdateTaskQueue, InstallSets, MaintenanceWindows): on a BMC without them the calls fail
 * with -ENOTSUP (kind HF_ERROR_HTTP_CLIENT).  Lists are JSON arrays of the BMC's resources
 * as it sends them (strings unescaped: print them with care).  A refusal decided here, before
 * anything is sent, has kind HF_ERROR_HTTP_CLIENT (the BMC's state refuses it) or
 * HF_ERROR_USAGE (the input is invalid); a refusal of the BMC is -EREMOTEIO with its
 * messages in hf_client_last_error().
 *
 * Items (hf_firmware_queue_add(), hf_firmware_installset_create()) are given as text, one
 * per string, as HPE's taskqueue command takes them:
 *   "FILENAME"      Command ApplyUpdate of that repository component (letters, digits, '-',
 *                   '.', '_'), UpdatableBy as the component says
 *   "wait=SECONDS"  Command Wait, WaitTimeSeconds 1..86400, UpdatableBy [Bmc]
 *   "reboot"        Command ResetServer, UpdatableBy [RuntimeAgent]
 * Times are "%Y-%m-%dT%H:%M:%SZ" (UTC), checked to be real dates before anything is sent.
 */
#ifndef HOSTFISH_FWMGMT_H
#define HOSTFISH_FWMGMT_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- component repository ---- */

/* The repository's components (HpeComponent: Id, Filename, Name, Version, Locked,
 * SizeBytes, UpdatableBy...) in *ret (owned by the caller).  Returns 0. */
int hf_firmware_repo_list(hf_client *client, struct json_object **ret);

/*
 * Delete a component, named by its Filename or Id.  A Locked component (in use by a task
 * queue item or an install set) is refused without sending anything: -EBUSY, the message
 * names who holds it.  -ENOENT when there is no such component.  Returns 0.
 */
int hf_firmware_repo_delete(hf_client *client, const char *name);

/* ---- update task queue ---- */

/*
 * The queue, in order, in *ret (owned by the caller): {"Items": [the HpeComponentUpdateTask
 * members: Name, Command, State (Pending, InProgress, Complete, Expired, Exception,
 * Canceled), Filename, WaitTimeSeconds, UpdatableBy, Result...], "Blocking": [Names of the
 * Expired or Exception items], "Blocked": [Names of the Pending items after the first of them:
 * HPE runs none of them until it is removed]}.  Returns 0.
 */
int hf_firmware_queue_list(hf_client *client, struct json_object **ret);

/* Remove the queue's finished items (Complete, Expired, Exception) and only those; their Names
 * in *removed (may be NULL; owned by the caller).  Returns how many were removed. */
int hf_firmware_queue_clean(hf_client *client, struct json_object **removed);

/* hf_firmware_queue_add() and hf_invoke_options flags */
#define HF_FW_TPM_OVERRIDE 1u /* TPMOverride on ApplyUpdate items */

/*
 * Queue items (NULL-terminated, 1 to 32; see the top of this header) at the end of the
 * queue, in order, named as HPE's taskqueue names them ("Update-N FILENAME", "Wait-N S
 * seconds", "Reboot-N").  Checked first, nothing sent otherwise: each FILENAME is in the
 * repository (-ENOENT), is not already queued (-EEXIST, as HPE's tool refuses), and no
 * Expired or Exception item blocks the queue (-EBUSY: the new items would never run).
 * *ret (may be NULL; owned by the caller): [{"Name", "@odata.id"}] of the new items.
 * Returns 0; when a later POST fails the items already queued stay (the error says how many).
 */
int hf_firmware_queue_add(hf_client *client, const char *const *items, unsigned flags,
			  struct json_object **ret);

/* ---- install sets ---- */

/* The install sets (HpeComponentInstallSet: Name, Description, Sequence, IsRecovery...) in
 * *ret (owned by the caller).  Returns 0. */
int hf_firmware_installset_list(hf_client *client, struct json_object **ret);

/*
 * Create an install set named name (1 to 64 characters, no control character) holding the
 * items (as for hf_firmware_queue_add(): 1 to 32, each FILENAME in the repository) in order;
 * description may be NULL.  -EEXIST when a set of that name exists.  *ret_uri (may be NULL;
 * owned by the caller, free()) is the new set's path.  Returns 0.
 */
int hf_firmware_installset_create(hf_client *client, const char *name, const char *description,
				  const char *const *items, char **ret_uri);

/* Delete the install set of that Name (or Id): 0, -ENOENT. */
int hf_firmware_installset_delete(hf_client *client, const char *name);

#define HF_INVOKE_OPTIONS_VERSION 1

/* Options of hf_firmware_installset_invoke(); grows at its end only.  Strings are borrowed. */
typedef struct hf_invoke_options {
	unsigned int version; /* HF_INVOKE_OPTIONS_VERSION */
	const char *window; /* a maintenance window's Id or Name, or NULL */
	int clear_queue; /* ClearTaskQueue: the queue's items are removed first */
	unsigned flags; /* HF_FW_TPM_OVERRIDE */
	int recovery_set; /* UpdateRecoverySet */
	const char *start_after; /* StartAfter, or NULL */
	const char *expire; /* Expire, or NULL */
} hf_invoke_options;

#define HF_INVOKE_OPTIONS_INIT { HF_INVOKE_OPTIONS_VERSION, NULL, 0, 0u, 0, NULL, NULL }

/*
 * Invoke the install set of that Name (or Id): #HpeComponentInstallSet.Invoke, which has
 * the BMC copy its Sequence into the task queue.  The window is resolved to its Id
 * (-ENOENT when there is none); without clear_queue, an Expired or Exception item that
 * blocks the queue refuses the call (-EBUSY).  opts may be NULL.  Returns the number of
 * items the set holds.
 */
int hf_firmware_installset_invoke(hf_client *client, const char *name,
				  const hf_invoke_options *opts);

/* ---- maintenance windows ---- */

/* The maintenance windows (HpeMaintenanceWindow: Id, Name, Description, StartAfter,
 * Expire) in *ret (owned by the caller).  Returns 0. */
int hf_firmware_window_list(hf_client *client, struct json_object **ret);

/*
 * Create a maintenance window: name (1 to 64 characters, no control character, not in use:
 * -EEXIST), start_after (required) and expire (may be NULL; after start_after) as
 * "%Y-%m-%dT%H:%M:%SZ", description (may be NULL, at most 64 characters).  *ret_id (may be
 * NULL; owned by the caller, free()) is its Id.  Returns 0.
 */
int hf_firmware_window_create(hf_client *client, const char *name, const char *start_after,
			      const char *expire, const char *description, char **ret_id);

/* Delete the maintenance window of that Id or Name: 0, -ENOENT. */
int hf_firmware_window_delete(hf_client *client, const char *name);

/* ---- pull updates ---- */

#define HF_PULL_OPTIONS_VERSION 1

/* Options of hf_firmware_pull(); grows at its end only.  Strings are borrowed. */
typedef struct hf_pull_options {
	unsigned int version; /* HF_PULL_OPTIONS_VERSION */
	const char *compsig_uri; /* iLO AddFromUri's CompSigURI, or NULL */
	int repository_only; /* AddFromUri: keep the image in the repository, flash nothing */
	int wait; /* follow the update to its end */
	long wait_timeout_ms; /* bounds the wait (<= 0: 30 minutes; at most 24 hours) */
	hf_progress_fn progress; /* phases "flash" (percent) and "task"; nonzero cancels the
				    wait (the update goes on); or NULL */
	void *progress_userdata;
} hf_pull_options;

#define HF_PULL_OPTIONS_INIT { HF_PULL_OPTIONS_VERSION, NULL, 0, 0, 0L, NULL, NULL }

/*
 * Have the BMC fetch a firmware image from uri and apply it: the DMTF
 * UpdateService.SimpleUpdate action ({ImageURI, TransferProtocol} from the URI's scheme, one
 * of the action's allowed values) when the UpdateService offers it, else iLO's
 * HpeiLOUpdateServiceExt.AddFromUri ({ImageURI, UpdateTarget, UpdateRepository}).
 * compsig_uri or repository_only need AddFromUri and choose it.  uri: http:// or https://
 * with a host, at most 1024 characters, no user information (credentials would be logged
 * and kept by the BMC), no space or control character; else -EINVAL and nothing is sent.
 * While the UpdateService is busy: -EBUSY, nothing sent.
 *
 * Returns 0 and *report (owned by the caller): {"ImageURI", "Action" ("SimpleUpdate" or
 * "AddFromUri"), "Outcome" ("started"; with wait: "completed")}.  With wait, the update is
 * followed as hf_firmware_wait() does: one the BMC reports failed is -EREMOTEIO with its
 * messages; -ETIMEDOUT, -ECANCELED, -EINTR.
 */
int hf_firmware_pull(hf_client *client, const char *uri, const hf_pull_options *opts,
		     struct json_object **report);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_FWMGMT_H */
