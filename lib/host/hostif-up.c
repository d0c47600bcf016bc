/* SPDX-License-Identifier: MIT */
/*
 * hostif-up.c - hf_hostif_up(): bring the host interface's NIC up and give it the host
 * address the Type 42 record specifies (static or auto-configure), over rtnetlink.
 *
 * DHCP-assigned host addresses are not configured here: that is a DHCP client's job (the
 * BMC runs the server on its side of the vNIC), and the report says so.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "hostif.h"

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	};
	char attrs[64];
};

static void add_attr(struct nl_req *req, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send one request and wait for its acknowledgement: 0 or the kernel's -errno. */
static int nl_talk(struct nl_req *req)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[4096];
	struct nlmsghdr *nh;
	ssize_t n;
	int fd, r = -EPROTO;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nh.nlmsg_seq = 1;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		r = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned)n); nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_ERROR &&
		    nh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
			r = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			break;
		}
	}
out:
	close(fd);
	return r;
}

static int link_up(unsigned ifindex)
{
	struct nl_req req = { 0 };

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	req.ifi.ifi_flags = IFF_UP;
	req.ifi.ifi_change = IFF_UP;
	return nl_talk(&req);
}

static int add_address(unsigned ifindex, int family, const unsigned char *addr, unsigned prefix)
{
	struct nl_req req = { 0 };
	size_t len = family == AF_INET ? 4 : 16;

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req.ifa.ifa_family = (unsigned char)family;
	req.ifa.ifa_prefixlen = (unsigned char)prefix;
	req.ifa.ifa_index = ifindex;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	add_attr(&req, IFA_LOCAL, addr, len);
	add_attr(&req, IFA_ADDRESS, addr, len);
	return nl_talk(&req);
}

static unsigned mask_bits(const unsigned char *m, size_t len)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < len; i++)
		bits += (unsigned)__builtin_popcount(m[i]);
	return bits;
}

static int hostif_up(const char *root, const char *smbios_file, struct json_object **ret,
		     char *why, size_t whylen)
{
	struct hf_hostif_target t = { 0 };
	struct hf_smbios *s = NULL;
	struct json_object *doc = NULL, *actions;
	const struct hf_smbios_rfip *rf;
	char err[512];
	int r;

	r = hf_smbios_load_at(root, smbios_file, &s, err, sizeof(err));
	if (r < 0) {
		snprintf(why, whylen, "cannot read SMBIOS: %s", err);
		return r;
	}
	r = hf_hostif_locate(root, s, &t, why, whylen);
	if (r < 0)
		goto out;
	rf = t.rfip;
	doc = json_object_new_object();
	actions = json_object_new_array();
	if (!doc || !actions || json_object_object_add(doc, "actions", actions) < 0) {
		json_object_put(actions);
		r = -ENOMEM;
		goto out;
	}
	json_object_object_add(doc, "interface", json_object_new_string(t.nic.name));
	json_object_object_add(doc, "host_ip_assignment",
			       json_object_new_string(
				       hf_smbios_ip_assignment_name(rf->host_ip_assignment)));
	if (geteuid() != 0) {
		snprintf(why, whylen, "bringing %s up and configuring its address needs root",
			 t.nic.name);
		r = -EPERM;
		goto out;
	}
	if (strcmp(t.nic.operstate, "up") != 0) {
		r = link_up(t.nic.ifindex);
		if (r < 0) {
			snprintf(why, whylen, "cannot bring %s up: %s", t.nic.name, strerror(-r));
			goto out;
		}
		hf_json_array_printf(actions, "brought %s up", t.nic.name);
	}
	if ((rf->host_ip_assignment == HF_SMBIOS_IP_STATIC ||
	     rf->host_ip_assignment == HF_SMBIOS_IP_AUTOCONF) &&
	    rf->host_ip[0]) {
		int family = rf->host_ip_format == HF_SMBIOS_IPFMT_IPV6 ? AF_INET6 : AF_INET;
		unsigned bits = mask_bits(rf->host_mask_raw, family == AF_INET ? 4 : 16);
		char have[HF_SMBIOS_ADDRSTRLEN + 2];
		bool present = false;
		size_t i;

		snprintf(have, sizeof(have), "%s/", rf->host_ip);
		for (i = 0; i < t.nic.n_addrs; i++)
			if (hf_startswith(t.nic.addrs[i], have))
				present = true;
		if (present) {
			hf_json_array_printf(actions, "%s already has %s", t.nic.name, rf->host_ip);
		} else {
			r = add_address(t.nic.ifindex, family, rf->host_ip_raw, bits);
			if (r < 0 && r != -EEXIST) {
				snprintf(why, whylen, "cannot add %s/%u to %s: %s", rf->host_ip, bits,
					 t.nic.name, strerror(-r));
				goto out;
			}
			hf_json_array_printf(actions, "added %s/%u to %s", rf->host_ip, bits, t.nic.name);
		}
	} else if (rf->host_ip_assignment == HF_SMBIOS_IP_DHCP) {
		char note[512];

		snprintf(note, sizeof(note),
			 "the host address of %s is assigned by the BMC's DHCP server: run a DHCP "
			 "client on it (dhclient %s, networkctl, or a NetworkManager connection "
			 "with ipv4.method auto)",
			 t.nic.name, t.nic.name);
		json_object_object_add(doc, "dhcp", json_object_new_string(note));
	} else {
		hf_json_array_printf(actions, "the record gives no host address to configure (%s)",
		     hf_smbios_ip_assignment_name(rf->host_ip_assignment));
	}
	*ret = doc;
	doc = NULL;
	r = 0;
out:
	json_object_put(doc);
	hf_hostif_target_clear(&t);
	hf_smbios_free(s);
	return r;
}

_hf_public_ int hf_hostif_up(const hf_options *opts, struct json_object **ret)
{
	char why[1024] = "";
	int r;

	if (!opts || !ret || opts->version != HF_OPTIONS_VERSION)
		return -EINVAL;
	r = hostif_up(NULL, opts->smbios_file, ret, why, sizeof(why));
	if (r < 0 && why[0] && opts->log_fn) {
		hf_one_line(why);
		opts->log_fn(opts->log_userdata, HF_LOG_ERROR, why);
	}
	return r;
}
