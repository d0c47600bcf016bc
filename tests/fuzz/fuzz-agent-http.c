/* SPDX-License-Identifier: MIT */
/*
 * fuzz-agent-http.c - hostfishd's request parser, driven the way a client drives it: the
 * input is written to one end of a socket pair (then closed) and the agent reads requests
 * from the other end, pipelined, with their bodies, until the connection ends.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tools/hostfishd/agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct agent a;
	static struct conn c;
	struct http_request req;
	int sv[2], rounds;

	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	/* the socket buffer holds 64 KiB: write it all, then end the stream */
	if (size && write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	close(sv[1]);

	memset(&a, 0, sizeof(a));
	a.cfg.client_timeout_ms = 200;
	a.cfg.max_body = 1 << 20;
	a.stop_fd = -1;
	memset(&c, 0, sizeof(c));
	c.agent = &a;
	c.fd = sv[0];
	for (rounds = 0; rounds < 64; rounds++) {
		int r = http_read_head(&c, &req);

		if (r != 0)
			break; /* an error status, or the end of the stream */
		(void)http_header(&req, "Content-Type");
		if (http_discard_body(&c, &req, now_ms() + 200) != 0)
			break;
		http_request_done(&c, &req);
	}
	close(sv[0]);
	return 0;
}
