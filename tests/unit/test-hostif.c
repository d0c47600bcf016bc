/* SPDX-License-Identifier: MIT */
/*
 * test-hostif.c - the hostif backend's policies: the BMC address (static, DHCP with host
 * name, lease files, HPE's default, failure), and the trust-on-first-use pin files.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/transport/hostif.h"

static char root[PATH_MAX];

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2], dir[PATH_MAX * 2], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "%s/hostfish-hostif.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static int resolve_ok(const char *name, char *addr, size_t len)
{
	snprintf(addr, len, "%s", strcmp(name, "ilo.example") == 0 ? "16.1.15.9" : "?");
	return strcmp(name, "ilo.example") == 0 ? 0 : -ENOENT;
}

static int resolve_fail(const char *name, char *addr, size_t len)
{
	return -ENOENT;
}

struct fixture {
	struct hf_smbios_hostif h;
	struct hf_smbios_rfip rf;
	struct hf_hostif_target t;
};

static void make(struct fixture *f, uint8_t discovery, const char *service_ip, bool hpe)
{
	memset(f, 0, sizeof(*f));
	f->h.interface_type = HF_SMBIOS_IFTYPE_NETWORK;
	f->h.device.type = HF_SMBIOS_DEV_USB;
	f->h.device.decoded = true;
	f->h.device.vendor_id = hpe ? 0x03f0 : 0x1d6b;
	f->h.device.product_id = hpe ? 0x2927 : 0x0104;
	f->rf.service_ip_discovery = discovery;
	f->rf.service_ip_format = HF_SMBIOS_IPFMT_IPV4;
	snprintf(f->rf.service_ip, sizeof(f->rf.service_ip), "%s", service_ip);
	f->rf.port = 0;
	f->rf.hostname = (char *)"";
	f->t.hostif = &f->h;
	f->t.rfip = &f->rf;
	snprintf(f->t.nic.name, sizeof(f->t.nic.name), "usb0");
	f->t.nic.ifindex = 7;
}

static void test_static(void **state)
{
	struct fixture f;
	struct hf_hostif_endpoint ep;
	char why[512] = "";

	make(&f, HF_SMBIOS_IP_STATIC, "16.1.15.1", true);
	f.rf.port = 8443;
	assert_int_equal(hf_hostif_endpoint(root, &f.t, resolve_fail, &ep, why, sizeof(why)), 0);
	assert_string_equal(ep.addr, "16.1.15.1");
	assert_string_equal(ep.source, "record");
	assert_string_equal(ep.url, "https://16.1.15.1:8443");

	make(&f, HF_SMBIOS_IP_AUTOCONF, "fe80::1", false);
	assert_int_equal(hf_hostif_endpoint(root, &f.t, resolve_fail, &ep, why, sizeof(why)), 0);
	assert_string_equal(ep.url, "https://[fe80::1%25usb0]:443"); /* zone of the NIC */

	make(&f, HF_SMBIOS_IP_STATIC, "", false);
	assert_int_equal(hf_hostif_endpoint(root, &f.t, resolve_fail, &ep, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "holds none"));
}

static void test_dhcp_hostname(void **state)
{
	struct fixture f;
	struct hf_hostif_endpoint ep;
	char why[512] = "";

	make(&f, HF_SMBIOS_IP_DHCP, "", false);
	f.rf.hostname = (char *)"ilo.example";
	assert_int_equal(hf_hostif_endpoint(root, &f.t, resolve_ok, &ep, why, sizeof(why)), 0);
	assert_string_equal(ep.addr, "16.1.15.9");
	assert_string_equal(ep.source, "hostname");
	assert_non_null(strstr(ep.detail, "ilo.example"));
}

static void test_dhcp_leases(void **state)
{
	struct fixture f;
	struct hf_hostif_endpoint ep;
	char why[1024] = "", addr[64], file[PATH_MAX];

	make(&f, HF_SMBIOS_IP_DHCP, "", false);
	f.rf.hostname = (char *)"nowhere.example";
	/* dhclient: the last lease of the interface wins, other interfaces' are ignored */
	put("var/lib/dhcp/dhclient.leases",
	    "lease {\n  interface \"usb0\";\n  option dhcp-server-identifier 16.1.15.5;\n}\n"
	    "lease {\n  interface \"eth0\";\n  option dhcp-server-identifier 192.0.2.1;\n}\n"
	    "lease {\n  interface \"usb0\";\n  option dhcp-server-identifier 16.1.15.1;\n}\n");
	assert_int_equal(hf_hostif_endpoint(root, &f.t, resolve_fail, &ep, why, sizeof(why)), 0);
	assert_string_equal(ep.addr, "16.1.15.1");
	assert_string_equal(ep.source, "dhcp-lease");
	assert_non_null(strstr(ep.detail, "dhclient.leases"));

	/* systemd-networkd's lease (by interface index) is preferred */
	put("run/systemd/netif/leases/7", "# comment\nADDRESS=16.1.15.2\nSERVER_ADDRESS=16.1.15.3\n");
	assert_int_equal(hf_hostif_dhcp_server(root, "usb0", 7, addr, sizeof(addr), file,
					       sizeof(file)),
			 0);
	assert_string_equal(addr, "16.1.15.3");
	/* NetworkManager's internal client names the interface in the file name */
	assert_int_equal(hf_hostif_dhcp_server(root, "usb1", 0, addr, sizeof(addr), file,
					       sizeof(file)),
			 -ENOENT);
	put("var/lib/NetworkManager/internal-1234-usb1.lease", "SERVER_ADDRESS=16.1.15.4\n");
	assert_int_equal(hf_hostif_dhcp_server(root, "usb1", 0, addr, sizeof(addr), file,
					       sizeof(file)),
			 0);
	assert_string_equal(addr, "16.1.15.4");
}

static void test_dhcp_fallbacks(void **state)
{
	struct fixture f;
	struct hf_hostif_endpoint ep;
	char why[1024] = "", empty[PATH_MAX + 8];

	snprintf(empty, sizeof(empty), "%s/empty", root);
	make(&f, HF_SMBIOS_IP_DHCP, "", true);
	f.rf.hostname = (char *)"nowhere.example";
	f.t.nic.ifindex = 0;
	assert_int_equal(hf_hostif_endpoint(empty, &f.t, resolve_fail, &ep, why, sizeof(why)), 0);
	assert_string_equal(ep.addr, HF_HOSTIF_HPE_DEFAULT);
	assert_string_equal(ep.source, "hpe-default");
	assert_non_null(strstr(ep.detail, "nowhere.example does not resolve"));

	make(&f, HF_SMBIOS_IP_DHCP, "", false);
	assert_int_equal(hf_hostif_endpoint(empty, &f.t, resolve_fail, &ep, why, sizeof(why)),
			 -ENOENT);
	assert_non_null(strstr(why, "no host name"));
	assert_non_null(strstr(why, "no DHCP lease of usb0"));
	assert_non_null(strstr(why, "not HPE's vNIC"));
}

static void test_pins(void **state)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 128], fp[96], why[512] = "";
	const unsigned char md[32] = { 0xab, 0xcd, 1, 2, 3 };
	char text[96];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/state", root);
	assert_int_equal(hf_hostif_pin_path(dir, "0a1b", "fe80::1", 443, path, sizeof(path)), 0);
	assert_non_null(strstr(path, "/hostif-0a1b-fe80::1-443.pin"));
	assert_int_equal(hf_hostif_pin_path(dir, "u", "1.2.3.4/../x", 1, path, sizeof(path)), 0);
	assert_null(strstr(path, "/../")); /* nothing odd reaches the file name */
	assert_int_equal(hf_hostif_pin_path(dir, "0a1b", "16.1.15.1", 443, path, sizeof(path)), 0);

	assert_int_equal(hf_hostif_pin_load(path, fp, why, sizeof(why)), 0); /* none yet */
	hf_hostif_fingerprint_text(md, text);
	assert_int_equal(strlen(text), 95);
	assert_true(strncmp(text, "AB:CD:01:02:03:00", 17) == 0);
	assert_int_equal(hf_hostif_pin_store(dir, path, text, "BMC x", why, sizeof(why)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(hf_hostif_pin_load(path, fp, why, sizeof(why)), 1);
	assert_string_equal(fp, text);

	put("state/bad.pin", "sha256 nonsense\n");
	snprintf(path, sizeof(path), "%s/state/bad.pin", root);
	assert_int_equal(hf_hostif_pin_load(path, fp, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "malformed"));
	assert_non_null(strstr(why, "hostfish hostif trust"));

	/* a state directory others may write is refused */
	chmod(dir, 0777);
	assert_true(hf_hostif_pin_store(dir, path, text, "BMC x", why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "writable by nobody else"));
	chmod(dir, 0700);
}

static void test_locate_messages(void **state)
{
	struct hf_smbios s = { .version = "3.6" };
	struct hf_smbios_hostif h = { .handle = 0x30, .interface_type = HF_SMBIOS_IFTYPE_KCS };
	struct hf_hostif_target t;
	char why[512] = "";

	assert_int_equal(hf_hostif_locate(root, &s, &t, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "no Type 42"));
	s.hostif = &h;
	s.n_hostif = 1;
	assert_int_equal(hf_hostif_locate(root, &s, &t, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "no network host interface"));
	h.interface_type = HF_SMBIOS_IFTYPE_NETWORK;
	assert_int_equal(hf_hostif_locate(root, &s, &t, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "has a Redfish-over-IP protocol record"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static),		cmocka_unit_test(test_dhcp_hostname),
		cmocka_unit_test(test_dhcp_leases),	cmocka_unit_test(test_dhcp_fallbacks),
		cmocka_unit_test(test_pins),		cmocka_unit_test(test_locate_messages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
