/* SPDX-License-Identifier: MIT */
/*
 * appaccount-emu.c - the emulated library's HPE application accounts (iLO 7), beside the
 * CHIF entry points of chif-emu.c, as HPE ships both in one library.
 */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "chif-emu.h"

/* ---- HPE application accounts (iLO 7) -------------------------------------------------- */
/*
 * The entry points python-ilorest-library's redfish/hpilo/vnichpilo.py calls, with its
 * types.  The account lives in the emulated iLO (ops 'G', 'L', 'D' of iloemu/chif.py); its
 * token is kept in a fake "TPM": the file $HOSTFISH_EMU_TPM_DIR/appaccount-APPID (0600).
 */
static int tpm_path(const char *app_id, char *out, size_t outlen)
{
	const char *dir = getenv("HOSTFISH_EMU_TPM_DIR");
	size_t i;

	if (!dir || !*dir || !app_id || !*app_id)
		return -1;
	for (i = 0; app_id[i]; i++)
		if (app_id[i] == '/' || app_id[i] == '.')
			return -1;
	return (size_t)snprintf(out, outlen, "%s/appaccount-%s", dir, app_id) < outlen ? 0 : -1;
}

static int tpm_read(const char *app_id, char *tok, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	if (tpm_path(app_id, path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, tok, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	tok[n] = '\0';
	return 0;
}

/* Send op with the NUL-terminated strings; status as a signed byte, reply in out. */
static int app_op(char op, const char *const *fields, size_t nfields, char *out, size_t outlen)
{
	unsigned char buf[2048];
	size_t len = 0, i, n;
	int r;

	for (i = 0; i < nfields; i++) {
		n = strlen(fields[i]) + 1;
		if (len + n > sizeof(buf))
			return -2;
		memcpy(buf + len, fields[i], n);
		len += n;
	}
	if (out && outlen)
		memset(out, 0, outlen);
	r = emu_oneshot(op, buf, len, out, out ? outlen - 1 : 0);
	if (r < 0)
		return -1;
	return (signed char)r;
}

static int ReadyToUse_(void)
{
	int fd = emu_connect();

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

EXPORTED(int, ReadyToUse, (void), ())

static int DetectILO_(const char *app_id, int *ilo_type, int *security_state)
{
	unsigned char st = 0;

	if (!app_id || !ilo_type || !security_state)
		return -2;
	if (emu_oneshot('S', NULL, 0, &st, 1) < 0) {
		*ilo_type = 100; /* vnichpilo.py: -1 with type 100 = driver missing */
		return -1;
	}
	*ilo_type = 7;
	*security_state = st;
	return 0;
}

EXPORTED(int, DetectILO, (const char *app_id, int *ilo_type, int *security_state),
	 (app_id, ilo_type, security_state))

static int AppIdExistsinTPM_(const char *app_id, bool *exists)
{
	char tok[256];

	if (!app_id || !exists)
		return -2;
	*exists = tpm_read(app_id, tok, sizeof(tok)) == 0;
	return 0;
}

EXPORTED(int, AppIdExistsinTPM, (const char *app_id, bool *exists), (app_id, exists))

static int GenerateAppToken_(const char *app_id, const char *app_name, const char *salt,
			    const char *user, const char *password)
{
	const char *f[4] = { app_id, app_name, user, password };
	char tok[256], path[512];
	bool exists = false;
	int r, fd;

	(void)salt;
	if (!app_id || !app_name || !user || !password || tpm_path(app_id, path, sizeof(path)) < 0)
		return -2;
	if (AppIdExistsinTPM_(app_id, &exists) == 0 && exists)
		return -55;
	r = app_op('G', f, 4, tok, sizeof(tok));
	if (r != 0)
		return r == -8 || r == -55 ? r : -53;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -54;
	/* a file, not a socket: write(), not write_all()'s send() */
	r = write(fd, tok, strlen(tok)) == (ssize_t)strlen(tok) ? 0 : -1;
	close(fd);
	return r < 0 ? -54 : 0;
}

EXPORTED(int, GenerateAppToken, (const char *app_id, const char *app_name, const char *salt,
	  const char *user, const char *password), (app_id, app_name, salt, user, password))

static int GetSessionID_(const char *app_id, const char *app_name, const char *salt,
			char **session_id, char **session_location)
{
	static char reply[1024]; /* the library's, as HPE's strings are */
	char tok[256];
	const char *f[2] = { app_id, tok };
	int r;

	(void)app_name;
	(void)salt;
	if (!app_id || !session_id || !session_location)
		return -2;
	if (tpm_read(app_id, tok, sizeof(tok)) < 0)
		return 2;
	r = app_op('L', f, 2, reply, sizeof(reply));
	if (r != 0)
		return r;
	*session_id = reply;
	*session_location = reply + strlen(reply) + 1;
	return 0;
}

EXPORTED(int, GetSessionID, (const char *app_id, const char *app_name, const char *salt,
	  char **session_id, char **session_location),
	 (app_id, app_name, salt, session_id, session_location))

static int DeleteAppToken_(const char *app_id, const char *app_name, const char *salt)
{
	char tok[256], path[512];
	const char *f[2] = { app_id, tok };
	int r;

	(void)app_name;
	(void)salt;
	if (!app_id || tpm_path(app_id, path, sizeof(path)) < 0)
		return -2;
	if (tpm_read(app_id, tok, sizeof(tok)) < 0)
		return -1;
	r = app_op('D', f, 2, NULL, 0);
	if (r != 0)
		return -1;
	unlink(path);
	return 0;
}

EXPORTED(int, DeleteAppToken, (const char *app_id, const char *app_name, const char *salt),
	 (app_id, app_name, salt))
