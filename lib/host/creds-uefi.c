/* SPDX-License-Identifier: MIT */
/*
 * creds-uefi.c - DSP0270 1.0 OS credentials in the UEFI variable RedfishOSCredentials.
 *
 * efivarfs presents a variable as a file: 4 bytes of attributes (little-endian), then the
 * data.  RedfishIndications holds a 32-bit value whose bit 1 (0x00000002) says the firmware
 * provides credentials for the OS; RedfishOSCredentials holds "Username:Password\0" in
 * UTF-8, of size len(Username) + len(Password) + 2, neither part containing ':'.  The data is
 * parsed with a bound on every read; anything else is refused with a reason that never quotes
 * the data (it holds a password).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"

#define EFI_ATTR_LEN 4

void hf_creds_clear(struct hf_creds *c)
{
	if (!c)
		return;
	free(c->username);
	hf_free_secret(c->password);
	hf_free_secret(c->session_token);
	free(c->session_uri);
	memset(c, 0, sizeof(*c));
}

/* Length of one well-formed UTF-8 sequence at p (at most n bytes), 0 when malformed. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, past U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int hf_uefi_creds_parse(const uint8_t *data, size_t len, char **ret_user, char **ret_password,
			char *why, size_t whylen)
{
	const uint8_t *v;
	size_t n, i, colon = SIZE_MAX, step;
	char *user = NULL, *pass = NULL;

	if (!data || len < EFI_ATTR_LEN) {
		snprintf(why, whylen, "RedfishOSCredentials is shorter than its 4 attribute bytes");
		return -EBADMSG;
	}
	v = data + EFI_ATTR_LEN;
	n = len - EFI_ATTR_LEN;
	if (n > HF_UEFI_CREDS_MAX) {
		snprintf(why, whylen, "RedfishOSCredentials holds %zu bytes, more than %d", n,
			 HF_UEFI_CREDS_MAX);
		return -EBADMSG;
	}
	if (n < 4) { /* "u:p\0" at least */
		snprintf(why, whylen, "RedfishOSCredentials holds %zu bytes, too few for "
				      "'Username:Password' and its NUL",
			 n);
		return -EBADMSG;
	}
	if (v[n - 1] != 0) {
		snprintf(why, whylen, "RedfishOSCredentials does not end in a NUL byte");
		return -EBADMSG;
	}
	for (i = 0; i < n - 1; i += step) {
		if (v[i] == 0) {
			snprintf(why, whylen, "RedfishOSCredentials has a NUL byte at offset %zu, "
					      "before its end",
				 i);
			return -EBADMSG;
		}
		if (v[i] < 0x20 || v[i] == 0x7f) {
			snprintf(why, whylen, "RedfishOSCredentials has a control character at "
					      "offset %zu",
				 i);
			return -EBADMSG;
		}
		step = utf8_len(v + i, n - 1 - i);
		if (step == 0) {
			snprintf(why, whylen, "RedfishOSCredentials is not valid UTF-8 (offset %zu)",
				 i);
			return -EBADMSG;
		}
		if (v[i] == ':') {
			if (colon != SIZE_MAX) {
				snprintf(why, whylen, "RedfishOSCredentials has more than one ':' "
						      "(neither field may contain one)");
				return -EBADMSG;
			}
			colon = i;
		}
	}
	if (colon == SIZE_MAX) {
		snprintf(why, whylen, "RedfishOSCredentials has no ':' between user name and "
				      "password");
		return -EBADMSG;
	}
	if (colon == 0 || colon == n - 2) {
		snprintf(why, whylen, "RedfishOSCredentials has an empty %s",
			 colon == 0 ? "user name" : "password");
		return -EBADMSG;
	}
	user = hf_strndup((const char *)v, colon);
	pass = hf_strndup((const char *)v + colon + 1, n - 2 - colon);
	if (!user || !pass) {
		free(user);
		hf_free_secret(pass);
		return -ENOMEM;
	}
	*ret_user = user;
	*ret_password = pass;
	return 0;
}

int hf_uefi_indications_parse(const uint8_t *data, size_t len, uint32_t *ret, char *why,
			      size_t whylen)
{
	if (!data || len != EFI_ATTR_LEN + 4) {
		snprintf(why, whylen, "RedfishIndications holds %zu bytes, not 4 attribute bytes "
				      "and a 32-bit value",
			 len);
		return -EBADMSG;
	}
	*ret = (uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 |
	       (uint32_t)data[7] << 24;
	return 0;
}

/* Read a whole efivarfs file (at most max bytes) into buf.  Its length, or -errno. */
static ssize_t read_var(const char *path, uint8_t *buf, size_t max)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), e;

	if (fd < 0)
		return -errno;
	/* efivarfs wants the whole variable in one read; loop for ordinary fixture files */
	while (got < max) {
		n = read(fd, buf + got, max - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == max) {
		uint8_t extra;

		n = read(fd, &extra, 1);
		if (n > 0) {
			close(fd);
			return -EFBIG;
		}
	}
	close(fd);
	return (ssize_t)got;
}

int hf_uefi_creds_load(const char *dir, struct hf_creds *c, char *why, size_t whylen)
{
	/* zeroed: clang-analyzer cannot tell that read_var() fails with a negative errno */
	uint8_t buf[EFI_ATTR_LEN + HF_UEFI_CREDS_MAX + 1] = { 0 };
	char path[PATH_MAX], err[256];
	uint32_t ind = 0;
	ssize_t n;
	int r;

	if (!dir)
		dir = HF_EFIVARS_DEFAULT;
	snprintf(path, sizeof(path), "%s/RedfishIndications-" HF_EFI_REDFISH_GUID, dir);
	n = read_var(path, buf, sizeof(buf));
	if (n < 0) {
		snprintf(why, whylen, "no UEFI variable RedfishIndications in %s (%s)", dir,
			 strerror((int)-n));
		return -ENOENT;
	}
	r = hf_uefi_indications_parse(buf, (size_t)n, &ind, err, sizeof(err));
	if (r < 0) {
		snprintf(why, whylen, "%s (%s)", err, path);
		return r;
	}
	if (!(ind & HF_EFI_INDICATIONS_OS_CREDENTIALS)) {
		snprintf(why, whylen, "RedfishIndications is 0x%08x: bit 1 (OS credentials) is "
				      "not set",
			 ind);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/RedfishOSCredentials-" HF_EFI_REDFISH_GUID, dir);
	n = read_var(path, buf, sizeof(buf));
	if (n < 0) {
		snprintf(why, whylen, "RedfishIndications announces OS credentials but "
				      "RedfishOSCredentials cannot be read (%s: %s)",
			 path, n == -EFBIG ? "too large" : strerror((int)-n));
		return n == -EFBIG ? -EBADMSG : -ENOENT;
	}
	memset(c, 0, sizeof(*c));
	r = hf_uefi_creds_parse(buf, (size_t)n, &c->username, &c->password, err, sizeof(err));
	hf_wipe(buf, sizeof(buf));
	if (r < 0) {
		snprintf(why, whylen, "%s (%s); refusing it", err, path);
		return r;
	}
	c->source = "uefi-redfish-os-credentials";
	return 0;
}
