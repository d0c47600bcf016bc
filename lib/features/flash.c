/* SPDX-License-Identifier: MIT */
/*
 * flash.c - hf_firmware_flash(): a firmware package flashed the way HPE's flashfwpkg does it
 * (python-redfish-utility FwpkgCommand): classify, check everything that can be checked,
 * then upload (flash-upload.c) and, for type C, queue an UpdateTaskQueue item for the next
 * server boot.  Order: local checks (package, signatures), the UpdateService (busy?, push
 * URI, UpdateFWPKG), the FirmwareInventory (targets, versions), the task queue (type C), the
 * pieces and their section signatures - and only then the first upload.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zip.h>

#include "bmc-private.h"
#include "client-private.h"
#include "firmware-private.h"
#include "flash-private.h"
#include "task-private.h"

#define MAX_INVENTORY 256
#define UPDATE_TASK_QUEUE "/redfish/v1/UpdateService/UpdateTaskQueue/"

static int usage(struct hf_flash *f, int code, const char *what)
{
	hf_client_set_error(f->c, code, code == -EINVAL ? HF_ERROR_USAGE : HF_ERROR_HTTP_CLIENT, 0,
			    NULL, "%s: nothing was uploaded", what);
	return code;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcasecmp(s + n - m, tail) == 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* ---- local checks ---- */

static int open_package(struct hf_flash *f)
{
	char err[512];
	int r;

	if (!ends_with(f->file, ".fwpkg")) {
		f->type = 'A'; /* a plain image: HPE's tools flash .bin, .hpb, .fup as type A */
		return 0;
	}
	r = hf_fwpkg_open(f->file, &f->pkg, err, sizeof(err));
	if (r == -EINVAL)
		return usage(f, r, err);
	if (r < 0)
		return r;
	f->type = f->pkg->type;
	if (f->type == 'D') {
		snprintf(err, sizeof(err),
			 "%s is type D (%s): not flashable through the BMC (HPE's SUM or the "
			 "component's own installer flashes it)",
			 f->file,
			 f->pkg->by_uefi && f->pkg->by_agent
				 ? "UpdatableBy Uefi and RuntimeAgent"
				 : "no image is DirectFlashOk or UefiFlashable");
		return usage(f, -ENOTSUP, err);
	}
	return 0;
}

static int file_size(const char *path, uint64_t *size)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* every section signature the piece will need, before anything is sent */
static int check_sections(struct hf_flash *f, struct hf_flash_piece *p)
{
	char msg[512];
	unsigned i;

	p->sections = 1;
	if ((!p->sig_path && !p->sig_entry) || p->size <= HF_FLASH_SECTION_SIZE)
		return 0;
	p->sections = (unsigned)((p->size + HF_FLASH_SECTION_SIZE - 1) / HF_FLASH_SECTION_SIZE);
	if (p->sections > HF_FLASH_MAX_SECTIONS)
		return usage(f, -EINVAL, "the component is over 2 GiB");
	for (i = 1; i <= p->sections; i++) {
		char *name = p->sig_entry ? hf_flash_part_entry(p->name, i)
					  : hf_flash_part_sig(p->sig_path, p->name, i);
		uint64_t size;
		bool ok;

		if (!name)
			return -ENOMEM;
		ok = p->sig_entry ? zip_name_locate(f->pkg->zip, name, 0) >= 0
				  : file_size(name, &size) == 0;
		if (!ok) {
			snprintf(msg, sizeof(msg),
				 "%s is over 32 MiB: it goes in %u sections, and section %u's "
				 "signature %s is missing%s",
				 p->name, p->sections, i, name,
				 p->sig_entry ? " from the package" : "");
			free(name);
			return usage(f, -EINVAL, msg);
		}
		free(name);
	}
	return 0;
}

static int add_piece(struct hf_flash *f, const char *name, const char *entry, uint64_t size,
		     const char *sig_entry)
{
	struct hf_flash_piece *p = &f->piece[f->n_pieces];

	if (f->n_pieces == HF_FLASH_MAX_PIECES)
		return -E2BIG;
	p->name = hf_strdup(name);
	if (!p->name)
		return -ENOMEM;
	p->entry = entry;
	p->size = size;
	p->sig_entry = sig_entry;
	/* --compsig signs what is uploaded whole (the file given), not an image inside it */
	p->sig_path = !entry ? f->o->compsig : NULL;
	f->n_pieces++;
	f->total += size;
	return check_sections(f, p);
}

/* What goes up, as HPE decides it: type C (and BC) the package as NAME.zip; A and B the whole
 * package when it is FWPKG-v2 and the iLO takes packages, else each image. */
static int plan_pieces(struct hf_flash *f)
{
	uint64_t size;
	size_t i;
	int r;

	if (file_size(f->file, &size) < 0)
		return usage(f, -EINVAL, "the firmware file is not a non-empty regular file");
	if (f->type == 'C' || f->type2 == 'C') {
		struct hf_buf b = { 0 };

		r = hf_buf_printf(&b, "%.*s.zip", (int)(strlen(base_name(f->file)) - 6),
				  base_name(f->file));
		if (r == 0)
			r = add_piece(f, b.data, NULL, size, NULL);
		hf_buf_free(&b);
		return r;
	}
	if (!f->pkg || (f->pkg->v2 && f->fwpkg_ok))
		return add_piece(f, base_name(f->file), NULL, size, NULL);
	for (i = 0, r = 0; i < f->pkg->n_img && r == 0; i++) {
		const struct hf_fwpkg_image *im = &f->pkg->img[i];

		r = add_piece(f, im->file, im->file, im->size, im->compsig);
	}
	return r;
}

/* ---- the BMC's state ---- */

static int read_update_service(struct hf_flash *f)
{
	hf_response *us = NULL;
	struct json_object *hpe, *cap;
	const char *state = NULL, *uri;
	int r = hf_fw_update_service(f->c, &us);

	if (r < 0)
		return r;
	hpe = hf_fw_obj(hf_fw_obj(hf_response_json(us), "Oem"), "Hpe");
	if (hf_fw_busy(hf_response_json(us), &state)) {
		char msg[160];

		snprintf(msg, sizeof(msg), "the BMC's UpdateService is busy (%s); try again once "
					   "it is done", state);
		hf_response_free(us);
		return usage(f, -EBUSY, msg);
	}
	f->us_uri = hf_strdup(hf_fw_str(hf_response_json(us), "@odata.id"));
	uri = hf_fw_str(hf_response_json(us), "HttpPushUri");
	if (!uri)
		uri = hf_fw_str(hpe, "PushUpdateUri");
	cap = hf_fw_obj(hpe, "Capabilities");
	f->fwpkg_ok = cap && json_object_object_get_ex(cap, "UpdateFWPKG", &cap) &&
		      json_object_get_boolean(cap);
	f->push_uri = hf_strdup(uri);
	hf_response_free(us);
	if (!uri)
		return usage(f, -ENOTSUP, "the BMC's UpdateService has no HttpPushUri (HPE's "
					  "upload form)");
	return f->push_uri ? 0 : -ENOMEM;
}

/* every member of a collection, read one by one (bounded) into an array */
static int read_members(struct hf_flash *f, const char *uri, struct json_object **ret)
{
	hf_response *coll = NULL, *item = NULL;
	struct json_object *members, *out;
	size_t i;
	int r = hf_fw_get_json(f->c, uri, &coll);

	if (r < 0)
		return r;
	out = json_object_new_array();
	if (!out) {
		hf_response_free(coll);
		return -ENOMEM;
	}
	if (json_object_object_get_ex(hf_response_json(coll), "Members", &members) &&
	    json_object_is_type(members, json_type_array)) {
		for (i = 0; i < json_object_array_length(members) && i < MAX_INVENTORY; i++) {
			const char *id = hf_fw_str(json_object_array_get_idx(members, i),
						   "@odata.id");

			if (!id)
				continue;
			r = hf_fw_get_json(f->c, id, &item);
			if (r < 0)
				break;
			json_object_array_add(out, json_object_get(hf_response_json(item)));
			hf_response_free(item);
		}
	}
	hf_response_free(coll);
	if (r < 0) {
		json_object_put(out);
		return r;
	}
	*ret = out;
	return 0;
}

static int read_inventory(struct hf_flash *f)
{
	hf_response *us = NULL;
	const char *uri;
	char type2 = 0;
	int r = hf_fw_update_service(f->c, &us);

	if (r < 0)
		return r;
	uri = hf_fw_str(hf_fw_obj(hf_response_json(us), "FirmwareInventory"), "@odata.id");
	r = uri ? read_members(f, uri, &f->inventory) : 0;
	hf_response_free(us);
	if (r < 0 || !f->pkg)
		return r;
	if (f->type != 'I') {
		/* A, B, C: the members holding a device's Target, for their versions */
		if (f->inventory)
			f->n_targets = hf_fwpkg_targets(f->pkg, f->inventory, f->targets,
							HF_FWPKG_MAX_TARGETS);
		return 0;
	}
	if (!f->inventory)
		return usage(f, -ENOTSUP, "a Uefi+Bmc package needs the FirmwareInventory");
	r = hf_fwpkg_classify_inventory(f->pkg, f->inventory, f->targets, HF_FWPKG_MAX_TARGETS,
					&f->n_targets, &type2);
	if (r == -EAGAIN)
		return usage(f, -EBUSY, "a device of the package has no DeviceContext yet (iLO is "
					"still discovering devices): try again later");
	if (r == -ENODEV)
		return usage(f, -ENOTSUP, "no device of the package is on this server (no "
					  "FirmwareInventory member has its Target)");
	f->type = f->pkg->type;
	f->type2 = type2;
	f->by_inventory = true;
	return r;
}

/* HPE's rule: an Exception (or Expired) item stops the queue: nothing after it runs */
static int check_task_queue(struct hf_flash *f)
{
	struct json_object *items = NULL;
	char msg[512];
	size_t i;
	int r = read_members(f, UPDATE_TASK_QUEUE, &items);

	if (r < 0)
		return r;
	for (i = 0; i < json_object_array_length(items); i++) {
		struct json_object *it = json_object_array_get_idx(items, i);
		const char *state = hf_fw_str(it, "State");

		if (state && (strcmp(state, "Exception") == 0 || strcmp(state, "Expired") == 0)) {
			snprintf(msg, sizeof(msg),
				 "the task queue item %s is in state %s and blocks every item "
				 "after it; remove it first (DELETE %s)",
				 hf_fw_str(it, "Name") ?: "?", state, hf_fw_str(it, "@odata.id") ?: "");
			json_object_put(items);
			return usage(f, -EBUSY, msg);
		}
	}
	f->queue = items; /* for if_different: the same package may be waiting already */
	return 0;
}

/* HPE's uploadcomp: a component of the same name that a task queue item or install set
 * locks cannot be replaced */
static int check_locked(struct hf_flash *f)
{
	struct json_object *comps = NULL;
	char msg[512];
	size_t i, j;
	int r = read_members(f, "/redfish/v1/UpdateService/ComponentRepository/", &comps);

	if (r == -EREMOTEIO) /* no repository: nothing can be locked */
		return 0;
	for (i = 0; r == 0 && i < json_object_array_length(comps); i++) {
		struct json_object *c = json_object_array_get_idx(comps, i), *locked;
		const char *name = hf_fw_str(c, "Filename");

		if (name && f->n_pieces && strcmp(name, f->piece[0].name) == 0)
			f->repo_had = true;
		if (!name || !json_object_object_get_ex(c, "Locked", &locked) ||
		    !json_object_get_boolean(locked))
			continue;
		for (j = 0; j < f->n_pieces; j++)
			if (strcmp(name, f->piece[j].name) == 0) {
				snprintf(msg, sizeof(msg),
					 "the repository's %s is locked by a task queue item or an "
					 "install set; remove those first",
					 name);
				r = usage(f, -EBUSY, msg);
				break;
			}
	}
	json_object_put(comps);
	return r;
}

/* ---- the report ---- */

/* a string of the inventory member with this @odata.id */
static const char *field_of(struct json_object *inventory, const char *id, const char *key)
{
	size_t i;

	for (i = 0; inventory && i < json_object_array_length(inventory); i++) {
		struct json_object *m = json_object_array_get_idx(inventory, i);
		const char *mid = hf_fw_str(m, "@odata.id");

		if (mid && strcmp(mid, id) == 0)
			return hf_fw_str(m, key);
	}
	return NULL;
}

/* Whether a matched member is the BMC's own firmware: iLO's inventory names it "iLO N" with
 * the Description "SystemBMC".  Flashing it makes the iLO reset itself. */
static bool targets_bmc(struct hf_flash *f)
{
	size_t i, j;

	for (i = 0; f->inventory && i < json_object_array_length(f->inventory); i++) {
		struct json_object *m = json_object_array_get_idx(f->inventory, i);
		const char *id = hf_fw_str(m, "@odata.id"), *name = hf_fw_str(m, "Name");
		const char *desc = hf_fw_str(m, "Description");
		bool bmc = (desc && strcmp(desc, "SystemBMC") == 0) ||
			   (name && strncmp(name, "iLO", 3) == 0);

		for (j = 0; bmc && id && j < f->n_targets; j++)
			if (strcmp(id, f->targets[j]) == 0)
				return true;
	}
	return false;
}

static void report_versions(struct hf_flash *f, struct json_object *before)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr && i < f->n_targets; i++) {
		struct json_object *v = json_object_new_object();
		const char *old = field_of(before, f->targets[i], "Version");
		const char *new = field_of(f->inventory, f->targets[i], "Version");
		const char *name = field_of(f->inventory, f->targets[i], "Name");

		json_object_object_add(v, "@odata.id", json_object_new_string(f->targets[i]));
		json_object_object_add(v, "Name", name ? json_object_new_string(name) : NULL);
		json_object_object_add(v, "Old", old ? json_object_new_string(old) : NULL);
		json_object_object_add(v, "New", new ? json_object_new_string(new) : NULL);
		json_object_array_add(arr, v);
	}
	json_object_object_add(f->report, "Versions", arr);
}

static void report_start(struct hf_flash *f)
{
	char type[3] = { f->type, f->type2, 0 };
	struct json_object *t = json_object_new_array();
	size_t i;

	json_object_object_add(f->report, "File", json_object_new_string(f->file));
	json_object_object_add(f->report, "Type", json_object_new_string(type));
	json_object_object_add(f->report, "Uploads", json_object_new_array());
	for (i = 0; t && i < f->n_targets; i++)
		json_object_array_add(t, json_object_new_string(f->targets[i]));
	json_object_object_add(f->report, "Targets", t);
	json_object_object_add(f->report, "ResetRequired", json_object_new_boolean(f->type == 'B'));
}

/* ---- type C: the task queue item ---- */

enum {
	QUEUE_NOT_YET = 0, /* the POST was not reached */
	QUEUE_UNSENT, /* it certainly did not reach the BMC */
	QUEUE_REFUSED, /* the BMC answered it with an error: no item */
	QUEUE_UNKNOWN, /* it went out, and no answer came (interrupt, time-out) */
	QUEUE_MADE,
};

static int queue_item(struct hf_flash *f, const char *filename)
{
	struct json_object *body = json_object_new_object(), *t, *task;
	hf_response *resp = NULL;
	unsigned rnd = 0;
	char name[32];
	size_t i;
	int r, status;

	if (!body)
		return -ENOMEM;
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (unsigned)getpid();
	snprintf(name, sizeof(name), "Update-%u", rnd % 1000000); /* HPE's naming */
	json_object_object_add(body, "Name", json_object_new_string(name));
	json_object_object_add(body, "Command", json_object_new_string("ApplyUpdate"));
	json_object_object_add(body, "Filename", json_object_new_string(filename));
	t = json_object_new_array();
	json_object_array_add(t, json_object_new_string("Uefi"));
	json_object_object_add(body, "UpdatableBy", t);
	json_object_object_add(body, "TPMOverride", json_object_new_boolean(f->o->tpm_override));
	if (f->by_inventory && f->n_targets) {
		t = json_object_new_array();
		for (i = 0; t && i < f->n_targets; i++)
			json_object_array_add(t, json_object_new_string(f->targets[i]));
		json_object_object_add(body, "Targets", t);
	}
	if (f->o->progress)
		f->o->progress(f->o->progress_userdata, "queue", 0, 0);
	r = hf_request_json(f->c, "POST", UPDATE_TASK_QUEUE, NULL, body, &resp);
	json_object_put(body);
	if (r < 0) {
		f->queue_sent = hf_client_last_unsent(f->c) ? QUEUE_UNSENT : QUEUE_UNKNOWN;
		return r;
	}
	status = hf_response_status(resp);
	if (status < 200 || status >= 300) {
		f->queue_sent = QUEUE_REFUSED;
		hf_client_set_error(f->c, -EREMOTEIO,
				    status >= 500 ? HF_ERROR_HTTP_SERVER : HF_ERROR_HTTP_CLIENT,
				    status, hf_response_redfish_error(resp),
				    "POST %s: %d %s (%s not queued)", UPDATE_TASK_QUEUE, status,
				    hf_response_reason(resp), filename);
		hf_response_free(resp);
		return -EREMOTEIO;
	}
	f->queue_sent = QUEUE_MADE;
	task = json_object_new_object();
	json_object_object_add(task, "Name", json_object_new_string(name));
	if (hf_response_header(resp, "Location"))
		json_object_object_add(task, "@odata.id",
				       json_object_new_string(hf_response_header(resp, "Location")));
	json_object_object_add(f->report, "Task", task);
	hf_response_free(resp);
	return 0;
}

/*
 * Type C whose queue item is certainly not made (its POST never left, or the BMC refused it):
 * the component just uploaded would stay in the repository, queued by nobody, so it goes
 * again, unless the repository held one of that name before.  When the POST went out and no
 * answer came (interrupted, timed out) the component stays: the item may exist, and would
 * fail without it.  This is the failed command's cleanup: done also after an interrupt (a few
 * requests, each bounded by the client's timeout).  The failure's message says what became of
 * the component; its code and kind stay.
 */
static void unqueued_cleanup(struct hf_flash *f)
{
	const hf_error *e = hf_client_last_error(f->c);
	int code = e->code, kind = e->kind, status = e->http_status, seen, r;
	hf_redfish_error *rf = hf_rferror_ref((hf_redfish_error *)e->redfish);
	char *msg = strdup(e->message), note[400];
	const char *name = f->piece[0].name;

	if (f->queue_sent == QUEUE_UNKNOWN) {
		snprintf(note, sizeof(note),
			 "%s stays in the repository: the queue item may have been made "
			 "(hostfish firmware queue list)",
			 name);
	} else if (f->repo_had) {
		snprintf(note, sizeof(note), "%s stays in the repository, which held it before",
			 name);
	} else {
		seen = hf_op_rebase(f->c);
		r = hf_firmware_repo_delete(f->c, name); /* fwmgmt.c: finds it by Filename */
		hf_op_restore(f->c, seen);
		snprintf(note, sizeof(note),
			 r == 0 ? "%s was removed from the repository again"
				: "%s stays in the repository: removing it failed (hostfish firmware "
				  "repo delete)",
			 name);
	}
	hf_log_info(&f->c->log, "%s", note);
	hf_client_set_error(f->c, code, kind, status, rf, "%s; %s", msg ? msg : "", note);
	hf_rferror_unref(rf);
	free(msg);
}

/* ---- the flow ---- */

/* everything that can be checked, by reading only (also through hostfishd) */
static int prepare(struct hf_flash *f)
{
	int r;

	if (f->o->compsig) {
		uint64_t size;

		if (file_size(f->o->compsig, &size) < 0)
			return usage(f, -EINVAL, "the signature file (--compsig) is not a non-empty "
						 "regular file");
	}
	r = open_package(f);
	if (r == 0)
		r = read_update_service(f);
	if (r == 0)
		r = read_inventory(f);
	if (r == 0 && (f->type == 'C' || f->type2 == 'C'))
		r = check_task_queue(f);
	if (r == 0)
		r = plan_pieces(f);
	if (r == 0)
		report_start(f);
	return r;
}

/* the session HPE's upload form needs (none through hostfishd: it puts its own in) */
static int login(struct hf_flash *f)
{
	int r;

	if (f->c->transport.ops->caps & HF_TCAP_AGENT)
		return 0;
	r = hf_client_login(f->c);
	if (r == 0) {
		r = hf_client_session_dup(f->c, &f->token, NULL);
		r = r == -ENOENT ? 0 : r;
	}
	return r;
}

static int flash(struct hf_flash *f)
{
	bool queued = f->type == 'C' || f->type2 == 'C';
	bool target = f->type == 'A' || f->type == 'B';
	struct json_object *before = NULL;
	const char *outcome;
	size_t i;
	int r = 0;

	json_object_object_add(f->report, "Changed", json_object_new_boolean(1));
	f->may_reset = target && f->o->wait && targets_bmc(f);
	for (i = 0; i < f->n_pieces && r == 0; i++)
		r = hf_flash_send_piece(f, &f->piece[i], target,
					i + 1 < f->n_pieces || queued || f->o->wait);
	if (r == 0 && queued)
		r = queue_item(f, f->piece[0].name);
	if (r < 0)
		return r;
	outcome = queued ? "queued" : f->o->wait ? "flashed" : "uploaded";
	if (f->may_reset) {
		/* the iLO resets itself to run its new firmware: wait until it is back, logged in
		 * again, before reading the new version */
		if (f->o->progress)
			f->o->progress(f->o->progress_userdata, "reset", 0, 0);
		json_object_object_add(f->report, "BmcReset", json_object_new_boolean(1));
		r = hf_bmc_wait_back(f->c, f->o->wait_timeout_ms > 0 ? f->o->wait_timeout_ms / 1000
								    : 0,
				     NULL, f->gone ? HF_BMC_WAIT_GONE : 0, f->o->progress,
				     f->o->progress_userdata, NULL);
		if (r < 0)
			return r;
	}
	if (target && f->o->wait && f->n_targets) {
		before = f->inventory;
		f->inventory = NULL;
		r = read_inventory(f);
		if (r == 0)
			report_versions(f, before);
		json_object_put(before);
	}
	json_object_object_add(f->report, "Outcome", json_object_new_string(outcome));
	return r;
}

_hf_public_ int hf_firmware_flash(hf_client *c, const char *file, const hf_flash_options *o,
				  struct json_object **report)
{
	hf_flash_options lo = HF_FLASH_OPTIONS_INIT;
	struct hf_flash f = { .c = c };
	bool stop = false, changed = true;
	size_t i;
	int r;

	if (report)
		*report = NULL;
	if (!c || !file || !report)
		return -EINVAL;
	HF_OPERATION(c);
	if (o && (o->version < 1 || o->version > HF_FLASH_OPTIONS_VERSION)) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "invalid hf_flash_options (version %u)", o->version);
		return -EINVAL;
	}
	/* a version 1 caller's struct ends before dry_run */
	if (o)
		memcpy(&lo, o, o->version == 1 ? offsetof(hf_flash_options, dry_run) : sizeof(lo));
	lo.version = HF_FLASH_OPTIONS_VERSION;
	f.o = &lo;
	f.file = file;
	f.interrupts_seen = __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST);
	f.report = json_object_new_object();
	r = f.report ? prepare(&f) : -ENOMEM;
	if (r == 0 && (lo.dry_run || lo.if_different))
		stop = hf_flash_decide(&f, &changed);
	if (r == 0 && changed) /* what would be sent may not be replaceable */
		r = check_locked(&f);
	if (r == 0 && !stop) {
		r = login(&f);
		if (r == 0)
			r = flash(&f);
		if (r < 0 && f.queue_sent != QUEUE_NOT_YET && f.queue_sent != QUEUE_MADE)
			unqueued_cleanup(&f);
	}
	if (r == 0 || (f.accepted && f.report)) {
		/* a failure after the BMC took an upload: what was sent, for the caller to tell */
		if (r < 0)
			json_object_object_add(f.report, "Outcome", json_object_new_string("failed"));
		*report = f.report;
		f.report = NULL;
	}
	for (i = 0; i < f.n_pieces; i++)
		free(f.piece[i].name);
	if (f.token) {
		hf_wipe(f.token, strlen(f.token));
		free(f.token);
	}
	free(f.push_uri);
	free(f.us_uri);
	json_object_put(f.inventory);
	json_object_put(f.queue);
	json_object_put(f.report);
	hf_fwpkg_free(f.pkg);
	return r;
}
