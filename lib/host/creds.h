/* SPDX-License-Identifier: MIT */
/*
 * creds.h - credentials for the Redfish Host Interface (library-internal, and for tests).
 *
 * "Authentication is always required over the host interface."  The sources, in the order
 * the hostif backend's credentials() operation tries them (the names are those "hostfish
 * discover" reports):
 *  1. "user": --user and a password, given by the caller (the client never calls us then);
 *  2. "uefi-redfish-os-credentials": DSP0270 1.0's UEFI variable RedfishOSCredentials, used
 *     when the variable RedfishIndications has EFI_REDFISH_INDICATIONS_OS_CREDENTIALS (bit 1,
 *     0x00000002) set;
 *  3. "hpe-application-account": an HPE application account (iLO 7) whose token HPE's vendor
 *     library keeps in the TPM and exchanges for a session (GetSessionID);
 *  4. "ipmi-bootstrap": DSP0270 1.3 credential bootstrapping, "Get Bootstrap Account
 *     Credentials" (NetFn 2Ch, group extension 52h, command 02h) through /dev/ipmi0, when the
 *     record's 1.3 characteristics word advertises it (bit 0).  Every such call creates a BMC
 *     account (BMCs allow a few, alive until the host resets), so the credentials are kept in
 *     the state directory (creds-store.c) and used again, run after run, until the BMC
 *     refuses them: only then is IPMI asked again (hf_creds_renew()).
 * Nothing here runs before the client's first login (hf_client_new() contacts nothing).
 * Secrets are never logged; every buffer that held one is wiped.
 */
#ifndef HOSTFISH_CREDS_H
#define HOSTFISH_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostfish-private.h"

#define HF_EFI_REDFISH_GUID "16faa37e-4b6a-4891-9028-242de65a3b70"
#define HF_EFI_INDICATIONS_OS_CREDENTIALS 0x00000002u
#define HF_EFIVARS_DEFAULT "/sys/firmware/efi/efivars"
#define HF_IPMI_DEVICE_DEFAULT "/dev/ipmi0"
#define HF_UEFI_CREDS_MAX 1024 /* larger variables are refused, not truncated */

/* Where a credential came from, and what it is: a user name and password to log in with,
 * or a session that already exists (application accounts). */
struct hf_creds {
	const char *source; /* static: one of the source names above */
	char *username;
	char *password; /* a secret: hf_creds_clear() wipes it */
	char *session_token; /* a secret */
	char *session_uri; /* path of the session ("/redfish/v1/SessionService/Sessions/X") */
	bool kept; /* IPMI bootstrap credentials read from the state directory, not fresh */
};
void hf_creds_clear(struct hf_creds *c);

/* ---- UEFI (creds-uefi.c) ---- */

/*
 * Parse an efivarfs file of RedfishOSCredentials: 4 bytes of attributes, then
 * "Username:Password\0" (UTF-8; DSP0270: size = len(user) + len(password) + 2, neither
 * contains ':').  0 with both strings (the caller owns them; password is a secret), or
 * -EBADMSG with why saying what is wrong (never quoting the data).
 */
int hf_uefi_creds_parse(const uint8_t *data, size_t len, char **ret_user, char **ret_password,
			char *why, size_t whylen);
/* Parse an efivarfs file of RedfishIndications: 4 bytes of attributes, a 32-bit LE value. */
int hf_uefi_indications_parse(const uint8_t *data, size_t len, uint32_t *ret, char *why,
			      size_t whylen);
/*
 * The OS credentials of dir (NULL: HF_EFIVARS_DEFAULT): -ENOENT when RedfishIndications is
 * missing or does not announce them, or the variable is missing; -EBADMSG when malformed.
 */
int hf_uefi_creds_load(const char *dir, struct hf_creds *c, char *why, size_t whylen);

/* ---- IPMI credential bootstrapping (creds-ipmi.c) ---- */

#define HF_IPMI_NETFN_GROUP_EXT 0x2c
#define HF_IPMI_GROUP_REDFISH 0x52
#define HF_IPMI_CMD_GET_BOOTSTRAP_CREDS 0x02
#define HF_IPMI_BOOTSTRAP_KEEP_ENABLED 0xa5 /* anything else disables bootstrapping */
#define HF_IPMI_CC_BOOTSTRAP_DISABLED 0x80
#define HF_IPMI_BOOTSTRAP_FIELD 16 /* user name and password: 16 bytes each, NUL padded */

/* The request data: group extension 52h, then the "disable credential bootstrapping
 * control" byte (A5h keeps bootstrapping enabled).  Returns its length (2). */
size_t hf_ipmi_bootstrap_request(uint8_t out[2], bool keep_enabled);
/*
 * Parse the response data (completion code first): cc, 52h, user name[16], password[16].
 * 0, -EACCES (cc 80h: bootstrapping is disabled), -EPROTO (another completion code, a short
 * answer, a wrong group, an empty or non-printable field) with why.
 */
int hf_ipmi_bootstrap_parse(const uint8_t *data, size_t len, char **ret_user,
			    char **ret_password, char *why, size_t whylen);
/* Send the command through the kernel's IPMI driver (device NULL: HF_IPMI_DEVICE_DEFAULT);
 * -ENOENT when the device is missing. */
int hf_ipmi_bootstrap_get(const char *device, long timeout_ms, struct hf_creds *c, char *why,
			  size_t whylen);

/* ---- IPMI bootstrap credentials kept between runs (creds-store.c) ---- */

/* 1 with c filled (c->kept set), 0 when there is no file, negative with why when the file
 * is unsafe (not a private regular file of our uid) or malformed: then it is not used. */
int hf_creds_store_load(const char *path, struct hf_creds *c, char *why, size_t whylen);
/* Write c's user name and password to path (0600, atomically; dir made 0700). */
int hf_creds_store_save(const char *dir, const char *path, const struct hf_creds *c,
			const char *what, char *why, size_t whylen);
/* Lock path + ".lock" (blocking): the fd to close, or a negative errno with why. */
int hf_creds_store_lock(const char *dir, const char *path, char *why, size_t whylen);

/* ---- HPE application accounts (appaccount.c) ---- */

/* X(return type, name, parameter list): HPE's python-ilorest-library
 * (redfish/hpilo/vnichpilo.py) calls them with these types. */
#define HF_APPACCT_SYMBOLS(X)                                                               \
	X(int, ReadyToUse, (void))                                                          \
	X(int, DetectILO, (const char *app_id, int *ilo_type, int *security_state))         \
	X(int, AppIdExistsinTPM, (const char *app_id, bool *exists))                        \
	X(int, GenerateAppToken, (const char *app_id, const char *app_name, const char *salt, \
				  const char *user, const char *password))                  \
	X(int, GetSessionID, (const char *app_id, const char *app_name, const char *salt,   \
			      char **session_id, char **session_location))                  \
	X(int, DeleteAppToken, (const char *app_id, const char *app_name, const char *salt))

#define HF_APPACCT_DEFAULT_ID "self_register" /* HPE's defaults for id, name and salt */

/* GenerateAppToken / DeleteAppToken / GetSessionID return codes (vnichpilo.py) */
#define HF_APPACCT_ERR_CREDENTIALS (-8)
#define HF_APPACCT_ERR_SAVE_ILO (-53)
#define HF_APPACCT_ERR_SAVE_TPM (-54)
#define HF_APPACCT_ERR_EXISTS (-55)
#define HF_APPACCT_ERR_INACTIVE 2 /* GetSessionID: token inactive or expired */

struct hf_appacct_lib {
	void *dl;
	char path[512];
/* NOLINTNEXTLINE(bugprone-macro-parentheses): a type */
#define HF_APPACCT_SYM_FIELD(ret, name, args) ret(*sym_##name) args;
	HF_APPACCT_SYMBOLS(HF_APPACCT_SYM_FIELD)
#undef HF_APPACCT_SYM_FIELD
};

/* Load HPE's library (path, else $HOSTFISH_CHIF_LIBRARY, else HPE's locations) and resolve
 * the application-account entry points.  -ENOTSUP with what was tried in why. */
int hf_appacct_open(const char *path, struct hf_appacct_lib *lib, char *why, size_t whylen);
void hf_appacct_close(struct hf_appacct_lib *lib);

struct hf_appacct_status {
	bool ready; /* ReadyToUse() == 0 */
	int detect_rc, ilo_type, security_state; /* DetectILO */
	int exists_rc;
	bool exists; /* AppIdExistsinTPM */
};
void hf_appacct_query(struct hf_appacct_lib *lib, struct hf_appacct_status *st);
/* Errors with a message; -EACCES for invalid credentials, -EEXIST, -ENOENT... */
int hf_appacct_create(struct hf_appacct_lib *lib, const char *user, const char *password,
		      char *why, size_t whylen);
int hf_appacct_delete(struct hf_appacct_lib *lib, char *why, size_t whylen);
/* A session for the account: token and the session's path.  -ENOENT when there is no
 * account in the TPM, -EACCES when its token is inactive. */
int hf_appacct_session(struct hf_appacct_lib *lib, struct hf_creds *c, char *why,
		       size_t whylen);

/* ---- the order (creds.c) ---- */

struct hf_creds_context {
	const char *efivars; /* NULL: HF_EFIVARS_DEFAULT */
	const char *library; /* HPE's library: NULL for $HOSTFISH_CHIF_LIBRARY and defaults */
	const char *ipmi_device; /* NULL: HF_IPMI_DEVICE_DEFAULT */
	bool ipmi_advertised; /* the record's characteristics bit 0 */
	long timeout_ms;
	const struct hf_logger *log;
	/* where IPMI bootstrap credentials are kept (NULL: not kept, every call creates an
	 * account), the directory it is in, and the BMC it is for (messages) */
	const char *store_path;
	const char *store_dir;
	const char *what;
};

/*
 * Try the sources 2-4 in order; the first that yields credentials wins (its name is logged,
 * never the secret).  0 with c filled, or -EACCES with every source checked and why it gave
 * nothing in why: "no credentials for the host interface: user: ...; uefi-...: ...".
 */
int hf_creds_find(const struct hf_creds_context *ctx, struct hf_creds *c, char *why,
		  size_t whylen);

/*
 * The BMC refused (401) the kept IPMI bootstrap credentials "refused": new ones, unless the
 * kept file already holds others (another process renewed them first).  Only source 4.
 * 0 with c filled, or -EACCES with why.
 */
int hf_creds_renew(const struct hf_creds_context *ctx, const struct hf_creds *refused,
		   struct hf_creds *c, char *why, size_t whylen);

#endif /* HOSTFISH_CREDS_H */
