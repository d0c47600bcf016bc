/* SPDX-License-Identifier: MIT */
/*
 * hostfish-config.h - libhostfish: configuration management (what Ansible, Puppet and Chef
 * providers build on): the checks hf_apply() makes before it sends anything.  Part of the
 * public API: hostfish.h includes it, and it can be included alone.  The conventions of
 * hostfish.h apply.  C89, self-contained.
 */
#ifndef HOSTFISH_CONFIG_H
#define HOSTFISH_CONFIG_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * hf_apply() checks a resource's changed values before its PATCH (values equal to the
 * current ones are never refused):
 *  - a property whose resource lists NAME@Redfish.AllowableValues must be one of them;
 *  - a resource that names an "AttributeRegistry" (the BIOS) has its "Attributes" checked
 *    against that registry, found through /redfish/v1/Registries (the member of that name,
 *    its Location "Uri") and cached per BMC in $HOSTFISH_STATE_DIR/registries/ (0600 files
 *    in 0700 directories; re-read after 7 days): Type (Enumeration: among
 *    Value[].ValueName; Integer: LowerBound..UpperBound, ScalarIncrement; String and
 *    Password: MinLength..MaxLength characters, ValueExpression, a Perl-dialect expression
 *    matched as POSIX ERE, not held against the value when it has no ERE form; Boolean),
 *    no change of a ReadOnly, Immutable or GrayOut attribute, and the registry's Map
 *    Dependencies, evaluated on the values after the change (current, then pending in the
 *    settings object, then desired): a rule that holds can make an attribute ReadOnly or
 *    GrayOut, force its CurrentValue, or change its bounds.  A registry that cannot be read
 *    is logged as a warning and the attributes go unchecked.
 * A violation fails its resource with nothing sent to it: status "failed", error kind
 * HF_ERROR_USAGE, and "violations": [{"property": JSON Pointer, "value": V (secrets
 * "****"), "allowed": text}] in its report entry, every violation listed.
 */

/* ---- what the settings providers did at the reboot ---- */

/* hf_apply_results() result bits */
#define HF_RESULTS_PENDING 1 /* values still wait in a settings object (no reboot yet) */
#define HF_RESULTS_REFUSED 2 /* values were refused, or are not in effect for no stated reason */

/*
 * After a reboot: which of the desired values (a desired state as hf_apply() takes it,
 * borrowed) are in effect.  Each resource is read, with its settings object when it has
 * @Redfish.Settings, and each desired value (a JSON Pointer) is "applied" (the resource has
 * it), "refused" (it has not, and a message of @Redfish.Settings.Messages, or of a
 * SettingsResult, other than Success names it: its RelatedProperties, else its MessageArgs),
 * "pending" (the settings object still holds it) or "not_applied" (none of these).
 * Nothing is written.  Returns HF_RESULTS_* bits (0: all applied) with *report:
 *   {"applied": N, "pending": N, "refused": N, "not_applied": N,
 *    "resources": [{"path": P, "settings_time": the settings' Time or null,
 *                   "messages": [the settings messages as the BMC gave them],
 *                   "applied": [JSON Pointer...], "pending": [JSON Pointer...],
 *                   "refused": [{"property", "value", "current", "messages": [...]}],
 *                   "not_applied": [{"property", "value", "current"}]}]}
 * (secret values "****").  Errors: -EINVAL (invalid desired state, nothing sent), -EIO (a
 * resource could not be read), the errors of hf_request().
 */
int hf_apply_results(hf_client *client, struct json_object *desired, struct json_object **report);

/* ---- export ---- */

/*
 * The writable, non-volatile properties of the n resources at paths (borrowed), as a desired
 * state for hf_apply(): {PATH: {properties}}, in the order given.  Applied to the same
 * server it changes nothing and sends no PATCH.  For a resource that names an
 * AttributeRegistry (the BIOS): "Attributes" with those the registry lets be written and
 * read back (not ReadOnly, Immutable, WriteOnly, Hidden, nor Password).  For any other: the
 * properties its JSON schema (/redfish/v1/JsonSchemas) marks "readonly": false, objects
 * walked into.  Never: annotations, nulls, secret keys (Password...).
 * Returns 0 with *ret (owned by the caller), -EINVAL (no or invalid paths, nothing sent),
 * -EIO (a resource could not be read), -ENOENT (no registry or schema to tell what is
 * writable), the errors of hf_request().
 */
int hf_export(hf_client *client, const char *const *paths, size_t n, struct json_object **ret);

/* ---- local accounts of the BMC ---- */

/* hf_account_ensure(), hf_account_absent() flags */
#define HF_ACCOUNT_ENABLE 1u /* the account can log in (iLO: LoginPriv; else Enabled) */
#define HF_ACCOUNT_DISABLE 2u /* it cannot */
#define HF_ACCOUNT_DRY_RUN 4u /* compare and report, change nothing */

/*
 * Make the BMC's local account "user" (its login name: UserName; on iLO also Oem.Hpe.LoginName
 * at creation) exist with role (RoleId; NULL: as it is, or the BMC's default for a new
 * account), password (NULL: as it is; a new account needs one) and, with HF_ACCOUNT_ENABLE or
 * HF_ACCOUNT_DISABLE, that state (iLO has no "Enabled": its LoginPriv privilege is used).
 * Only what differs is sent: one POST (create) or one PATCH (update), or nothing.
 *
 * The password is never read back: whether it differs is checked with one GET of the account
 * with HTTP Basic authentication as user (the BMC creates and deletes a session for it
 * itself: none is left).  401 means it differs.  It cannot be checked for an account that
 * cannot log in, nor over the chif and agent transports (they authorise the channel, not the
 * request): it is then set, and "password_checked" is false.  The password is checked first
 * against the AccountService's MinPasswordLength, and must be one line of printable
 * characters; it is never logged (masked in request logs) nor reported.
 *
 * Returns 1 (changed; with HF_ACCOUNT_DRY_RUN: would change) or 0 (nothing to change), with
 * *report (owned by the caller, json_object_put()):
 *   {"user": U, "action": "created" | "updated" | "unchanged" | "would_create" |
 *    "would_update", "uri": the account's path or null, "changed": bool, "dry_run": bool,
 *    "changes": ["UserName" | "RoleId" | "Enabled" | "Password"...],
 *    "password_checked"?: bool (an existing account, a password given)}
 * Errors (hf_client_last_error() says more): -EINVAL (invalid user, role, password or flags,
 * a new account without a password: nothing sent, kind HF_ERROR_USAGE), -EIO (the BMC
 * refused: its status and messages), -ENOTSUP (no Accounts collection), the errors of
 * hf_request().
 */
int hf_account_ensure(hf_client *client, const char *user, const char *role,
		      const char *password, unsigned flags, struct json_object **report);

/*
 * Make sure the local account "user" does not exist: DELETE it when it does.  flags: 0 or
 * HF_ACCOUNT_DRY_RUN.  Returns 1 (deleted, or would be) or 0 (there was none) with *report
 * {"user", "action": "deleted" | "would_delete" | "absent", "uri", "changed", "dry_run",
 * "changes"}; errors as hf_account_ensure().
 */
int hf_account_absent(hf_client *client, const char *user, unsigned flags,
		      struct json_object **report);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_CONFIG_H */
