/* SPDX-License-Identifier: MIT */
/*
 * watch-private.h - what inventory.c, inventory-parts.c, sensors.c and metrics.c share: a
 * read context (the client and the BMC's answers that were errors), JSON helpers that copy a
 * BMC's property into the normalised document only when the BMC has it, and the collection
 * reader.
 */
#ifndef HOSTFISH_WATCH_PRIVATE_H
#define HOSTFISH_WATCH_PRIVATE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "hostfish.h"

/* Bounds on what one document holds, whatever the BMC says. */
#define HF_WATCH_MAX_MEMBERS 1024 /* members read per collection */

struct hf_watch {
	hf_client *c;
	/* [{"path", "status"}]: resources the BMC answered with an HTTP error; the document
	 * goes on without them (a transport or authentication failure ends the call instead) */
	struct json_object *errors;
};

/* o[key], or NULL (o not an object, key absent). */
struct json_object *hf_w_get(struct json_object *o, const char *key);
/* o[key] when it is a string, else NULL. */
const char *hf_w_str(struct json_object *o, const char *key);
/* o[key]["@odata.id"], or NULL. */
const char *hf_w_link(struct json_object *o, const char *key);
/* o[key] when it is a number (int or double), else NULL. */
struct json_object *hf_w_num(struct json_object *o, const char *key);

/* out[outkey] = in[inkey] as a string with surrounding blanks removed; nothing when absent,
 * null, not a string, or blank. */
void hf_w_copy_str(struct json_object *out, const char *outkey, struct json_object *in,
		   const char *inkey);
/* out[outkey] = in[inkey] when it is a number; nothing otherwise. */
void hf_w_copy_num(struct json_object *out, const char *outkey, struct json_object *in,
		   const char *inkey);
void hf_w_put_num(struct json_object *out, const char *outkey, struct json_object *num);
/* out["health"], out["health_rollup"], out["state"] from in["Status"], when present. */
void hf_w_copy_status(struct json_object *out, struct json_object *in);

/*
 * GET path: 0 and *ret (a JSON object, owned by the caller: json_object_put()); 1 when the
 * BMC answered an HTTP error or something that is not a JSON object (noted in w->errors,
 * *ret NULL); a negative errno when there was no answer (the client's error is set).
 */
int hf_w_read(struct hf_watch *w, const char *path, struct json_object **ret);
/*
 * The members of the collection at path, in one request with $expand where the service root
 * advertises it, else each read: 0 and *ret (an array of JSON objects,
 * owned by the caller; members that failed are left out and noted in w->errors); 1 when the
 * collection itself could not be read (noted); a negative errno as hf_w_read().
 */
int hf_w_members(struct hf_watch *w, const char *path, struct json_object **ret);

/* sensors.c: the chassis collection's members (*ret an array, owned by the caller), and the
 * sensors of those chassis added to doc ("temperatures", "fans", "power_supplies",
 * "power"), as hf_sensors() describes them. */
int hf_w_chassis(struct hf_watch *w, struct json_object **ret);
int hf_w_sensors_into(struct hf_watch *w, struct json_object *chassis, struct json_object *doc);
/* The service root's link named key (a collection), or the default path. */
const char *hf_w_root_link(struct json_object *root, const char *key, const char *fallback);
/* The inventory document of hf_inventory(), read with w (inventory.c). */
int hf_w_inventory(struct hf_watch *w, struct json_object **ret);

/* inventory-parts.c: the arrays of the inventory, from a system resource (and the chassis
 * list for network adapters).  Each returns 0 (maybe adding nothing) or a negative errno. */
int hf_w_processors(struct hf_watch *w, struct json_object *sys, struct json_object *doc);
int hf_w_memory(struct hf_watch *w, struct json_object *sys, struct json_object *doc);
int hf_w_storage(struct hf_watch *w, struct json_object *sys, struct json_object *doc);
int hf_w_network(struct hf_watch *w, struct json_object *sys, struct json_object *chassis,
		 struct json_object *doc);
int hf_w_firmware(struct hf_watch *w, struct json_object *root, struct json_object *doc);

#endif /* HOSTFISH_WATCH_PRIVATE_H */
