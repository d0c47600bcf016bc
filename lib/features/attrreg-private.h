/* SPDX-License-Identifier: MIT */
/*
 * attrreg-private.h - attribute registries (DMTF AttributeRegistry: BIOS attributes and
 * their Dependencies) and the checks apply makes against them before anything is sent.
 */
#ifndef HOSTFISH_ATTRREG_PRIVATE_H
#define HOSTFISH_ATTRREG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "client-private.h"

#define HF_ATTRREG_DOC_MAX ((size_t)16 << 20) /* bytes of one registry document as served */
#define HF_ATTRREG_CACHE_MAX ((size_t)8 << 20) /* bytes of one BMC's attribute cache file */
#define HF_ATTRREG_CACHED 4 /* registries kept per BMC */

/* attrreg.c */
/*
 * The attribute registry NAME (a resource's "AttributeRegistry") of the client's BMC, trimmed:
 *   {"attributes": {Name: {Type, ReadOnly, GrayOut, Immutable, WriteOnly, Hidden, Values:
 *                          [ValueName...], LowerBound, UpperBound, ScalarIncrement,
 *                          MinLength, MaxLength, ValueExpression} (members as present)},
 *    "dependencies": [the Dependency objects of the "Map" dependencies]}
 * from the cache ($HOSTFISH_STATE_DIR/registries/KEY.attributes.json, as the message
 * registries), else found through /redfish/v1/Registries (the member named NAME, its
 * Location "Uri" on the BMC, "en" first) and cached.  *ret is a new reference.
 * Returns 0, -ENOENT (the BMC has no such registry), -EPROTO (not an attribute registry),
 * -EIO (a request failed), -ENOMEM.
 */
int hf_attrreg_get(hf_client *c, const char *name, struct json_object **ret);
/* The trimmed form above of a registry document; -EPROTO when it is none. */
int hf_attrreg_trim(struct json_object *doc, const char *name, struct json_object **ret);
/* Whether an attribute of a trimmed registry may be written and read back (not ReadOnly,
 * Immutable, WriteOnly or Hidden): what export writes. */
bool hf_attrreg_exportable(struct json_object *attr);

/*
 * apply's checks of a resource before its PATCH: desired against current's
 * @Redfish.AllowableValues, and, when current names an AttributeRegistry, desired's
 * "Attributes" against that registry (pending: the settings object, or NULL).  A registry
 * that cannot be read is logged as a warning and not held against the values.  Returns the
 * number of violations appended, or -ENOMEM.
 */
int hf_apply_check(hf_client *c, struct json_object *current, struct json_object *pending,
		   struct json_object *desired, struct json_object *violations);

/* attrcheck.c */
/*
 * Check the desired attributes (an object) against a trimmed registry, given the attributes
 * in effect (current) and those pending in the settings object (pending, may be NULL).  Only
 * values that differ from current are checked: type, enumeration, bounds and increment,
 * length and ValueExpression, ReadOnly/Immutable/GrayOut, and the Map dependencies evaluated
 * on the values the attributes would have afterwards (current, then pending, then desired).
 * Each violation is appended to violations as {"property": "/Attributes/NAME", "value": V
 * ("****" for passwords), "allowed": text}.  Returns the number of violations, or -ENOMEM.
 */
int hf_attrreg_check(struct json_object *reg, const char *prefix, struct json_object *current,
		     struct json_object *pending, struct json_object *desired,
		     struct json_object *violations);
/* Check desired properties against the resource's NAME@Redfish.AllowableValues (at any
 * depth), for values that differ from current; violations as above.  Count or -ENOMEM. */
int hf_allowable_check(struct json_object *current, struct json_object *desired,
		       struct json_object *violations);
/*
 * Translate a registry's ValueExpression (the Perl dialect, DSP0266) into a POSIX extended
 * regular expression for regcomp(): \d \s \w and their negations, escaped punctuation,
 * (?:...), lazy quantifiers (same match set).  -ENOTSUP for what ERE cannot say
 * (lookarounds, backreferences, \b, possessive quantifiers...), -ENOMEM.
 */
int hf_regex_to_ere(const char *perl, struct hf_buf *out);

#endif /* HOSTFISH_ATTRREG_PRIVATE_H */
