/* SPDX-License-Identifier: MIT */
/*
 * ipmi-emu.c - an LD_PRELOAD shim that plays the kernel's IPMI device (/dev/ipmi0) for tests:
 * ioctl()s on a file descriptor of /dev/ipmi0 go to the emulator's --ipmi-socket
 * ($HOSTFISH_EMU_IPMI_SOCKET, tests/emulator/iloemu/ipmi.py), one connection per command;
 * every other ioctl() goes to libc.  /dev/ipmi0 is a plain file of the test's fixture root,
 * shown in its place by tests/shim/path-redirect.c, preloaded too: this shim only answers the
 * ioctl()s, and the one it asks which file /dev/ipmi0 is.  A plain file always polls readable,
 * so the caller's poll() needs no help: the answer is ready once IPMICTL_SEND_COMMAND returns.
 * A test artefact, never installed; the production code keeps no test hook.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/ipmi.h>

#define MAX_FDS 1024

struct answer {
	bool pending;
	long msgid;
	unsigned char netfn, cmd;
	unsigned char len;
	unsigned char data[255];
};

static struct answer answers[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int real_ioctl(int fd, unsigned long request, void *arg)
{
	static int (*next)(int, unsigned long, ...);

	if (!next)
		next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	return next(fd, request, arg);
}

/* Is fd open on /dev/ipmi0 (the fixture's, through the path shim)? */
static bool emulated(int fd)
{
	struct stat a, b;

	return fd >= 0 && fd < MAX_FDS && getenv("HOSTFISH_EMU_IPMI_SOCKET") &&
	       fstat(fd, &a) == 0 && stat("/dev/ipmi0", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static int io_all(int s, void *buf, size_t n, bool out)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t k = out ? send(s, p, n, MSG_NOSIGNAL) : recv(s, p, n, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One exchange with the emulator: netfn, cmd, data -> answer (completion code first). */
static int exchange(const struct ipmi_msg *m, struct answer *a)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char head[4] = { 0, m->netfn, m->cmd, (unsigned char)m->data_len };
	int s, r = -1;

	if (m->data_len > 255)
		return -1;
	strncpy(sa.sun_path, getenv("HOSTFISH_EMU_IPMI_SOCKET"), sizeof(sa.sun_path) - 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    io_all(s, head, sizeof(head), true) == 0 &&
	    io_all(s, m->data, m->data_len, true) == 0 && io_all(s, &a->len, 1, false) == 0 &&
	    io_all(s, a->data, a->len, false) == 0)
		r = 0;
	close(s);
	return r;
}

static int send_command(int fd, struct ipmi_req *req)
{
	struct answer a = { 0 };

	if (exchange(&req->msg, &a) < 0) {
		errno = EIO;
		return -1;
	}
	a.pending = true;
	a.msgid = req->msgid;
	a.netfn = req->msg.netfn | 1; /* the response's NetFn */
	a.cmd = req->msg.cmd;
	pthread_mutex_lock(&lock);
	answers[fd] = a;
	pthread_mutex_unlock(&lock);
	return 0;
}

static int receive(int fd, struct ipmi_recv *recv, bool trunc)
{
	struct ipmi_system_interface_addr bmc = { .addr_type = IPMI_SYSTEM_INTERFACE_ADDR_TYPE,
						  .channel = IPMI_BMC_CHANNEL };
	struct answer a;
	int r = 0;

	pthread_mutex_lock(&lock);
	a = answers[fd];
	answers[fd].pending = false;
	pthread_mutex_unlock(&lock);
	if (!a.pending) {
		errno = EAGAIN;
		return -1;
	}
	recv->recv_type = IPMI_RESPONSE_RECV_TYPE;
	if (recv->addr && recv->addr_len >= sizeof(bmc)) {
		memcpy(recv->addr, &bmc, sizeof(bmc));
		recv->addr_len = sizeof(bmc);
	}
	recv->msgid = a.msgid;
	recv->msg.netfn = a.netfn;
	recv->msg.cmd = a.cmd;
	if (a.len > recv->msg.data_len) {
		if (!trunc) {
			errno = EMSGSIZE;
			return -1;
		}
		a.len = (unsigned char)recv->msg.data_len;
		errno = EMSGSIZE;
		r = -1;
	}
	memcpy(recv->msg.data, a.data, a.len);
	recv->msg.data_len = a.len;
	return r;
}

/* exported: the library is built with -fvisibility=hidden like the rest of the tree */
__attribute__((visibility("default"))) int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((request == IPMICTL_SEND_COMMAND || request == IPMICTL_RECEIVE_MSG ||
	     request == IPMICTL_RECEIVE_MSG_TRUNC) &&
	    emulated(fd)) {
		if (request == IPMICTL_SEND_COMMAND)
			return send_command(fd, arg);
		return receive(fd, arg, request == IPMICTL_RECEIVE_MSG_TRUNC);
	}
	return real_ioctl(fd, request, arg);
}
