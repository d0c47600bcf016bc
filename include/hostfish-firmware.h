/* SPDX-License-Identifier: MIT */
/*
 * hostfish-firmware.h - libhostfish: firmware files uploaded, and packages flashed the way
 * HPE's own tools do.  Part of the public API:
 * hostfish.h includes it, and it can be included alone.  The conventions of hostfish.h apply.
 * C89, self-contained.
 */
#ifndef HOSTFISH_FIRMWARE_H
#define HOSTFISH_FIRMWARE_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- one firmware file, uploaded ---- */

/* hf_upload_options.protocol */
enum hf_upload_protocol {
	HF_UPLOAD_AUTO = 0, /* DMTF when the UpdateService has MultipartHttpPushUri, else HPE */
	HF_UPLOAD_HPE = 1, /* HPE's form to HttpPushUri (Oem.Hpe.PushUpdateUri) */
	HF_UPLOAD_DMTF = 2 /* DSP0266 multipart HTTP push update to MultipartHttpPushUri */
};

#define HF_UPLOAD_OPTIONS_VERSION 1

/* Options of hf_firmware_upload(); grows at its end only.  Strings are borrowed for the call. */
typedef struct hf_upload_options {
	unsigned int version; /* HF_UPLOAD_OPTIONS_VERSION */
	const char *compsig; /* HPE: the component's signature file (.compsig), or NULL */
	const char *const *targets; /* DMTF: NULL-terminated URIs for UpdateParameters.Targets */
	int protocol; /* enum hf_upload_protocol */
	hf_progress_fn progress; /* phase "upload", bytes sent of the body's total; or NULL */
	void *progress_userdata;
} hf_upload_options;

#define HF_UPLOAD_OPTIONS_INIT { HF_UPLOAD_OPTIONS_VERSION, NULL, NULL, HF_UPLOAD_AUTO, NULL, NULL }

/*
 * Upload a firmware file (and its signature) to the BMC's UpdateService, streamed from disk:
 * memory use does not depend on the file's size.  The files must be readable, non-empty
 * regular files (checked before anything is sent: -EINVAL, error kind HF_ERROR_USAGE).  The
 * UpdateService is read first: while it reports work in progress (iLO Oem.Hpe.State
 * Uploading, Verifying, Writing or Updating; DMTF Status.State Updating) nothing is sent and
 * the call fails with -EBUSY (kind HF_ERROR_HTTP_CLIENT).
 *
 * The body is multipart/form-data with a 128-bit random boundary (not checked against the
 * file, which is never read twice), sent with Content-Length.  HPE's form carries the
 * session's token ("sessionKey" field and cookie): the client logs in first (over CHIF
 * without credentials there is no session and none is sent).  The request is sent once:
 * never retried, and not replayed after a 401 (the caller may start over).  Through
 * hostfishd the client has no session: hostfishd streams the body to the BMC's push URI and
 * puts its own session into HPE's form; one upload at a time there (503 meanwhile).  The https
 * transport bounds it by progress: it fails when nothing moved for timeout_ms.  opts may be
 * NULL (defaults).
 *
 * Returns 0 and the BMC's answer in *ret (owned by the caller), whatever its HTTP status:
 * iLO answers 200 and works on (hf_firmware_wait() follows), a DMTF service 202 with a task.
 * Errors: -EINVAL, -EBUSY, -ENOTSUP (no push URI for the protocol, targets without
 * MultipartHttpPushUri, a signature file with it), -EREMOTEIO (the UpdateService could not be
 * read), -ECANCELED (progress), the errors of hf_request(), -EIO (the file could not be read
 * to the end).
 */
int hf_firmware_upload(hf_client *client, const char *file, const hf_upload_options *opts,
		       hf_response **ret);

/*
 * Wait until the BMC has processed an upload (the response of hf_firmware_upload(),
 * borrowed): a 202 is followed as hf_task_wait_response() does; a 200 from iLO by polling the
 * UpdateService's Oem.Hpe.State once a second until Complete or Error (or Idle again after
 * the work, or three times Idle in a row).  timeout_ms and progress as for hf_task_wait().
 * Returns 0 and the final answer (the task's, or the UpdateService) in *final (owned by the
 * caller; hf_task_state() says how it ended), -EINVAL when the upload failed, -ETIMEDOUT,
 * -ECANCELED, -EINTR, or a request error.
 */
int hf_firmware_wait(hf_client *client, const hf_response *upload, long timeout_ms,
		     hf_progress_fn progress, void *userdata, hf_response **final);

/* ---- packages flashed as HPE's tools do ---- */

#define HF_FLASH_OPTIONS_VERSION 2 /* 1: without dry_run and if_different */

/* Options of hf_firmware_flash(); grows at its end only.  Strings are borrowed for the call. */
typedef struct hf_flash_options {
	unsigned int version; /* HF_FLASH_OPTIONS_VERSION */
	const char *compsig; /* the signature (.compsig) of what is uploaded whole, or NULL */
	int recovery_set; /* UpdateRecoverySet: also store the component as the recovery set */
	int tpm_override; /* TPMOverride on the flash (and the task queue item) */
	int wait; /* types A and B: wait until the flash is over (and the iLO back after its own
		     firmware) and read the new version */
	long wait_timeout_ms; /* bounds each wait (<= 0: 30 minutes; at most 24 hours) */
	hf_progress_fn progress; /* phases "upload" (bytes of all uploads), "flash" (percent,
				    of 100), "queue", "reset"; nonzero cancels; or NULL */
	void *progress_userdata;
	/* version 2: */
	int dry_run; /* check everything, read the installed versions, send nothing: the report
			says what a flash with the same options would do */
	int if_different; /* send nothing when it would change nothing: every target already
			     runs the package's version, or (type C) the same package is already
			     waiting in the task queue */
} hf_flash_options;

#define HF_FLASH_OPTIONS_INIT { HF_FLASH_OPTIONS_VERSION, NULL, 0, 0, 0, 0, NULL, NULL, 0, 0 }

/*
 * Flash a firmware package the way HPE's own tools do in-band (ilorest flashfwpkg).  file is
 * an HPE .fwpkg (a zip with payload.json, read with libzip, streamed: memory use does not
 * depend on its size) or a plain image (.bin, .hpb: type A).  A package is classified image
 * by image as HPE does: DirectFlashOk -> A (B when ResetRequired), else UefiFlashable -> C,
 * else D; UpdatableBy Uefi+RuntimeAgent is D; Uefi+Bmc is decided by the FirmwareInventory
 * members whose Oem.Hpe.Targets hold the package's Devices.Device[].Target (Updateable: B,
 * else C, both: B then C).
 *  - A, B: uploaded with UpdateTarget and UpdateRepository true to HttpPushUri (the whole
 *    package when it is PackageFormat FWPKG-v2 and the UpdateService's
 *    Oem.Hpe.Capabilities.UpdateFWPKG is true, else each image out of the archive).
 *  - C: the package uploaded to the repository only (UpdateTarget false) as NAME.zip, then an
 *    UpdateTaskQueue item {Name, Command ApplyUpdate, Filename, UpdatableBy [Uefi],
 *    TPMOverride, Targets}: applied at the next server boot.
 *  - D: refused (-ENOTSUP, kind HF_ERROR_HTTP_CLIENT), nothing sent.
 * A component over 32 MiB with a signature goes in 32 MiB sections, each with its own
 * <base>_partN.compsig (in the package, or next to opts->compsig) and Section index.
 *
 * Nothing is uploaded when: the package is not a consistent zip, payload.json is missing,
 * does not parse or lacks UpdatableBy, Devices.Device[].FirmwareImages[] with FileName and
 * DirectFlashOk, or an image it names; a signature or section signature is missing (-EINVAL,
 * kind HF_ERROR_USAGE); the UpdateService is busy, or for type C an Exception or Expired item
 * blocks the task queue (-EBUSY, kind HF_ERROR_HTTP_CLIENT).  Like hf_firmware_upload() it
 * logs in before the first upload; through hostfishd it does not (hostfishd streams each
 * upload with its own session).
 *
 * Returns 0 and a report in *report (owned by the caller): {"File", "Type" ("A".."C", "BC"),
 * "Outcome" ("flashed", "uploaded": not waited for, "queued": pending until the next server
 * boot; with dry_run "dry-run"; with if_different "current": every target runs the package's
 * version, "pending": the same package already waits in the task queue), "Changed" (whether
 * anything was sent; with dry_run, whether it would be), "Uploads": [{"Filename", "Size",
 * "Sections", "UpdateTarget", "UpdateRepository"}] (with dry_run: planned), "Task": {"Name",
 * "@odata.id"} (queued), "Targets": [...], "Versions": [{"@odata.id", "Name", "Old", "New"}]
 * (flashed: before and after; with dry_run or if_different: installed and the package's
 * Devices.Device[].Version), "Current" and "Pending" (dry_run, if_different), "ResetRequired"
 * (B)}.  An installed version counts as the package's when it is the same string, or its
 * first word is (iLO: "2.72 Sep 04 2022"), or one of its words is "v" and the package's
 * version (System ROM: "A47 v2.58 (05/19/2022)").  A plain image names no version: it is
 * never current.  dry_run, and if_different when nothing is to be sent, also work through
 * hostfishd (they only read).  A flash the BMC reports failed (Oem.Hpe.State Error) is
 * -EREMOTEIO with the BMC's messages, completed from its message registries, in
 * hf_client_last_error().  Other errors: -ETIMEDOUT, -ECANCELED, -EINTR, and
 * those of hf_firmware_upload().  Type C whose queue item is certainly not made (its POST never
 * left, or the BMC refused it): the component just uploaded is deleted from the repository
 * again (also after an interrupt), unless the repository held one of that name before; when
 * the POST went out unanswered it stays (the item may exist).  The message says which.
 * A failure after the BMC took an upload (the flash failed on the BMC, a time-out, an
 * interrupt) still sets *report, "Outcome" "failed" and "Changed" true, with the uploads that
 * completed: the caller frees it; on any other failure *report is NULL.
 */
int hf_firmware_flash(hf_client *client, const char *file, const hf_flash_options *opts,
		      struct json_object **report);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_FIRMWARE_H */
