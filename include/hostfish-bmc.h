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

/* hf_bmc_wait() flags */
#define HF_BMC_WAIT_GONE 1u /* the caller saw the BMC stop answering: wait for it to return */

/*
 * Wait across a reset of the BMC, as hf_bmc_reset() does with HF_BMC_RESET_WAIT, for a reset
 * the caller did not ask for through hf_bmc_reset() (an agent that finds its BMC gone).
 * Without flags: wait for the BMC to go away, then to come back; the session is forgotten
 * (journal entry included) once the BMC is seen gone.  With HF_BMC_WAIT_GONE: the BMC already
 * stopped answering, which may not be a reset: wait for it to answer, then go on with the
 * session if the BMC still knows it, or log in again (the old session's journal entry is
 * removed once the BMC confirms it gone).  Either way the first manager is read to end the
 * wait.  progress (may be NULL) gets phase "reset" while the BMC is away, "reconnect" once it
 * answers again, with seconds waited out of timeout_s (<= 0: 300); nonzero cancels.  Returns 0,
 * -ETIMEDOUT, -EINTR (hf_client_interrupt()), -ECANCELED, -EACCES, or a request error.
 */
int hf_bmc_wait(hf_client *client, long timeout_s, unsigned flags, hf_progress_fn progress,
		void *userdata);

/*
 * hf_https_cert_import() (see hostfish.h), then the wait across the reset an iLO does to use
 * the certificate (as hf_bmc_wait() without flags; wait_timeout_s <= 0: 300), then the check:
 * the BMC must describe the imported certificate (HttpsCert's serial number).  The TLS
 * connections after the reset must accept the new certificate as they would any (its CA in
 * hf_options.ca_file; the host interface's pin does not follow it).  Returns 0, the errors of
 * hf_https_cert_import() and hf_bmc_wait(), or -EIO when the BMC came back with another
 * certificate (the message gives both serial numbers).
 */
int hf_https_cert_import_wait(hf_client *client, const char *pem, size_t len,
			      long wait_timeout_s, hf_progress_fn progress, void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_BMC_H */
