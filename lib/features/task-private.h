/* SPDX-License-Identifier: MIT */
/*
 * task-private.h - bounds and helpers shared by task.c and firmware.c.
 */
#ifndef HOSTFISH_TASK_PRIVATE_H
#define HOSTFISH_TASK_PRIVATE_H

#include "client-private.h"

#define HF_TASK_POLL_MS 1000L /* between polls when the BMC sends no Retry-After */
#define HF_TASK_MIN_POLL_MS 100L /* Retry-After: 0 does not make a busy loop */
#define HF_TASK_MAX_POLL_MS 60000L /* a larger Retry-After is shortened to this */
#define HF_TASK_DEFAULT_TIMEOUT_MS (30L * 60 * 1000) /* timeout_ms <= 0 */
#define HF_TASK_MAX_TIMEOUT_MS (24L * 3600 * 1000)

/* Oem.Hpe.State of an UpdateService resource, borrowed; NULL when absent. */
const char *hf_update_state_of(struct json_object *update_service);
/* timeout_ms with the default and the upper bound applied */
long hf_task_timeout_ms(long timeout_ms);

#endif /* HOSTFISH_TASK_PRIVATE_H */
