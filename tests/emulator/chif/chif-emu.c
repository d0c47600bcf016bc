/* SPDX-License-Identifier: MIT */
/*
 * chif-emu.c - an emulated HPE CHIF channel library (libilorestchif-emu.so) for tests.
 *
 * It exports the entry points of HPE's closed ilorest_chif.so with the calling conventions
 * python-ilorest-library uses (redfish/hpilo/rishpilo.py, risblobstore2.py): C ints for the
 * channel and size functions, "unsigned char *" packets from the builders (a per-thread static
 * buffer, valid until the next builder call of the thread), char * keys and namespaces.
 *
 * The library only builds packets and carries them: every channel is one connection to the
 * emulated iLO's Unix socket ($HOSTFISH_EMU_CHIF_SOCKET, iloemu/chif.py), where the blob store,
 * the error codes, the security state and the Redfish service live.  Framing: u32 LE length,
 * u8 op (or status in replies), payload; see iloemu/chif.py.
 *
 * Packet layout (little-endian):
 *   header      u16 size, u16 sequence, u16 command, u16 service          (8 bytes)
 *   create, finalize, get_info, delete: header, key[32], namespace[32]      (72)
 *   write, read: header, u32 offset, u32 count, key[32], namespace[32]      (80) [+ data]
 *   list:        header, namespace[32]                                      (40)
 *   rest_immediate: header, u32 length, rsp_key[32], namespace[32]          (76) + request
 *   rest_immediate_blobdesc: header, req_key[32], rsp_key[32], namespace[32] (104)
 *   security state: header + 8 reserved bytes                               (16)
 * Replies: header, u32 error at 8 (0, 2 bad parameter, 12 not found, 20 not modified);
 *   blob replies have a 16-byte header (size_of_responseHeaderBlob), get_info then u32 size,
 *   read_fragment u32 count + data; REST replies: u32 receive mode at 12 (0 inline, 1 blob),
 *   u32 response length at 16, inline data at 24 (size_of_restResponseFixed); the security
 *   state is byte 72.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

#define EMU_SERVICE 0x0B
#define EMU_KEYLEN 32
#define EMU_HDR 8
#define EMU_MAX_BUFFER 8192
#define EMU_MAX_WRITE 4096
#define EMU_MAX_READ 4096
#define EMU_BLOB_HDR 16
#define EMU_REST_FIXED 24

enum {
	CMD_CREATE = 1,
	CMD_WRITE,
	CMD_FINALIZE,
	CMD_INFO,
	CMD_READ,
	CMD_DELETE,
	CMD_LIST,
	CMD_REST,
	CMD_REST_BLOB,
	CMD_SECURITY,
};

/* errno values the Linux library answers with (python-ilorest-library: 19 no driver,
 * 13 access denied) */
#define E_OK 0
#define E_IO 5
#define E_ACCES 13
#define E_NODEV 19
#define E_INVAL 22
#define E_TIMEDOUT 110

struct emu_chan {
	int fd;
	int timeout_ms;
};

static __thread unsigned char packet[EMU_MAX_BUFFER];
static uint16_t sequence_base;
static unsigned sequence_next;
static int debug;
static int creds_verified;
static char cred_user[256];
static char cred_pass[256];

static void dbg(const char *what, int n)
{
	if (debug)
		fprintf(stderr, "chif-emu: %s %d\n", what, n);
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static unsigned get16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static unsigned next_sequence(void)
{
	return (sequence_base + __atomic_fetch_add(&sequence_next, 1, __ATOMIC_RELAXED)) & 0xffff;
}

static unsigned char *header(unsigned size, unsigned cmd)
{
	memset(packet, 0, size < sizeof(packet) ? size : sizeof(packet));
	put16(packet, size);
	put16(packet + 2, next_sequence());
	put16(packet + 4, cmd);
	put16(packet + 6, EMU_SERVICE);
	return packet;
}

static void field(unsigned char *p, const char *s)
{
	size_t n = s ? strnlen(s, EMU_KEYLEN) : 0;

	memset(p, 0, EMU_KEYLEN);
	memcpy(p, s, n < EMU_KEYLEN ? n : EMU_KEYLEN); /* a full-length key stays unterminated:
							  the emulator answers "bad parameter" */
}

/* ---- transport to the emulator ---------------------------------------------------------- */

static int emu_connect(void)
{
	const char *path = getenv("HOSTFISH_EMU_CHIF_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -E_TIMEDOUT;
		if (n <= 0)
			return -E_IO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One frame out, one back.  Returns the status byte (>= 0) or a negative channel error;
 * the reply payload goes to out (at most outlen bytes, the rest is read and dropped). */
static int frame(int fd, char op, const void *data, size_t len, void *out, size_t outlen,
		 size_t *got)
{
	unsigned char head[5], st;
	uint32_t n;
	size_t keep;
	int r;

	put32(head, (uint32_t)len + 1);
	head[4] = (unsigned char)op;
	if (write_all(fd, head, 5) < 0 || (len && write_all(fd, data, len) < 0))
		return -E_IO;
	r = read_all(fd, head, 4);
	if (r < 0)
		return r;
	n = get32(head);
	if (n < 1 || n > (1u << 20))
		return -E_IO;
	r = read_all(fd, &st, 1);
	if (r < 0)
		return r;
	n--;
	keep = n < outlen ? n : outlen;
	if (keep && (r = read_all(fd, out, keep)) < 0)
		return r;
	for (n -= (uint32_t)keep; n > 0;) {
		unsigned char sink[256];
		size_t k = n < sizeof(sink) ? n : sizeof(sink);

		if ((r = read_all(fd, sink, k)) < 0)
			return r;
		n -= (uint32_t)k;
	}
	if (got)
		*got = keep;
	return st;
}

/* A one-off connection for the library-wide (security) calls. */
static int oneshot(char op, const void *data, size_t len, void *out, size_t outlen)
{
	int fd = emu_connect(), r;

	if (fd < 0)
		return -E_NODEV;
	r = frame(fd, op, data, len, out, outlen, NULL);
	close(fd);
	return r;
}

static size_t cred_payload(unsigned char *buf, size_t len)
{
	size_t u = strlen(cred_user), p = strlen(cred_pass);

	if (u + p + 2 > len)
		return 0;
	memcpy(buf, cred_user, u + 1);
	memcpy(buf + u + 1, cred_pass, p + 1);
	return u + p + 2;
}

/* ---- channel ---------------------------------------------------------------------------- */

EXPORT int ChifInitialize(void *reserved)
{
	(void)reserved;
	return E_OK;
}

EXPORT int ChifCreate(void **handle)
{
	struct emu_chan *c;

	if (!handle)
		return E_INVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return 12;
	c->fd = emu_connect(); /* no socket: ChifPing says "no driver" */
	c->timeout_ms = 60000;
	if (c->fd >= 0 && creds_verified) {
		unsigned char buf[520];
		size_t n = cred_payload(buf, sizeof(buf));

		frame(c->fd, 'A', buf, n, NULL, 0, NULL);
		memset(buf, 0, sizeof(buf));
	}
	*handle = c;
	dbg("ChifCreate fd", c->fd);
	return E_OK;
}

EXPORT int ChifPing(void *handle)
{
	struct emu_chan *c = handle;
	int r;

	if (!c)
		return E_INVAL;
	if (geteuid() != 0)
		return E_ACCES;
	if (c->fd < 0)
		c->fd = emu_connect();
	if (c->fd < 0)
		return E_NODEV;
	r = frame(c->fd, 'P', NULL, 0, NULL, 0, NULL);
	return r < 0 ? E_NODEV : r;
}

EXPORT int ChifSetRecvTimeout(void *handle, int ms)
{
	struct emu_chan *c = handle;
	struct timeval tv;

	if (!c)
		return E_INVAL;
	c->timeout_ms = ms;
	if (c->fd >= 0 && ms > 0) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	return E_OK;
}

EXPORT int ChifPacketExchange(void *handle, const void *send, void *recv, int recvsize)
{
	struct emu_chan *c = handle;
	unsigned len;
	size_t got = 0;
	int r;

	if (!c || !send || !recv || recvsize < EMU_HDR)
		return E_INVAL;
	if (c->fd < 0)
		return E_NODEV;
	len = get16(send);
	if (len < EMU_HDR || len > EMU_MAX_BUFFER)
		return E_INVAL;
	dbg("exchange bytes", (int)len);
	r = frame(c->fd, 'X', send, len, recv, (size_t)recvsize, &got);
	if (r < 0)
		return -r;
	return r;
}

EXPORT int ChifClose(void *handle)
{
	struct emu_chan *c = handle;

	if (!c)
		return E_INVAL;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return E_OK;
}

/* ---- security ------------------------------------------------------------------------------ */

EXPORT int ChifIsSecurityRequired(void)
{
	unsigned char state = 0;
	int r = oneshot('S', NULL, 0, &state, 1);

	if (r != 0)
		return 0; /* no answer: the channel calls say why */
	return state != 3; /* 3: Production */
}

EXPORT unsigned char *initiate_credentials(const char *user, const char *password)
{
	snprintf(cred_user, sizeof(cred_user), "%s", user ? user : "");
	snprintf(cred_pass, sizeof(cred_pass), "%s", password ? password : "");
	creds_verified = 0;
	return header(16, 0);
}

EXPORT int ChifVerifyCredentials(void)
{
	unsigned char buf[520];
	size_t n = cred_payload(buf, sizeof(buf));
	int r = oneshot('V', buf, n, NULL, 0);

	memset(buf, 0, sizeof(buf));
	if (r < 0)
		return -r;
	creds_verified = r == 0;
	return r;
}

EXPORT int ChifDisableSecurity(void)
{
	creds_verified = 0;
	return E_OK;
}

EXPORT unsigned char *get_security_state(void)
{
	return header(16, CMD_SECURITY);
}

/* ---- packet builders ---------------------------------------------------------------------- */

static unsigned char *key_ns(unsigned cmd, const char *key, const char *ns)
{
	unsigned char *p = header(EMU_HDR + 2 * EMU_KEYLEN, cmd);

	field(p + EMU_HDR, key);
	field(p + EMU_HDR + EMU_KEYLEN, ns);
	return p;
}

static unsigned char *fragment(unsigned cmd, unsigned offset, unsigned count, const char *key,
			       const char *ns, unsigned size)
{
	unsigned char *p = header(size, cmd);

	put32(p + EMU_HDR, offset);
	put32(p + EMU_HDR + 4, count);
	field(p + EMU_HDR + 8, key);
	field(p + EMU_HDR + 8 + EMU_KEYLEN, ns);
	return p;
}

EXPORT unsigned char *create_not_blobentry(const char *key, const char *ns)
{
	return key_ns(CMD_CREATE, key, ns);
}

EXPORT unsigned char *finalize_blob(const char *key, const char *ns)
{
	return key_ns(CMD_FINALIZE, key, ns);
}

EXPORT unsigned char *get_info(const char *key, const char *ns)
{
	return key_ns(CMD_INFO, key, ns);
}

EXPORT unsigned char *delete_blob(const char *key, const char *ns)
{
	return key_ns(CMD_DELETE, key, ns);
}

EXPORT unsigned char *list_blob(const char *ns)
{
	unsigned char *p = header(EMU_HDR + EMU_KEYLEN, CMD_LIST);

	field(p + EMU_HDR, ns);
	return p;
}

/* The size field covers the data the caller appends after the fixed part. */
EXPORT unsigned char *write_fragment(unsigned offset, unsigned count, const char *key,
				     const char *ns)
{
	return fragment(CMD_WRITE, offset, count, key, ns, EMU_HDR + 8 + 2 * EMU_KEYLEN + count);
}

EXPORT unsigned char *read_fragment(unsigned offset, unsigned count, const char *key,
				    const char *ns)
{
	return fragment(CMD_READ, offset, count, key, ns, EMU_HDR + 8 + 2 * EMU_KEYLEN);
}

EXPORT unsigned char *rest_immediate(unsigned len, const char *rsp_key, const char *ns)
{
	unsigned char *p = header(EMU_HDR + 4 + 2 * EMU_KEYLEN + len, CMD_REST);

	put32(p + EMU_HDR, len);
	field(p + EMU_HDR + 4, rsp_key);
	field(p + EMU_HDR + 4 + EMU_KEYLEN, ns);
	return p;
}

EXPORT unsigned char *rest_immediate_blobdesc(const char *req_key, const char *rsp_key,
					      const char *ns)
{
	unsigned char *p = header(EMU_HDR + 3 * EMU_KEYLEN, CMD_REST_BLOB);

	field(p + EMU_HDR, req_key);
	field(p + EMU_HDR + EMU_KEYLEN, rsp_key);
	field(p + EMU_HDR + 2 * EMU_KEYLEN, ns);
	return p;
}

/* ---- sizes -------------------------------------------------------------------------------- */

EXPORT int size_of_createRequest(void) { return EMU_HDR + 2 * EMU_KEYLEN; }
EXPORT int size_of_finalizeRequest(void) { return EMU_HDR + 2 * EMU_KEYLEN; }
EXPORT int size_of_infoRequest(void) { return EMU_HDR + 2 * EMU_KEYLEN; }
EXPORT int size_of_deleteRequest(void) { return EMU_HDR + 2 * EMU_KEYLEN; }
EXPORT int size_of_writeRequest(void) { return EMU_HDR + 8 + 2 * EMU_KEYLEN; }
EXPORT int size_of_readRequest(void) { return EMU_HDR + 8 + 2 * EMU_KEYLEN; }
EXPORT int size_of_readResponse(void) { return EMU_MAX_BUFFER; }
EXPORT int size_of_listRequest(void) { return EMU_HDR + EMU_KEYLEN; }
EXPORT int size_of_listResponse(void) { return EMU_MAX_BUFFER; }
EXPORT int size_of_restImmediateRequest(void) { return EMU_HDR + 4 + 2 * EMU_KEYLEN; }
EXPORT int size_of_restBlobRequest(void) { return EMU_HDR + 3 * EMU_KEYLEN; }
EXPORT int size_of_restResponseFixed(void) { return EMU_REST_FIXED; }
EXPORT int size_of_responseHeaderBlob(void) { return EMU_BLOB_HDR; }
EXPORT int size_of_securityStateRequest(void) { return 16; }
EXPORT int max_read_size(void) { return EMU_MAX_READ; }
EXPORT int max_write_size(void) { return EMU_MAX_WRITE; }
EXPORT int get_max_buffer_size(void) { return EMU_MAX_BUFFER; }

EXPORT void updaterandval(unsigned short value)
{
	sequence_base = value;
}

EXPORT void enabledebugoutput(void)
{
	debug = 1;
}

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
	r = oneshot(op, buf, len, out, out ? outlen - 1 : 0);
	if (r < 0)
		return -1;
	return (signed char)r;
}

EXPORT int ReadyToUse(void)
{
	int fd = emu_connect();

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

EXPORT int DetectILO(const char *app_id, int *ilo_type, int *security_state)
{
	unsigned char st = 0;

	if (!app_id || !ilo_type || !security_state)
		return -2;
	if (oneshot('S', NULL, 0, &st, 1) < 0) {
		*ilo_type = 100; /* vnichpilo.py: -1 with type 100 = driver missing */
		return -1;
	}
	*ilo_type = 7;
	*security_state = st;
	return 0;
}

EXPORT int AppIdExistsinTPM(const char *app_id, bool *exists)
{
	char tok[256];

	if (!app_id || !exists)
		return -2;
	*exists = tpm_read(app_id, tok, sizeof(tok)) == 0;
	return 0;
}

EXPORT int GenerateAppToken(const char *app_id, const char *app_name, const char *salt,
			    const char *user, const char *password)
{
	const char *f[4] = { app_id, app_name, user, password };
	char tok[256], path[512];
	bool exists = false;
	int r, fd;

	(void)salt;
	if (!app_id || !app_name || !user || !password || tpm_path(app_id, path, sizeof(path)) < 0)
		return -2;
	if (AppIdExistsinTPM(app_id, &exists) == 0 && exists)
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

EXPORT int GetSessionID(const char *app_id, const char *app_name, const char *salt,
			char **session_id, char **session_location)
{
	static __thread char reply[1024];
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

EXPORT int DeleteAppToken(const char *app_id, const char *app_name, const char *salt)
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
