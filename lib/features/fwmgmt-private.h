/* SPDX-License-Identifier: MIT */
/*
 * fwmgmt-private.h - what fwmgmt.c (repository, task queue, items) shares with fwsets.c
 * (install sets, maintenance windows) and fwpull.c (pull updates).
 */
#ifndef HOSTFISH_FWMGMT_PRIVATE_H
#define HOSTFISH_FWMGMT_PRIVATE_H

#include <stdbool.h>

#include "hostfish-private.h"

struct json_object;

#define HF_FW_MAX_ITEMS 32
#define HF_FW_MAX_NAME 64

/* Record a refusal decided before sending (-EINVAL: kind usage; else the BMC's state). */
int hf_fwm_refuse(hf_client *c, int code, const char *fmt, ...) _hf_printf_(3, 4);
/* The path of the UpdateService's Oem.Hpe area ("UpdateTaskQueue"...), owned by the caller;
 * -ENOTSUP when the BMC has none. */
int hf_fwm_area(hf_client *c, const char *area, char **ret);
/* Every member of an area, in *ret (an array, owned); *uri (may be NULL) its path. */
int hf_fwm_members(hf_client *c, const char *area, struct json_object **ret, char **uri);
/* The member whose Name (or Id, or with key "Filename": Filename or Id) is name, borrowed
 * from members; NULL when none. */
struct json_object *hf_fwm_find(struct json_object *members, const char *key, const char *name);
/* POST (body) or DELETE (body NULL) that must answer 2xx: else -EREMOTEIO with the BMC's
 * messages (completed from its registries).  *ret (may be NULL) keeps the answer. */
int hf_fwm_send(hf_client *c, const char *method, const char *path, struct json_object *body,
		hf_response **ret);
/* A name or description: 1 (0 when may_be_empty) to HF_FW_MAX_NAME bytes of valid text
 * without control characters. */
bool hf_fwm_text_ok(const char *s, bool may_be_empty);
/* "%Y-%m-%dT%H:%M:%SZ", a real date and time; *t (may be NULL) the seconds since 1970. */
bool hf_fwm_time_ok(const char *s, long long *t);
/* The names of the Pending items after the first Expired or Exception one, in *blocked (an
 * array, owned; may be NULL); the first blocker's Name, borrowed from queue, or NULL. */
const char *hf_fwm_blocker(struct json_object *queue, struct json_object **blocked);
/* The queue items (or install set Sequence) for the item texts: checked against the
 * repository (comps) and, when queue is not NULL, the queue (already queued: -EEXIST).  *ret
 * an array of objects {Name, Command, Filename?, WaitTimeSeconds?, UpdatableBy, TPMOverride?}
 * (owned).  Errors are recorded; nothing is sent. */
int hf_fwm_items(hf_client *c, const char *const *items, unsigned flags,
		 struct json_object *comps, struct json_object *queue, struct json_object **ret);

#endif /* HOSTFISH_FWMGMT_PRIVATE_H */
