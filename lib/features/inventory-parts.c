/* SPDX-License-Identifier: MIT */
/*
 * inventory-parts.c - the arrays of hf_inventory(): processors, memory, storage, network
 * adapters, firmware.  Each is read from the collection the system (or the service root, or
 * a chassis) links; a part the BMC does not link is left out of the document.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "client-private.h"
#include "watch-private.h"

typedef void (*part_fn)(struct json_object *e, struct json_object *member);

/* doc[key] += fn(member) for each member of the collection at path (NULL: nothing). */
static int collect(struct hf_watch *w, const char *path, struct json_object *doc,
		   const char *key, part_fn fn)
{
	struct json_object *list = NULL, *out;
	size_t i, n;
	int r;

	if (!path)
		return 0;
	r = hf_w_members(w, path, &list);
	if (r != 0)
		return r < 0 ? r : 0;
	out = hf_w_get(doc, key);
	if (!out) {
		out = json_object_new_array();
		json_object_object_add(doc, key, out);
	}
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_new_object();

		fn(e, json_object_array_get_idx(list, i));
		json_object_array_add(out, e);
	}
	json_object_put(list);
	return 0;
}

static void processor(struct json_object *e, struct json_object *p)
{
	hf_w_copy_str(e, "id", p, "Id");
	hf_w_copy_str(e, "socket", p, "Socket");
	hf_w_copy_str(e, "type", p, "ProcessorType");
	hf_w_copy_str(e, "manufacturer", p, "Manufacturer");
	hf_w_copy_str(e, "model", p, "Model");
	hf_w_copy_num(e, "cores", p, "TotalCores");
	hf_w_copy_num(e, "threads", p, "TotalThreads");
	hf_w_copy_num(e, "max_speed_mhz", p, "MaxSpeedMHz");
	hf_w_copy_status(e, p);
}

int hf_w_processors(struct hf_watch *w, struct json_object *sys, struct json_object *doc)
{
	return collect(w, hf_w_link(sys, "Processors"), doc, "processors", processor);
}

static void dimm(struct json_object *e, struct json_object *m)
{
	hf_w_copy_str(e, "id", m, "Id");
	hf_w_copy_str(e, "locator", m, "DeviceLocator");
	hf_w_copy_num(e, "capacity_mib", m, "CapacityMiB");
	hf_w_copy_str(e, "type", m, "MemoryDeviceType");
	hf_w_copy_num(e, "speed_mhz", m, "OperatingSpeedMhz");
	hf_w_copy_str(e, "manufacturer", m, "Manufacturer");
	hf_w_copy_str(e, "part_number", m, "PartNumber");
	hf_w_copy_str(e, "serial", m, "SerialNumber");
	hf_w_copy_status(e, m);
}

int hf_w_memory(struct hf_watch *w, struct json_object *sys, struct json_object *doc)
{
	return collect(w, hf_w_link(sys, "Memory"), doc, "memory", dimm);
}

static void controller(struct json_object *e, struct json_object *c, const char *id_key)
{
	hf_w_copy_str(e, "id", c, id_key);
	hf_w_copy_str(e, "name", c, "Name");
	hf_w_copy_str(e, "model", c, "Model");
	hf_w_copy_str(e, "manufacturer", c, "Manufacturer");
	hf_w_copy_str(e, "serial", c, "SerialNumber");
	hf_w_copy_str(e, "firmware", c, "FirmwareVersion");
	hf_w_copy_status(e, c);
}

static void controller_member(struct json_object *e, struct json_object *c)
{
	controller(e, c, "Id");
}

static void drive(struct json_object *e, struct json_object *d)
{
	hf_w_copy_str(e, "id", d, "Id");
	hf_w_copy_str(e, "name", d, "Name");
	hf_w_copy_str(e, "model", d, "Model");
	hf_w_copy_str(e, "manufacturer", d, "Manufacturer");
	hf_w_copy_str(e, "serial", d, "SerialNumber");
	hf_w_copy_str(e, "firmware", d, "Revision");
	hf_w_copy_num(e, "capacity_bytes", d, "CapacityBytes");
	hf_w_copy_str(e, "media_type", d, "MediaType");
	hf_w_copy_str(e, "protocol", d, "Protocol");
	hf_w_copy_status(e, d);
}

/* each entry of arr (maybe NULL) tagged with the storage resource's Id */
static void tag_storage(struct json_object *arr, size_t from, struct json_object *st)
{
	size_t i, n = arr ? json_object_array_length(arr) : 0;

	for (i = from; i < n; i++)
		hf_w_copy_str(json_object_array_get_idx(arr, i), "storage", st, "Id");
}

static size_t length_of(struct json_object *doc, const char *key)
{
	struct json_object *a = hf_w_get(doc, key);

	return a ? json_object_array_length(a) : 0;
}

/* One Storage resource: its controllers (collection, or the older inline array) and drives. */
static int one_storage(struct hf_watch *w, struct json_object *st, struct json_object *out)
{
	struct json_object *inline_ctl = hf_w_get(st, "StorageControllers");
	struct json_object *drives = hf_w_get(st, "Drives");
	size_t i, n, before = length_of(out, "controllers");
	int r = 0;

	if (hf_w_link(st, "Controllers")) {
		r = collect(w, hf_w_link(st, "Controllers"), out, "controllers", controller_member);
	} else if (inline_ctl && json_object_is_type(inline_ctl, json_type_array)) {
		n = json_object_array_length(inline_ctl);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_new_object();

			controller(e, json_object_array_get_idx(inline_ctl, i), "MemberId");
			if (!hf_w_get(out, "controllers"))
				json_object_object_add(out, "controllers", json_object_new_array());
			json_object_array_add(hf_w_get(out, "controllers"), e);
		}
	}
	if (r < 0)
		return r;
	tag_storage(hf_w_get(out, "controllers"), before, st);
	before = length_of(out, "drives");
	n = drives && json_object_is_type(drives, json_type_array)
		    ? json_object_array_length(drives)
		    : 0;
	for (i = 0; i < n; i++) {
		const char *l = hf_w_str(json_object_array_get_idx(drives, i), "@odata.id");
		struct json_object *d = NULL, *e;

		r = l ? hf_w_read(w, l, &d) : 1;
		if (r < 0)
			return r;
		if (r)
			continue;
		e = json_object_new_object();
		drive(e, d);
		json_object_put(d);
		if (!hf_w_get(out, "drives"))
			json_object_object_add(out, "drives", json_object_new_array());
		json_object_array_add(hf_w_get(out, "drives"), e);
	}
	tag_storage(hf_w_get(out, "drives"), before, st);
	return 0;
}

/* SimpleStorage: a controller with its devices inline. */
static void simple_storage(struct json_object *st, struct json_object *out)
{
	struct json_object *devs = hf_w_get(st, "Devices"), *e;
	size_t i, n;

	e = json_object_new_object();
	controller(e, st, "Id");
	if (!hf_w_get(out, "controllers"))
		json_object_object_add(out, "controllers", json_object_new_array());
	json_object_array_add(hf_w_get(out, "controllers"), e);
	n = devs && json_object_is_type(devs, json_type_array) ? json_object_array_length(devs) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);

		e = json_object_new_object();
		hf_w_copy_str(e, "storage", st, "Id");
		hf_w_copy_str(e, "name", d, "Name");
		hf_w_copy_str(e, "model", d, "Model");
		hf_w_copy_str(e, "manufacturer", d, "Manufacturer");
		hf_w_copy_num(e, "capacity_bytes", d, "CapacityBytes");
		hf_w_copy_status(e, d);
		if (!hf_w_get(out, "drives"))
			json_object_object_add(out, "drives", json_object_new_array());
		json_object_array_add(hf_w_get(out, "drives"), e);
	}
}

int hf_w_storage(struct hf_watch *w, struct json_object *sys, struct json_object *doc)
{
	const char *l = hf_w_link(sys, "Storage");
	bool simple = !l;
	struct json_object *list = NULL, *out;
	size_t i, n;
	int r;

	if (!l)
		l = hf_w_link(sys, "SimpleStorage");
	if (!l)
		return 0;
	r = hf_w_members(w, l, &list);
	if (r != 0)
		return r < 0 ? r : 0;
	out = json_object_new_object();
	json_object_object_add(doc, "storage", out);
	n = json_object_array_length(list);
	for (i = 0, r = 0; i < n && r >= 0; i++) {
		struct json_object *st = json_object_array_get_idx(list, i);

		if (simple)
			simple_storage(st, out);
		else
			r = one_storage(w, st, out);
	}
	json_object_put(list);
	return r < 0 ? r : 0;
}

static void adapter(struct json_object *e, struct json_object *a)
{
	struct json_object *ctl = json_object_array_get_idx(hf_w_get(a, "Controllers"), 0);

	hf_w_copy_str(e, "id", a, "Id");
	hf_w_copy_str(e, "name", a, "Name");
	hf_w_copy_str(e, "model", a, "Model");
	hf_w_copy_str(e, "manufacturer", a, "Manufacturer");
	hf_w_copy_str(e, "serial", a, "SerialNumber");
	hf_w_copy_str(e, "part_number", a, "PartNumber");
	hf_w_copy_str(e, "firmware", ctl, "FirmwarePackageVersion");
	hf_w_copy_status(e, a);
}

/* HPE's BaseNetworkAdapters (iLO 5): Firmware.Current.VersionString, "N/A" when unknown */
static void hpe_adapter(struct json_object *e, struct json_object *a)
{
	const char *fw = hf_w_str(hf_w_get(hf_w_get(a, "Firmware"), "Current"), "VersionString");

	hf_w_copy_str(e, "id", a, "Id");
	hf_w_copy_str(e, "name", a, "Name");
	hf_w_copy_str(e, "serial", a, "SerialNumber");
	hf_w_copy_str(e, "part_number", a, "PartNumber");
	hf_w_copy_str(e, "location", a, "Location");
	if (fw && strcmp(fw, "N/A") != 0)
		hf_w_copy_str(e, "firmware", hf_w_get(hf_w_get(a, "Firmware"), "Current"),
			      "VersionString");
	hf_w_copy_status(e, a);
}

int hf_w_network(struct hf_watch *w, struct json_object *sys, struct json_object *chassis,
		 struct json_object *doc)
{
	size_t i, n = json_object_array_length(chassis);
	const char *hpe;
	int r;

	for (i = 0; i < n; i++) {
		struct json_object *ch = json_object_array_get_idx(chassis, i);

		r = collect(w, hf_w_link(ch, "NetworkAdapters"), doc, "network_adapters", adapter);
		if (r < 0)
			return r;
	}
	/* an iLO 5 lists its adapters only under the system's Oem.Hpe.Links */
	hpe = hf_w_link(hf_w_get(hf_w_get(hf_w_get(sys, "Oem"), "Hpe"), "Links"),
			"NetworkAdapters");
	if (length_of(doc, "network_adapters") == 0 && hpe) {
		json_object_object_del(doc, "network_adapters");
		return collect(w, hpe, doc, "network_adapters", hpe_adapter);
	}
	return 0;
}

static void firmware(struct json_object *e, struct json_object *f)
{
	struct json_object *u = hf_w_get(f, "Updateable");

	hf_w_copy_str(e, "id", f, "Id");
	hf_w_copy_str(e, "name", f, "Name");
	hf_w_copy_str(e, "version", f, "Version");
	hf_w_copy_str(e, "description", f, "Description");
	if (u && json_object_is_type(u, json_type_boolean))
		json_object_object_add(e, "updateable",
				       json_object_new_boolean(json_object_get_boolean(u)));
	hf_w_copy_status(e, f);
}

int hf_w_firmware(struct hf_watch *w, struct json_object *root, struct json_object *doc)
{
	struct json_object *us = NULL;
	const char *l = hf_w_link(root, "UpdateService");
	int r;

	if (!l)
		return 0;
	r = hf_w_read(w, l, &us);
	if (r != 0)
		return r < 0 ? r : 0;
	r = collect(w, hf_w_link(us, "FirmwareInventory"), doc, "firmware", firmware);
	json_object_put(us);
	return r;
}
