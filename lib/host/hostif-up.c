/* SPDX-License-Identifier: MIT */
/*
 * hostif-up.c - hf_hostif_up(): bring the host interface's NIC up and give it the host
 * address the Type 42 record specifies (static or auto-configure), over rtnetlink; and give
 * it back when the NIC returns after a reset of the BMC (hf_hostif_reapply()).
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

#include <fcntl.h>

#include <json-c/json.h>

#include "hostif.h"
#include "netwatch.h"

#define MARKER_NAME "hostif-up.json" /* in $HOSTFISH_RUNTIME_DIR: what "hostif up" configured */

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

/*
 * Record what "hostif up" configured (the NIC by MAC and name, the address), so that the
 * address is given back when the NIC returns after a reset of the BMC (hf_hostif_reapply).
 * In the runtime directory: an address lasts until the next boot, and so does this.
 */
static void write_marker(const struct hf_netif *nic, const char *ip, unsigned bits, int family)
{
	_cleanup_free_ char *path = NULL;
	struct json_object *o = json_object_new_object();
	const char *text;
	char err[256];

	if (!o || hf_private_dir(hf_runtime_dir(), err, sizeof(err)) < 0 ||
	    asprintf(&path, "%s/%s", hf_runtime_dir(), MARKER_NAME) < 0) {
		json_object_put(o);
		return;
	}
	json_object_object_add(o, "interface", json_object_new_string(nic->name));
	json_object_object_add(o, "mac", json_object_new_string(nic->mac));
	json_object_object_add(o, "address", json_object_new_string(ip));
	json_object_object_add(o, "prefix", json_object_new_int((int)bits));
	json_object_object_add(o, "family", json_object_new_int(family == AF_INET6 ? 6 : 4));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	(void)hf_write_atomic(path, text, strlen(text)); /* best effort: the address is set */
	json_object_put(o);
}

static struct json_object *read_marker(void)
{
	_cleanup_free_ char *path = NULL;
	char buf[1024];
	ssize_t n;
	int fd;

	if (asprintf(&path, "%s/%s", hf_runtime_dir(), MARKER_NAME) < 0)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 && (size_t)n < sizeof(buf) ? hf_json_parse(buf, (size_t)n) : NULL;
}

int hf_hostif_reapply(const struct hf_netif *nic, const struct hf_logger *log, char *why,
		      size_t whylen)
{
	static const char *const k_mac[] = { "mac", NULL }, *const k_if[] = { "interface", NULL },
				 *const k_addr[] = { "address", NULL };
	struct json_object *m = read_marker(), *v;
	const char *mac = hf_json_path_string(m, k_mac), *name = hf_json_path_string(m, k_if);
	const char *addr = hf_json_path_string(m, k_addr);
	unsigned char raw[16];
	char have[HF_SMBIOS_ADDRSTRLEN + 2];
	int family, bits, r = 0;
	size_t i;

	if (!m || !addr || !((mac && mac[0] && strcmp(mac, nic->mac) == 0) ||
			     (!(mac && mac[0]) && name && strcmp(name, nic->name) == 0)))
		goto out; /* not configured by "hostif up": the system's own network set-up */
	family = json_object_object_get_ex(m, "family", &v) && json_object_get_int(v) == 6
			 ? AF_INET6
			 : AF_INET;
	bits = json_object_object_get_ex(m, "prefix", &v) ? json_object_get_int(v) : -1;
	if (bits < 0 || bits > (family == AF_INET ? 32 : 128) ||
	    inet_pton(family, addr, raw) != 1) {
		snprintf(why, whylen, "%s/%s is malformed", hf_runtime_dir(), MARKER_NAME);
		r = -EINVAL;
		goto out;
	}
	snprintf(have, sizeof(have), "%s/", addr);
	for (i = 0; i < nic->n_addrs; i++)
		if (hf_startswith(nic->addrs[i], have))
			goto out;
	if (geteuid() != 0) {
		snprintf(why, whylen, "%s came back without %s, which hostif up gave it: putting it "
				      "back needs root",
			 nic->name, addr);
		r = -EPERM;
		goto out;
	}
	r = strcmp(nic->operstate, "up") == 0 ? 0 : link_up(nic->ifindex);
	if (r == 0)
		r = add_address(nic->ifindex, family, raw, (unsigned)bits);
	if (r == -EEXIST)
		r = 0;
	if (r < 0)
		snprintf(why, whylen, "cannot put %s/%d back on %s: %s", addr, bits, nic->name,
			 strerror(-r));
	else
		hf_log_info(log, "host interface %s is back: brought up with %s/%d again (as hostif "
				 "up configured it)",
			    nic->name, addr, bits);
out:
	json_object_put(m);
	return r;
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
		write_marker(&t.nic, rf->host_ip, bits, family);
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
