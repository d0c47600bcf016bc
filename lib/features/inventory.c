/* SPDX-License-Identifier: MIT */
/*
 * inventory.c - hf_inventory(): one normalised document of what a BMC knows about its server
 * (system, BMC, processors, memory, storage, network adapters, power supplies, fans,
 * temperatures, power, firmware).  The parts are read by inventory-parts.c and sensors.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "client-private.h"
#include "watch-private.h"

/* The first member of the collection the service root links as key (read whole). */
static int first_member(struct hf_watch *w, struct json_object *root, const char *key,
			const char *fallback, struct json_object **ret)
{
	struct json_object *coll = NULL, *members;
	const char *m;
	int r;

	*ret = NULL;
	r = hf_w_read(w, hf_w_root_link(root, key, fallback), &coll);
	if (r != 0)
		return r < 0 ? r : 0;
	members = hf_w_get(coll, "Members");
	m = members && json_object_is_type(members, json_type_array)
		    ? hf_w_str(json_object_array_get_idx(members, 0), "@odata.id")
		    : NULL;
	r = m ? hf_w_read(w, m, ret) : 0;
	json_object_put(coll);
	return r < 0 ? r : 0;
}

static struct json_object *system_of(struct json_object *sys)
{
	struct json_object *s = json_object_new_object();

	hf_w_copy_str(s, "id", sys, "Id");
	hf_w_copy_str(s, "manufacturer", sys, "Manufacturer");
	hf_w_copy_str(s, "model", sys, "Model");
	hf_w_copy_str(s, "serial", sys, "SerialNumber");
	hf_w_copy_str(s, "sku", sys, "SKU");
	hf_w_copy_str(s, "uuid", sys, "UUID");
	hf_w_copy_str(s, "bios_version", sys, "BiosVersion");
	hf_w_copy_str(s, "host_name", sys, "HostName");
	hf_w_copy_str(s, "power_state", sys, "PowerState");
	hf_w_copy_status(s, sys);
	return s;
}

static struct json_object *bmc_of(struct json_object *mgr)
{
	struct json_object *m = json_object_new_object();

	hf_w_copy_str(m, "id", mgr, "Id");
	hf_w_copy_str(m, "model", mgr, "Model");
	hf_w_copy_str(m, "manager_type", mgr, "ManagerType");
	hf_w_copy_str(m, "firmware", mgr, "FirmwareVersion");
	hf_w_copy_str(m, "uuid", mgr, "UUID");
	hf_w_copy_status(m, mgr);
	return m;
}

int hf_w_inventory(struct hf_watch *w, struct json_object **ret)
{
	struct json_object *root = NULL, *sys = NULL, *mgr = NULL, *chassis = NULL;
	struct json_object *doc = json_object_new_object();
	int r;

	r = hf_w_read(w, "/redfish/v1/", &root);
	if (r < 0)
		goto out;
	r = first_member(w, root, "Systems", "/redfish/v1/Systems/", &sys);
	if (r < 0)
		goto out;
	if (sys)
		json_object_object_add(doc, "system", system_of(sys));
	r = first_member(w, root, "Managers", "/redfish/v1/Managers/", &mgr);
	if (r < 0)
		goto out;
	if (mgr)
		json_object_object_add(doc, "bmc", bmc_of(mgr));
	if (sys && ((r = hf_w_processors(w, sys, doc)) < 0 || (r = hf_w_memory(w, sys, doc)) < 0 ||
		    (r = hf_w_storage(w, sys, doc)) < 0))
		goto out;
	r = hf_w_members(w, hf_w_root_link(root, "Chassis", "/redfish/v1/Chassis/"), &chassis);
	if (r < 0)
		goto out;
	if (!chassis)
		chassis = json_object_new_array();
	r = hf_w_network(w, sys, chassis, doc);
	if (r < 0)
		goto out;
	r = hf_w_sensors_into(w, chassis, doc);
	if (r < 0)
		goto out;
	r = hf_w_firmware(w, root, doc);
	if (r < 0)
		goto out;
	*ret = doc;
	doc = NULL;
	r = 0;
out:
	json_object_put(doc);
	json_object_put(root);
	json_object_put(sys);
	json_object_put(mgr);
	json_object_put(chassis);
	return r;
}

_hf_public_ int hf_inventory(hf_client *c, unsigned flags, struct json_object **ret)
{
	struct hf_watch w = { c, NULL };
	struct json_object *doc = NULL;
	int r;

	if (!c || !ret || flags)
		return -EINVAL;
	HF_OPERATION(c);
	w.errors = json_object_new_array();
	if (!w.errors)
		return -ENOMEM;
	r = hf_w_inventory(&w, &doc);
	if (r == 0) {
		json_object_object_add(doc, "errors", json_object_get(w.errors));
		*ret = doc;
	}
	json_object_put(w.errors);
	return r;
}
