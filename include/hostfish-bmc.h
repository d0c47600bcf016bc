/* SPDX-License-Identifier: MIT */
/*
 * hostfish-bmc.h - libhostfish: the BMC itself (its reset, and the wait across it).  Part of
 * the public API: hostfish.h includes it, and it can be included alone.  The conventions of
 * hostfish.h apply.  C89, self-contained.
 */
#ifndef HOSTFISH_BMC_H
#define HOSTFISH_BMC_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

/* hf_bmc_reset() flags */
#define HF_BMC_RESET_WAIT 1u /* wait until the BMC is back and answers (see below) */

/*
 * Reset the BMC: POST {"ResetType": reset_type} to the first manager's #Manager.Reset action
 * target, read from the manager's Actions (NULL reset_type: "GracefulRestart"; iLO 6 treats
 * it as ForceRestart).  A type the action's ResetType@Redfish.AllowableValues does not list is
 * refused before the POST: -EINVAL, kind HF_ERROR_USAGE, the message naming the allowed ones.
 *
 * The reset ends every session and connection the BMC had.  With HF_BMC_RESET_WAIT the call
 * waits, at most wait_timeout_s seconds (<= 0: 300), for the BMC to go away and come back:
 * probes with a bounded back-off (0.1 s doubling to 0.5 s), over new connections (https and
 * hostif connect again; chif opens new channels; through hostfishd, its 503 answers during
 * the outage mean "gone"); then the client logs in again (when it uses sessions), drops the
 * old session (its journal entry goes once the BMC confirms it gone) and reads the manager.
 * progress (may be NULL) is called with phase "reset" and seconds waited out of
 * wait_timeout_s; nonzero cancels (-ECANCELED).  hf_client_interrupt() stops the wait (-EINTR).
 *
 * Returns 0 and, when ret is not NULL, a report (owned by the caller, json_object_put()):
 * {"manager", "reset_type", "allowed": [...] or null, "waited", and after a wait
 * "gone_after_ms" (null when the BMC was seen back without being seen gone), "back_after_ms",
 * "ready_after_ms"}.  Errors: -EINVAL, -ENOTSUP (no reset action), -EACCES, -EPERM, -EIO (the
 * BMC refused the reset), -ETIMEDOUT (the message says whether the BMC never went away or
 * never came back), -EINTR, -ECANCELED, the errors of hf_request().
 */
int hf_bmc_reset(hf_client *client, const char *reset_type, unsigned flags, long wait_timeout_s,
		 hf_progress_fn progress, void *userdata, struct json_object **ret);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_BMC_H */
