/* SPDX-License-Identifier: MIT */
/*
 * creds-ipmi.c - DSP0270 1.3 credential bootstrapping through the kernel's IPMI driver.
 *
 * "Get Bootstrap Account Credentials": NetFn 2Ch (group extension), command 02h.
 * Request data: byte 1 the group extension identification 52h, byte 2 "disable credential
 * bootstrapping control" (A5h keeps bootstrapping enabled; any other value disables it once
 * the command completes).  Response data: completion code, 52h, user name (16 bytes), password
 * (16 bytes), each NUL padded; completion code 80h means bootstrapping is disabled.
 * Packing and parsing are pure functions (unit tested); the device I/O is a thin wrapper.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ipmi.h>

#include "creds.h"

size_t hf_ipmi_bootstrap_request(uint8_t out[2], bool keep_enabled)
{
	out[0] = HF_IPMI_GROUP_REDFISH;
	out[1] = keep_enabled ? HF_IPMI_BOOTSTRAP_KEEP_ENABLED : 0x00;
	return 2;
}

/* One NUL-padded field: printable ASCII, not empty, nothing after the first NUL. */
static char *field(const uint8_t *p, const char *what, char *why, size_t whylen)
{
	size_t n = 0, i;

	while (n < HF_IPMI_BOOTSTRAP_FIELD && p[n])
		n++;
	if (n == 0) {
		snprintf(why, whylen, "the bootstrap %s is empty", what);
		return NULL;
	}
	for (i = 0; i < HF_IPMI_BOOTSTRAP_FIELD; i++)
		if ((i < n && (p[i] <= 0x20 || p[i] >= 0x7f)) || (i >= n && p[i])) {
			snprintf(why, whylen, "the bootstrap %s has an invalid byte at offset %zu",
				 what, i);
			return NULL;
		}
	return hf_strndup((const char *)p, n);
}

int hf_ipmi_bootstrap_parse(const uint8_t *data, size_t len, char **ret_user,
			    char **ret_password, char *why, size_t whylen)
{
	char *user, *pass;

	if (!data || len < 1) {
		snprintf(why, whylen, "empty IPMI answer");
		return -EPROTO;
	}
	if (data[0] == HF_IPMI_CC_BOOTSTRAP_DISABLED) {
		snprintf(why, whylen, "the BMC answered completion code 80h: credential "
				      "bootstrapping is disabled");
		return -EACCES;
	}
	if (data[0] != 0) {
		snprintf(why, whylen, "the BMC answered completion code %02Xh", data[0]);
		return -EPROTO;
	}
	if (len != 2 + 2 * HF_IPMI_BOOTSTRAP_FIELD) {
		snprintf(why, whylen, "the answer holds %zu bytes, not %d", len,
			 2 + 2 * HF_IPMI_BOOTSTRAP_FIELD);
		return -EPROTO;
	}
	if (data[1] != HF_IPMI_GROUP_REDFISH) {
		snprintf(why, whylen, "the answer's group extension is %02Xh, not 52h", data[1]);
		return -EPROTO;
	}
	user = field(data + 2, "user name", why, whylen);
	if (!user)
		return -EPROTO;
	if (strchr(user, ':')) {
		/* unusable with HTTP Basic (RFC 7617), like the UEFI variable's second ':' */
		snprintf(why, whylen, "the bootstrap user name contains ':'");
		free(user);
		return -EPROTO;
	}
	pass = field(data + 2 + HF_IPMI_BOOTSTRAP_FIELD, "password", why, whylen);
	if (!pass) {
		free(user);
		return -EPROTO;
	}
	*ret_user = user;
	*ret_password = pass;
	return 0;
}

int hf_ipmi_bootstrap_get(const char *device, long timeout_ms, struct hf_creds *c, char *why,
			  size_t whylen)
{
	struct ipmi_system_interface_addr bmc = { .addr_type = IPMI_SYSTEM_INTERFACE_ADDR_TYPE,
						  .channel = IPMI_BMC_CHANNEL };
	struct ipmi_addr raddr;
	uint8_t req_data[2], rsp[64];
	struct ipmi_req req = { 0 };
	struct ipmi_recv recv = { 0 };
	struct pollfd pfd;
	int fd, r;

	if (!device)
		device = HF_IPMI_DEVICE_DEFAULT;
	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(why, whylen, "%s: %s%s", device, strerror(errno),
			 r == -ENOENT ? " (load the ipmi_si/ipmi_devintf kernel modules)" : "");
		return r == -ENOENT ? -ENOENT : r;
	}
	req.addr = (unsigned char *)&bmc;
	req.addr_len = sizeof(bmc);
	req.msgid = 1;
	req.msg.netfn = HF_IPMI_NETFN_GROUP_EXT;
	req.msg.cmd = HF_IPMI_CMD_GET_BOOTSTRAP_CREDS;
	req.msg.data = req_data;
	/*
	 * Keep bootstrapping enabled (A5h), never disable it, although hostfish keeps what it
	 * gets: the kept account can still vanish (deleted by an administrator, or by a BMC
	 * reset that forgets it), and a BMC whose bootstrapping is disabled gives new
	 * credentials only after a host reset (DSP0270: and only if EnableAfterReset).  Other
	 * tools of this host may need it too.  What stops the accounts from piling up is that
	 * hostfish asks only when it holds none that works (creds.c, creds-store.c).
	 */
	req.msg.data_len = (unsigned short)hf_ipmi_bootstrap_request(req_data, true);
	if (ioctl(fd, IPMICTL_SEND_COMMAND, &req) < 0) {
		r = -errno;
		snprintf(why, whylen, "%s: sending Get Bootstrap Account Credentials: %s", device,
			 strerror(errno));
		goto out;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	do
		r = poll(&pfd, 1, timeout_ms > 0 ? (int)timeout_ms : 5000);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		r = r == 0 ? -ETIMEDOUT : -errno;
		snprintf(why, whylen, "%s: no answer to Get Bootstrap Account Credentials (%s)",
			 device, strerror(-r));
		goto out;
	}
	recv.addr = (unsigned char *)&raddr;
	recv.addr_len = sizeof(raddr);
	recv.msg.data = rsp;
	recv.msg.data_len = sizeof(rsp);
	if (ioctl(fd, IPMICTL_RECEIVE_MSG_TRUNC, &recv) < 0) {
		r = -errno;
		snprintf(why, whylen, "%s: receiving the answer: %s", device, strerror(errno));
		goto out;
	}
	memset(c, 0, sizeof(*c));
	r = hf_ipmi_bootstrap_parse(rsp, recv.msg.data_len, &c->username, &c->password, why,
				    whylen);
	if (r == 0)
		c->source = "ipmi-bootstrap";
out:
	hf_wipe(rsp, sizeof(rsp));
	close(fd);
	return r;
}
