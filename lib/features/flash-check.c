/* SPDX-License-Identifier: MIT */
/*
 * flash-check.c - hf_firmware_flash()'s dry_run and if_different: whether a flash would change
 * anything.  Each target's installed version (FirmwareInventory) against the package's
 * (payload.json Devices.Device[].Version); for type C, whether the same package already waits
 * in the task queue.  HPE's flashfwpkg compares nothing (it always flashes): the rule for
 * "the same version" is ours, stated in hostfish-firmware.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "flash-private.h"
#include "firmware-private.h"

/* the next whitespace-separated word of *s, as [start, len) */
static bool next_word(const char **s, const char **word, size_t *len)
{
	const char *p = *s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return false;
	*word = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*len = (size_t)(p - *word);
	*s = p;
	return true;
}

bool hf_flash_version_matches(const char *installed, const char *package)
{
	size_t plen, len;
	const char *w;
	bool first = true;

	if (!installed || !package || !*package)
		return false;
	if (strcmp(installed, package) == 0)
		return true;
	plen = strlen(package);
	while (next_word(&installed, &w, &len)) {
		if (first && len == plen && memcmp(w, package, plen) == 0)
			return true; /* iLO: "2.72 Sep 04 2022" */
		if (len == plen + 1 && (w[0] == 'v' || w[0] == 'V') && memcmp(w + 1, package, plen) == 0)
			return true; /* System ROM: "A47 v2.58 (05/19/2022)" */
		first = false;
	}
	return false;
}

static struct json_object *member(struct hf_flash *f, const char *id)
{
	size_t i;

	for (i = 0; f->inventory && i < json_object_array_length(f->inventory); i++) {
		struct json_object *m = json_object_array_get_idx(f->inventory, i);
		const char *mid = hf_fw_str(m, "@odata.id");

		if (mid && strcmp(mid, id) == 0)
			return m;
	}
	return NULL;
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/*
 * Whether the target members run the package's versions.  Several members can hold one
 * Target (iLO 5: the System ROM's also names the Intelligent Platform Abstraction Data, the
 * CPLD and the chassis firmware): a device is current when a member holding its Target runs
 * its version, and so does every other such member of the same Name (eight identical GPUs:
 * all of them).  Every target's installed and package versions go into the report.
 */
static bool compare_versions(struct hf_flash *f)
{
	struct json_object *arr = json_object_new_array();
	bool current = f->pkg && f->n_targets > 0;
	size_t i, j;

	for (i = 0; arr && i < f->n_targets; i++) {
		struct json_object *m = member(f, f->targets[i]), *v = json_object_new_object();
		const char *installed = hf_fw_str(m, "Version"), *name = hf_fw_str(m, "Name");
		const char *pkg = f->pkg ? hf_fwpkg_device_version(f->pkg, m) : NULL;

		json_object_object_add(v, "@odata.id", json_object_new_string(f->targets[i]));
		json_object_object_add(v, "Name", str_or_null(name));
		json_object_object_add(v, "Old", str_or_null(installed));
		json_object_object_add(v, "New", str_or_null(pkg));
		json_object_array_add(arr, v);
		if (hf_flash_version_matches(installed, pkg))
			continue;
		/* not this one: current only if another member of the same device runs pkg while
		 * none of this member's Name does not */
		for (j = 0; current && j < f->n_targets; j++) {
			struct json_object *o = member(f, f->targets[j]);

			if (j != i && same(pkg, hf_fwpkg_device_version(f->pkg, o)) &&
			    hf_flash_version_matches(hf_fw_str(o, "Version"), pkg))
				break;
		}
		if (j == f->n_targets || !pkg)
			current = false;
		for (j = 0; current && j < f->n_targets; j++) {
			struct json_object *o = member(f, f->targets[j]);

			if (same(name, hf_fw_str(o, "Name")) && j != i)
				current = false; /* a twin runs pkg, this one does not */
		}
	}
	json_object_object_add(f->report, "Versions", arr);
	return current;
}

/* type C: an ApplyUpdate item for the same file that has not run yet */
static bool already_queued(struct hf_flash *f)
{
	size_t i;

	if ((f->type != 'C' && f->type2 != 'C') || !f->queue || !f->n_pieces)
		return false;
	for (i = 0; i < json_object_array_length(f->queue); i++) {
		struct json_object *it = json_object_array_get_idx(f->queue, i);
		const char *state = hf_fw_str(it, "State"), *cmd = hf_fw_str(it, "Command");
		const char *file = hf_fw_str(it, "Filename");

		if (state && cmd && file && strcmp(cmd, "ApplyUpdate") == 0 &&
		    strcmp(file, f->piece[0].name) == 0 &&
		    (strcmp(state, "Pending") == 0 || strcmp(state, "In progress") == 0))
			return true;
	}
	return false;
}

/* what the uploads would be, as flash-upload.c reports them once sent */
static void planned_uploads(struct hf_flash *f)
{
	struct json_object *arr = json_object_new_array();
	bool target = f->type == 'A' || f->type == 'B';
	size_t i;

	for (i = 0; arr && i < f->n_pieces; i++) {
		struct json_object *u = json_object_new_object();

		json_object_object_add(u, "Filename", json_object_new_string(f->piece[i].name));
		json_object_object_add(u, "Size", json_object_new_int64((int64_t)f->piece[i].size));
		json_object_object_add(u, "Sections", json_object_new_int((int)f->piece[i].sections));
		json_object_object_add(u, "UpdateTarget", json_object_new_boolean(target));
		json_object_object_add(u, "UpdateRepository", json_object_new_boolean(1));
		json_object_array_add(arr, u);
	}
	json_object_object_add(f->report, "Uploads", arr);
}

bool hf_flash_decide(struct hf_flash *f, bool *changed)
{
	bool current = compare_versions(f), pending = already_queued(f);
	bool skip = current || pending;

	/* a dry run says what a flash with the same options would do */
	*changed = !(f->o->if_different && skip);
	json_object_object_add(f->report, "Current", json_object_new_boolean(current));
	json_object_object_add(f->report, "Pending", json_object_new_boolean(pending));
	json_object_object_add(f->report, "Changed", json_object_new_boolean(*changed));
	if (f->o->dry_run) {
		planned_uploads(f);
		json_object_object_add(f->report, "Outcome", json_object_new_string("dry-run"));
	} else if (!*changed) {
		json_object_object_add(f->report, "Outcome",
				       json_object_new_string(current ? "current" : "pending"));
	}
	return f->o->dry_run || !*changed;
}
