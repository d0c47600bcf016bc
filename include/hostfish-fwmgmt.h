/* SPDX-License-Identifier: MIT */
/*
 * hostfish-fwmgmt.h - libhostfish: an HPE iLO's firmware repository and update task queue.
 * Part of the public API: hostfish.h includes it, and it can be included alone.  The conventions of
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
 * Items (hf_firmware_queue_add()) are given as text, one per string, as HPE's taskqueue command takes them:
 *   "FILENAME"      Command ApplyUpdate of that repository component (letters, digits, '-',
 *                   '.', '_'), UpdatableBy as the component says
 *   "wait=SECONDS"  Command Wait, WaitTimeSeconds 1..86400, UpdatableBy [Bmc]
 *   "reboot"        Command ResetServer, UpdatableBy [RuntimeAgent]
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

/* hf_firmware_queue_add() flags */
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

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_FWMGMT_H */
