/* SPDX-License-Identifier: MIT */
/*
 * flash-private.h - hf_firmware_flash() in two files: flash.c plans (package, type, targets,
 * task queue, report), flash-upload.c sends (pieces, sections, the wait on Oem.Hpe.State).
 */
#ifndef HOSTFISH_FLASH_PRIVATE_H
#define HOSTFISH_FLASH_PRIVATE_H

#include <stdint.h>

#include "hostfish-private.h"
#include "fwpkg-private.h"

#define HF_FLASH_MAX_PIECES HF_FWPKG_MAX_IMAGES
#define HF_FLASH_MAX_SECTIONS 64 /* 2 GiB in 32 MiB sections */

/* one file to upload: the whole package, or an image out of it */
struct hf_flash_piece {
	char *name; /* the file name sent (NAME.zip for type C) */
	const char *entry; /* zip entry; NULL: the file on disk */
	uint64_t size;
	const char *sig_path; /* its signature: a file on disk, or */
	const char *sig_entry; /* an entry of the package, or neither */
	unsigned sections; /* 1, or ceil(size / 32 MiB) with a signature */
};

struct hf_flash {
	hf_client *c;
	const hf_flash_options *o;
	const char *file;
	struct hf_fwpkg *pkg; /* NULL for a plain image */
	char type, type2; /* 'A'..'D'; type2 'C' for a "BC" package */
	bool fwpkg_ok; /* Oem.Hpe.Capabilities.UpdateFWPKG */
	bool by_inventory; /* a Uefi+Bmc package: its targets go into the queue item */
	char *push_uri;
	char *us_uri; /* the UpdateService */
	/* the flash's target is the iLO itself: it resets once done, perhaps between two polls;
	 * polls then go without re-login and retries, and a failed one means "gone" */
	bool may_reset, gone;
	struct json_object *inventory; /* array of the FirmwareInventory members (owned) */
	const char *targets[HF_FWPKG_MAX_TARGETS]; /* @odata.id of matched members */
	size_t n_targets;
	struct hf_flash_piece piece[HF_FLASH_MAX_PIECES];
	size_t n_pieces;
	char *token; /* the session's, for HPE's form; NULL over CHIF without one */
	uint64_t total, sent; /* upload progress over every piece and section */
	unsigned accepted; /* sections the BMC answered with 2xx: something was stored */
	int interrupts_seen;
	struct json_object *queue; /* type C: the task queue's items (owned), or NULL */
	bool repo_had; /* type C: the repository held a component of its name before */
	int queue_sent; /* type C: what became of the queue item's POST (flash.c) */
	struct json_object *report; /* being built (owned) */
};

/* Upload one piece (in its sections), with these flags; each upload is waited for before the
 * next one is sent (wait_last: the last one too).  Adds to report.Uploads. */
int hf_flash_send_piece(struct hf_flash *f, const struct hf_flash_piece *p, bool target,
			bool wait_last);
/* Poll the UpdateService until the work is over (Complete, Error, Idle after work), reporting
 * FlashProgressPercent; Error -> -EREMOTEIO with the BMC's messages (Oem.Hpe.Result).  With
 * may_reset, a BMC that stops answering (or forgets the session) after the work began is
 * over too: f->gone is set. */
int hf_flash_wait_state(struct hf_flash *f);
/* dry_run, if_different: the installed and package versions (and, type C, an item already
 * queued) into the report; *changed: whether a flash would send anything.  Returns true when
 * nothing is to be sent now (dry_run, or if_different and nothing would change), with
 * "Outcome" then set. */
bool hf_flash_decide(struct hf_flash *f, bool *changed);
/* Whether an installed version is the package's (the rule in hostfish-firmware.h). */
bool hf_flash_version_matches(const char *installed, const char *package);
/* The path of section i's (1-based) signature next to sig_path: dir/<base>_partI.compsig. */
char *hf_flash_part_sig(const char *sig_path, const char *name, unsigned i);
/* The name of section i's signature in the package: <base>_partI.compsig. */
char *hf_flash_part_entry(const char *name, unsigned i);

#endif /* HOSTFISH_FLASH_PRIVATE_H */
