/* SPDX-License-Identifier: MIT */
/*
 * chif-emu.c - an emulated HPE CHIF channel library (libilorestchif-emu.so) for tests.
 *
 * It exports the entry points of HPE's closed ilorest_chif.so with the calling conventions
 * python-ilorest-library and the ilorest command use (redfish/hpilo/rishpilo.py,
 * risblobstore2.py, ilorest/rdmc_helper.py): C ints for the channel and size functions,
 * "unsigned char *" packets from the builders, char * keys and namespaces.  Like HPE's, the
 * builders fill ONE static buffer for the whole process (valid until the next builder call of
 * any thread), and the credentials and the sequence base are library-wide state: HPE's
 * clients are single-threaded, and a multi-threaded one must serialise every call.
 *
 * Invented strictness (HPE's library does not check it, it just gives wrong packets): two
 * threads inside the library at the same time is a caller's bug, and this library stops the
 * process with a message saying so, so that a missing lock fails a test every time instead of
 * corrupting one packet in a thousand.  HOSTFISH_EMU_CHIF_OVERLAP=ignore turns the check off.
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

#include "chif-emu.h"

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

static unsigned char packet[EMU_MAX_BUFFER]; /* the one buffer of every builder */
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

/* ---- callers that interleave calls (invented strictness, see the top) -------------------- */

static int inside; /* threads in an entry point now */

void emu_enter(const char *fn)
{
	const char *mode;

	if (__atomic_fetch_add(&inside, 1, __ATOMIC_ACQ_REL) == 0)
		return;
	mode = getenv("HOSTFISH_EMU_CHIF_OVERLAP");
	if (mode && strcmp(mode, "ignore") == 0)
		return;
	fprintf(stderr,
		"chif-emu: %s was called while another thread is inside the library: HPE's "
		"channel library is not thread-safe (its packet builders share one static buffer); "
		"the caller must serialise every call\n",
		fn);
	abort();
}

void emu_leave(void)
{
	__atomic_fetch_sub(&inside, 1, __ATOMIC_ACQ_REL);
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

int emu_connect(void)
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
int emu_oneshot(char op, const void *data, size_t len, void *out, size_t outlen)
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

static int ChifInitialize_(void *reserved)
{
	(void)reserved;
	return E_OK;
}

EXPORTED(int, ChifInitialize, (void *reserved), (reserved))

static int ChifCreate_(void **handle)
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

EXPORTED(int, ChifCreate, (void **handle), (handle))

static int ChifPing_(void *handle)
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

EXPORTED(int, ChifPing, (void *handle), (handle))

static int ChifSetRecvTimeout_(void *handle, int ms)
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

EXPORTED(int, ChifSetRecvTimeout, (void *handle, int ms), (handle, ms))

static int ChifPacketExchange_(void *handle, const void *send, void *recv, int recvsize)
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

EXPORTED(int, ChifPacketExchange, (void *handle, const void *send, void *recv, int recvsize),
	 (handle, send, recv, recvsize))

static int ChifClose_(void *handle)
{
	struct emu_chan *c = handle;

	if (!c)
		return E_INVAL;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return E_OK;
}

EXPORTED(int, ChifClose, (void *handle), (handle))

/* ---- security ------------------------------------------------------------------------------ */

static int ChifIsSecurityRequired_(void)
{
	unsigned char state = 0;
	int r = emu_oneshot('S', NULL, 0, &state, 1);

	if (r != 0)
		return 0; /* no answer: the channel calls say why */
	return state != 3; /* 3: Production */
}

EXPORTED(int, ChifIsSecurityRequired, (void), ())

static unsigned char *initiate_credentials_(const char *user, const char *password)
{
	snprintf(cred_user, sizeof(cred_user), "%s", user ? user : "");
	snprintf(cred_pass, sizeof(cred_pass), "%s", password ? password : "");
	creds_verified = 0;
	return header(16, 0);
}

EXPORTED(unsigned char *, initiate_credentials, (const char *user, const char *password),
	 (user, password))

static int ChifVerifyCredentials_(void)
{
	unsigned char buf[520];
	size_t n = cred_payload(buf, sizeof(buf));
	int r = emu_oneshot('V', buf, n, NULL, 0);

	memset(buf, 0, sizeof(buf));
	if (r < 0)
		return -r;
	creds_verified = r == 0;
	return r;
}

EXPORTED(int, ChifVerifyCredentials, (void), ())

static int ChifDisableSecurity_(void)
{
	creds_verified = 0;
	return E_OK;
}

EXPORTED(int, ChifDisableSecurity, (void), ())

static unsigned char *get_security_state_(void)
{
	return header(16, CMD_SECURITY);
}

EXPORTED(unsigned char *, get_security_state, (void), ())

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

static unsigned char *create_not_blobentry_(const char *key, const char *ns)
{
	return key_ns(CMD_CREATE, key, ns);
}

EXPORTED(unsigned char *, create_not_blobentry, (const char *key, const char *ns), (key, ns))

static unsigned char *finalize_blob_(const char *key, const char *ns)
{
	return key_ns(CMD_FINALIZE, key, ns);
}

EXPORTED(unsigned char *, finalize_blob, (const char *key, const char *ns), (key, ns))

static unsigned char *get_info_(const char *key, const char *ns)
{
	return key_ns(CMD_INFO, key, ns);
}

EXPORTED(unsigned char *, get_info, (const char *key, const char *ns), (key, ns))

static unsigned char *delete_blob_(const char *key, const char *ns)
{
	return key_ns(CMD_DELETE, key, ns);
}

EXPORTED(unsigned char *, delete_blob, (const char *key, const char *ns), (key, ns))

static unsigned char *list_blob_(const char *ns)
{
	unsigned char *p = header(EMU_HDR + EMU_KEYLEN, CMD_LIST);

	field(p + EMU_HDR, ns);
	return p;
}

EXPORTED(unsigned char *, list_blob, (const char *ns), (ns))

/* The size field covers the data the caller appends after the fixed part. */
static unsigned char *write_fragment_(unsigned offset, unsigned count, const char *key,
				     const char *ns)
{
	return fragment(CMD_WRITE, offset, count, key, ns, EMU_HDR + 8 + 2 * EMU_KEYLEN + count);
}

EXPORTED(unsigned char *, write_fragment, (unsigned offset, unsigned count, const char *key,
	  const char *ns), (offset, count, key, ns))

static unsigned char *read_fragment_(unsigned offset, unsigned count, const char *key,
				    const char *ns)
{
	return fragment(CMD_READ, offset, count, key, ns, EMU_HDR + 8 + 2 * EMU_KEYLEN);
}

EXPORTED(unsigned char *, read_fragment, (unsigned offset, unsigned count, const char *key,
	  const char *ns), (offset, count, key, ns))

static unsigned char *rest_immediate_(unsigned len, const char *rsp_key, const char *ns)
{
	unsigned char *p = header(EMU_HDR + 4 + 2 * EMU_KEYLEN + len, CMD_REST);

	put32(p + EMU_HDR, len);
	field(p + EMU_HDR + 4, rsp_key);
	field(p + EMU_HDR + 4 + EMU_KEYLEN, ns);
	return p;
}

EXPORTED(unsigned char *, rest_immediate, (unsigned len, const char *rsp_key, const char *ns),
	 (len, rsp_key, ns))

static unsigned char *rest_immediate_blobdesc_(const char *req_key, const char *rsp_key,
					      const char *ns)
{
	unsigned char *p = header(EMU_HDR + 3 * EMU_KEYLEN, CMD_REST_BLOB);

	field(p + EMU_HDR, req_key);
	field(p + EMU_HDR + EMU_KEYLEN, rsp_key);
	field(p + EMU_HDR + 2 * EMU_KEYLEN, ns);
	return p;
}

EXPORTED(unsigned char *, rest_immediate_blobdesc, (const char *req_key, const char *rsp_key,
	  const char *ns), (req_key, rsp_key, ns))

/* ---- what else HPE's clients call ---------------------------------------------------------- */

/*
 * encode_credentials / decode_credentials: the ilorest command calls them with a string and a
 * 128-byte buffer for the answer (ilorest/rdmc_helper.py, Encryption), to keep credentials in
 * its cache not in clear text, and tests encode_credentials("test") at start-up to decide
 * whether the library is there.  HPE's encoding is not documented; this one is invented:
 * "emu1:" and the hex digits of each byte.  0 on success; -1 (and an empty answer) for an
 * input too long for the buffer or, when decoding, not in this form.
 */
#define EMU_CRED_OUT 128
#define EMU_CRED_TAG "emu1:"

static int encode_credentials_(const char *in, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t n, i, tag = strlen(EMU_CRED_TAG);

	if (!out)
		return -1;
	out[0] = '\0';
	if (!in)
		return -1;
	n = strlen(in);
	if (tag + 2 * n + 1 > EMU_CRED_OUT)
		return -1;
	memcpy(out, EMU_CRED_TAG, tag);
	for (i = 0; i < n; i++) {
		out[tag + 2 * i] = hex[(unsigned char)in[i] >> 4];
		out[tag + 2 * i + 1] = hex[(unsigned char)in[i] & 15];
	}
	out[tag + 2 * n] = '\0';
	return 0;
}

EXPORTED(int, encode_credentials, (const char *in, char *out), (in, out))

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int decode_credentials_(const char *in, char *out)
{
	size_t n, i, tag = strlen(EMU_CRED_TAG);

	if (!out)
		return -1;
	out[0] = '\0';
	if (!in || strncmp(in, EMU_CRED_TAG, tag) != 0)
		return -1;
	in += tag;
	n = strlen(in);
	if (n % 2 || n / 2 + 1 > EMU_CRED_OUT)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);

		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			out[0] = '\0';
			return -1;
		}
		out[i] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return 0;
}

EXPORTED(int, decode_credentials, (const char *in, char *out), (in, out))

/* ChifTerminate (the ilorest command's component upload, after its own channel): undocumented;
 * here it drops the library-wide credentials, the state ChifInitialize starts from. */
static int ChifTerminate_(void)
{
	memset(cred_user, 0, sizeof(cred_user));
	memset(cred_pass, 0, sizeof(cred_pass));
	creds_verified = 0;
	return E_OK;
}

EXPORTED(int, ChifTerminate, (void), ())

/* ChifEnableSecurity (component upload, before its ChifCreate): undocumented; HPE's turns the
 * use of credentials back on after ChifDisableSecurity.  Here a channel uses the credentials
 * whenever ChifVerifyCredentials accepted them, so there is nothing to turn on. */
static int ChifEnableSecurity_(void)
{
	return E_OK;
}

EXPORTED(int, ChifEnableSecurity, (void), ())

/* ChifGetSecuritySupport (the hidden securitystatus command: credentials are verified when it
 * answers more than 1): undocumented; invented here as 0 no iLO, 1 credentials not needed
 * (Production), 2 needed. */
static int ChifGetSecuritySupport_(void)
{
	unsigned char state = 0;

	if (emu_oneshot('S', NULL, 0, &state, 1) != 0)
		return 0;
	return state == 3 ? 1 : 2;
}

EXPORTED(int, ChifGetSecuritySupport, (void), ())

/* ---- sizes -------------------------------------------------------------------------------- */

EXPORT int size_of_createRequest(void) { return GUARDED(int, EMU_HDR + 2 * EMU_KEYLEN); }
EXPORT int size_of_finalizeRequest(void) { return GUARDED(int, EMU_HDR + 2 * EMU_KEYLEN); }
EXPORT int size_of_infoRequest(void) { return GUARDED(int, EMU_HDR + 2 * EMU_KEYLEN); }
EXPORT int size_of_deleteRequest(void) { return GUARDED(int, EMU_HDR + 2 * EMU_KEYLEN); }
EXPORT int size_of_writeRequest(void) { return GUARDED(int, EMU_HDR + 8 + 2 * EMU_KEYLEN); }
EXPORT int size_of_readRequest(void) { return GUARDED(int, EMU_HDR + 8 + 2 * EMU_KEYLEN); }
EXPORT int size_of_readResponse(void) { return GUARDED(int, EMU_MAX_BUFFER); }
EXPORT int size_of_listRequest(void) { return GUARDED(int, EMU_HDR + EMU_KEYLEN); }
EXPORT int size_of_listResponse(void) { return GUARDED(int, EMU_MAX_BUFFER); }
EXPORT int size_of_restImmediateRequest(void) { return GUARDED(int, EMU_HDR + 4 + 2 * EMU_KEYLEN); }
EXPORT int size_of_restBlobRequest(void) { return GUARDED(int, EMU_HDR + 3 * EMU_KEYLEN); }
EXPORT int size_of_restResponseFixed(void) { return GUARDED(int, EMU_REST_FIXED); }
EXPORT int size_of_responseHeaderBlob(void) { return GUARDED(int, EMU_BLOB_HDR); }
EXPORT int size_of_securityStateRequest(void) { return GUARDED(int, 16); }
EXPORT int max_read_size(void) { return GUARDED(int, EMU_MAX_READ); }
EXPORT int max_write_size(void) { return GUARDED(int, EMU_MAX_WRITE); }
EXPORT int get_max_buffer_size(void) { return GUARDED(int, EMU_MAX_BUFFER); }

static void updaterandval_(unsigned short value)
{
	sequence_base = value;
}

EXPORTED_VOID(updaterandval, (unsigned short value), (value))

static void enabledebugoutput_(void)
{
	debug = 1;
}

EXPORTED_VOID(enabledebugoutput, (void), ())
