/* SPDX-License-Identifier: MIT */
/*
 * discover.c - hf_discover(): what this host offers to reach its BMC, as one JSON object.
 *
 * SMBIOS Type 42 records (decoded by lib/host/smbios.c), the NIC the first usable
 * Redfish-over-IP record names and the BMC address the hostif backend would use, the BMC's
 * PCI functions (libpci), the CHIF device and vendor library, the credential sources of the
 * host interface, and the transport "auto" would choose with the reason.  Numbers are JSON
 * integers; keys that do not apply are absent.  Nothing is sent to the BMC.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "creds.h"
#include "hostif.h"
#include "netif.h"
#include "smbios.h"

#define UEFI_CRED_GUID "16faa37e-4b6a-4891-9028-242de65a3b70"

static const char *pfx(const char *root)
{
	return (!root || !*root || strcmp(root, "/") == 0) ? "" : root;
}

static int add_str(struct json_object *o, const char *key, const char *v)
{
	struct json_object *s = json_object_new_string(v ? v : "");

	if (!s)
		return -ENOMEM;
	return json_object_object_add(o, key, s) < 0 ? -ENOMEM : 0;
}

static int add_int(struct json_object *o, const char *key, int64_t v)
{
	struct json_object *i = json_object_new_int64(v);

	if (!i)
		return -ENOMEM;
	return json_object_object_add(o, key, i) < 0 ? -ENOMEM : 0;
}

static int add_bool(struct json_object *o, const char *key, bool v)
{
	struct json_object *b = json_object_new_boolean(v);

	if (!b)
		return -ENOMEM;
	return json_object_object_add(o, key, b) < 0 ? -ENOMEM : 0;
}

static struct json_object *device_json(const struct hf_smbios_device *d)
{
	struct json_object *o = json_object_new_object();
	char mac[18];
	int r = 0;

	if (!o)
		return NULL;
	r = r ?: add_str(o, "type", hf_smbios_device_type_name(d->type));
	if (!d->decoded) {
		r = r ?: add_int(o, "type_code", d->type);
		goto out;
	}
	switch (d->type) {
	case HF_SMBIOS_DEV_USB:
	case HF_SMBIOS_DEV_USB_V2:
		r = r ?: add_int(o, "vendor_id", d->vendor_id);
		r = r ?: add_int(o, "product_id", d->product_id);
		if (d->serial)
			r = r ?: add_str(o, "serial", d->serial);
		break;
	case HF_SMBIOS_DEV_PCI:
	case HF_SMBIOS_DEV_PCI_V2:
		r = r ?: add_int(o, "vendor_id", d->vendor_id);
		r = r ?: add_int(o, "device_id", d->device_id);
		r = r ?: add_int(o, "subsystem_vendor_id", d->subsystem_vendor_id);
		r = r ?: add_int(o, "subsystem_id", d->subsystem_id);
		break;
	default:
		break;
	}
	if (d->has_mac) {
		hf_netif_format_mac(d->mac, mac);
		r = r ?: add_str(o, "mac", mac);
	}
	if (d->has_location) {
		r = r ?: add_int(o, "segment", d->segment);
		r = r ?: add_int(o, "bus", d->bus);
		r = r ?: add_int(o, "dev", d->dev);
		r = r ?: add_int(o, "function", d->function);
	}
	if (d->has_characteristics) {
		r = r ?: add_int(o, "characteristics", d->characteristics);
		r = r ?: add_int(o, "bootstrap_handle", d->bootstrap_handle);
	}
	if (d->has_iana)
		r = r ?: add_int(o, "iana", d->iana);
out:
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *protocol_json(const struct hf_smbios_protocol *p)
{
	struct json_object *o = json_object_new_object();
	const struct hf_smbios_rfip *f = &p->rfip;
	int r = 0;

	if (!o)
		return NULL;
	r = r ?: add_str(o, "type", hf_smbios_protocol_name(p->type));
	r = r ?: add_int(o, "length", p->length);
	if (p->decoded) {
		r = r ?: add_str(o, "uuid", f->uuid);
		r = r ?: add_str(o, "host_ip_assignment",
				 hf_smbios_ip_assignment_name(f->host_ip_assignment));
		r = r ?: add_str(o, "host_ip_format", hf_smbios_ip_format_name(f->host_ip_format));
		if (f->host_ip[0]) {
			r = r ?: add_str(o, "host_ip", f->host_ip);
			r = r ?: add_str(o, "host_mask", f->host_mask);
		}
		r = r ?: add_str(o, "service_ip_discovery",
				 hf_smbios_ip_assignment_name(f->service_ip_discovery));
		r = r ?: add_str(o, "service_ip_format",
				 hf_smbios_ip_format_name(f->service_ip_format));
		if (f->service_ip[0]) {
			r = r ?: add_str(o, "service_ip", f->service_ip);
			r = r ?: add_str(o, "service_mask", f->service_mask);
		}
		r = r ?: add_int(o, "port", f->port);
		r = r ?: add_int(o, "vlan", f->vlan);
		r = r ?: add_str(o, "hostname", f->hostname);
	}
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *hostif_json(const struct hf_smbios_hostif *h)
{
	struct json_object *o = json_object_new_object(), *protos = NULL, *d;
	size_t i;
	int r = 0;

	if (!o)
		return NULL;
	r = r ?: add_int(o, "handle", h->handle);
	r = r ?: add_str(o, "interface_type", hf_smbios_interface_type_name(h->interface_type));
	if (h->pre_3_2)
		r = r ?: add_bool(o, "pre_3_2", true);
	if (h->malformed)
		r = r ?: add_bool(o, "malformed", true);
	if (r == 0 && h->interface_type == HF_SMBIOS_IFTYPE_NETWORK && !h->pre_3_2 &&
	    h->specific_len) {
		d = device_json(&h->device);
		if (!d || json_object_object_add(o, "device", d) < 0)
			r = -ENOMEM;
	}
	if (r == 0 && !h->pre_3_2) {
		protos = json_object_new_array();
		for (i = 0; protos && i < h->n_protocols; i++) {
			struct json_object *p = protocol_json(&h->protocols[i]);

			if (!p || json_object_array_add(protos, p) < 0) {
				json_object_put(p);
				r = -ENOMEM;
				break;
			}
		}
		if (!protos || json_object_object_add(o, "protocols", protos) < 0)
			r = -ENOMEM;
	}
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *nic_json(const struct hf_hostif_target *t)
{
	struct json_object *o = json_object_new_object(), *addrs;
	size_t i;
	int r = 0;

	if (!o)
		return NULL;
	r = r ?: add_int(o, "handle", t->hostif->handle);
	r = r ?: add_str(o, "name", t->nic.name);
	r = r ?: add_str(o, "matched_by", t->nic.matched_by);
	if (t->nic.mac[0])
		r = r ?: add_str(o, "mac", t->nic.mac);
	if (t->nic.driver[0])
		r = r ?: add_str(o, "driver", t->nic.driver);
	if (t->nic.operstate[0])
		r = r ?: add_str(o, "state", t->nic.operstate);
	if (t->nic.ifindex)
		r = r ?: add_int(o, "ifindex", t->nic.ifindex);
	addrs = json_object_new_array();
	for (i = 0; addrs && r == 0 && i < t->nic.n_addrs; i++)
		r = hf_json_array_printf(addrs, "%s", t->nic.addrs[i]);
	if (!addrs || json_object_object_add(o, "addresses", addrs) < 0)
		r = -ENOMEM;
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *pci_json(const struct hf_pci_bmc *b)
{
	struct json_object *o = json_object_new_object();
	int r = 0;

	if (!o)
		return NULL;
	r = r ?: add_str(o, "slot", b->slot);
	r = r ?: add_int(o, "vendor_id", b->vendor_id);
	r = r ?: add_int(o, "device_id", b->device_id);
	r = r ?: add_int(o, "subsystem_vendor_id", b->subsystem_vendor_id);
	r = r ?: add_int(o, "subsystem_id", b->subsystem_id);
	r = r ?: add_str(o, "what", b->what);
	if (b->driver[0])
		r = r ?: add_str(o, "driver", b->driver);
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* HPE's CHIF library names (python-ilorest-library), or $HOSTFISH_CHIF_LIBRARY. */
static const char *const chif_names[] = { "ilorest_chif.so", "libilorestchif.so" };

static int chif_json(const char *root, struct json_object *o, bool *usable, bool *app_accounts)
{
	char dir[PATH_MAX];
	struct json_object *devs = json_object_new_array();
	const char *env = secure_getenv("HOSTFISH_CHIF_LIBRARY");
	const char *lib = NULL;
	DIR *d;
	struct dirent *e;
	size_t i;
	int r = 0;

	if (!devs)
		return -ENOMEM;
	snprintf(dir, sizeof(dir), "%s/dev/hpilo", pfx(root));
	d = opendir(dir);
	while (d && (e = readdir(d)) && r == 0)
		if (e->d_name[0] != '.')
			r = hf_json_array_printf(devs, "/dev/hpilo/%s", e->d_name);
	if (d)
		closedir(d);
	if (r == 0 && json_object_object_add(o, "devices", devs) < 0)
		r = -ENOMEM;
	else if (r < 0)
		json_object_put(devs);
	*app_accounts = false;
	/* the library is only looked at on the running system: dlopen has no root */
	for (i = 0; r == 0 && !*pfx(root) && i < (env && *env ? 1 : HF_ARRAY_SIZE(chif_names));
	     i++) {
		const char *name = env && *env ? env : chif_names[i];
		void *h = dlopen(name, RTLD_LAZY | RTLD_LOCAL);

		if (!h)
			continue;
		lib = name;
		*app_accounts = dlsym(h, "GetSessionID") && dlsym(h, "ReadyToUse");
		dlclose(h);
		break;
	}
	if (r == 0 && lib)
		r = add_str(o, "library", lib);
	r = r ?: add_bool(o, "library_present", lib != NULL);
	r = r ?: add_bool(o, "device_present", json_object_array_length(devs) > 0);
	*usable = lib && json_object_array_length(devs) > 0;
	return r;
}

static int credentials_json(const char *root, const struct hf_hostif_target *t,
			    bool app_accounts, struct json_object *o)
{
	struct json_object *src = json_object_new_array(), *s;
	char path[PATH_MAX], efivars[PATH_MAX], uefi_why[768], ipmi_why[PATH_MAX + 128];
	struct hf_creds cr = { 0 };
	bool uefi, ipmi_adv, ipmi_dev;
	int r = 0;

	if (!src)
		return -ENOMEM;
	snprintf(efivars, sizeof(efivars), "%s" HF_EFIVARS_DEFAULT, pfx(root));
	uefi = hf_uefi_creds_load(efivars, &cr, uefi_why, sizeof(uefi_why)) == 0;
	hf_creds_clear(&cr);
	ipmi_adv = t && t->hostif->device.has_characteristics &&
		   (t->hostif->device.characteristics & 1);
	snprintf(path, sizeof(path), "%s" HF_IPMI_DEVICE_DEFAULT, pfx(root));
	ipmi_dev = access(path, F_OK) == 0;

#define SOURCE(name_, avail_, detail_)                                                         \
	do {                                                                                   \
		s = json_object_new_object();                                                  \
		if (!s || add_str(s, "source", name_) < 0 || add_bool(s, "present", avail_) < 0 || \
		    add_str(s, "detail", detail_) < 0 || json_object_array_add(src, s) < 0) {  \
			json_object_put(s);                                                    \
			r = -ENOMEM;                                                           \
		}                                                                              \
	} while (0)
	SOURCE("user", false, "--user with HOSTFISH_PASSWORD or --password-file");
	SOURCE("uefi-redfish-os-credentials", uefi,
	       uefi ? "RedfishIndications announces OS credentials and RedfishOSCredentials "
		      "holds a well-formed user name and password"
		    : uefi_why);
	SOURCE("hpe-application-account", app_accounts,
	       app_accounts ? "HPE's library offers application accounts ('hostfish "
			      "appaccount status' says whether this host has one)"
			    : "HPE's library with application accounts is not installed");
	if (!ipmi_adv)
		snprintf(ipmi_why, sizeof(ipmi_why),
			 "the record does not advertise IPMI credential bootstrapping");
	else if (!ipmi_dev)
		snprintf(ipmi_why, sizeof(ipmi_why),
			 "the record advertises IPMI credential bootstrapping but %s is missing "
			 "(load ipmi_si and ipmi_devintf)",
			 path);
	else
		snprintf(ipmi_why, sizeof(ipmi_why),
			 "the record advertises IPMI credential bootstrapping and %s exists", path);
	SOURCE("ipmi-bootstrap", ipmi_adv && ipmi_dev, ipmi_why);
#undef SOURCE
	if (r == 0 && json_object_object_add(o, "sources", src) < 0)
		r = -ENOMEM;
	else if (r < 0)
		json_object_put(src);
	return r;
}

/* What hf_discover_at() learns on the way, for the transport's choice. */
struct found {
	struct hf_smbios *s;
	struct hf_hostif_target t;
	struct hf_hostif_endpoint ep;
	bool have_target, chif_usable, app_accounts;
	char why[1024]; /* why the host interface is not usable */
};

/* The host interface's record, NIC and BMC endpoint: "nic" and "endpoint". */
static int discover_target(const char *root, struct json_object *doc, struct json_object *errors,
			   struct found *f)
{
	struct json_object *o;
	char ewhy[512] = "";
	int r = 0;

	f->why[0] = '\0';
	if (hf_hostif_locate(root, f->s, &f->t, f->why, sizeof(f->why)) < 0)
		return 0;
	f->have_target = true;
	o = nic_json(&f->t);
	if (!o || json_object_object_add(doc, "nic", o) < 0) {
		json_object_put(o);
		return -ENOMEM;
	}
	if (hf_hostif_endpoint(root, &f->t, NULL, &f->ep, ewhy, sizeof(ewhy)) < 0) {
		f->have_target = false;
		snprintf(f->why, sizeof(f->why), "%s", ewhy);
		return hf_json_array_printf(errors, "host interface: %s", ewhy);
	}
	o = json_object_new_object();
	if (!o || json_object_object_add(doc, "endpoint", o) < 0) {
		json_object_put(o);
		return -ENOMEM;
	}
	r = r ?: add_str(o, "address", f->ep.addr);
	r = r ?: add_int(o, "port", f->ep.port);
	r = r ?: add_str(o, "url", f->ep.url);
	r = r ?: add_str(o, "source", f->ep.source);
	r = r ?: add_str(o, "detail", f->ep.detail);
	return r;
}

/* SMBIOS: "smbios", "host_interfaces", "warnings", then the target. */
static int discover_smbios(const char *root, const char *smbios_file, struct json_object *doc,
			   struct json_object *errors, struct found *f)
{
	struct json_object *o, *list;
	size_t i;
	int r;

	r = hf_smbios_load_at(root, smbios_file, &f->s, f->why, sizeof(f->why));
	if (r < 0) {
		r = hf_json_array_printf(errors, "SMBIOS: %s", f->why);
		snprintf(f->why, sizeof(f->why), "SMBIOS could not be read");
		return r;
	}
	o = json_object_new_object();
	if (!o || json_object_object_add(doc, "smbios", o) < 0) {
		json_object_put(o);
		return -ENOMEM;
	}
	r = r ?: add_str(o, "version", f->s->version);
	r = r ?: add_str(o, "entry_point", f->s->entry_point);
	r = r ?: add_str(o, "source", smbios_file ? smbios_file : "sysfs");
	list = json_object_new_array();
	if (!list || json_object_object_add(doc, "host_interfaces", list) < 0) {
		json_object_put(list);
		r = -ENOMEM;
	}
	for (i = 0; r == 0 && i < f->s->n_hostif; i++) {
		struct json_object *h = hostif_json(&f->s->hostif[i]);

		if (!h || json_object_array_add(list, h) < 0) {
			json_object_put(h);
			r = -ENOMEM;
		}
	}
	for (i = 0; r == 0 && i < f->s->n_errors; i++)
		r = hf_json_array_printf(errors, "SMBIOS: %s", f->s->errors[i]);
	if (r == 0 && f->s->n_warnings) {
		list = json_object_new_array();
		if (!list || json_object_object_add(doc, "warnings", list) < 0) {
			json_object_put(list);
			r = -ENOMEM;
		}
		for (i = 0; r == 0 && i < f->s->n_warnings; i++)
			r = hf_json_array_printf(list, "SMBIOS: %s", f->s->warnings[i]);
	}
	return r < 0 ? r : discover_target(root, doc, errors, f);
}

/* The BMC's PCI functions: "pci". */
static int discover_pci(const char *root, struct json_object *doc, struct json_object *errors)
{
	struct json_object *list = json_object_new_array();
	struct hf_pci_bmc *pci = NULL;
	char pwhy[512] = "";
	int n, r = 0;
	size_t i;

	if (!list || json_object_object_add(doc, "pci", list) < 0) {
		json_object_put(list);
		return -ENOMEM;
	}
	n = hf_netif_bmc_pci(root, &pci, pwhy, sizeof(pwhy));
	if (n == -ENOMEM)
		r = -ENOMEM;
	else if (n < 0)
		r = hf_json_array_printf(errors, "PCI: %s", pwhy);
	for (i = 0; r == 0 && n > 0 && i < (size_t)n; i++) {
		struct json_object *p = pci_json(&pci[i]);

		if (!p || json_object_array_add(list, p) < 0) {
			json_object_put(p);
			r = -ENOMEM;
		}
	}
	free(pci);
	return r;
}

/* A new object under doc.KEY, or NULL. */
static struct json_object *add_object(struct json_object *doc, const char *key)
{
	struct json_object *o = json_object_new_object();

	if (!o || json_object_object_add(doc, key, o) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* What "auto" would pick (hostfishd aside: discover is about the host): "transport". */
static int discover_choice(struct json_object *doc, const struct found *f)
{
	struct json_object *o = add_object(doc, "transport");
	struct hf_buf b = { 0 };
	const char *choice;
	int r;

	if (!o)
		return -ENOMEM;
	if (f->have_target) {
		choice = "hostif";
		hf_buf_printf(&b, "Type 42 record 0x%04x (Redfish over IP) and its NIC %s were "
				  "found; the BMC is %s (%s)",
			      f->t.hostif->handle, f->t.nic.name, f->ep.url, f->ep.detail);
	} else if (f->chif_usable) {
		choice = "chif";
		hf_buf_printf(&b, "no usable host interface (%s); /dev/hpilo and HPE's CHIF library "
				  "are present",
			      f->why);
	} else {
		choice = "none";
		hf_buf_printf(&b, "hostif: %s; chif: %s",
			      f->why[0] ? f->why : "SMBIOS could not be read",
			      json_object_array_length(json_object_object_get(
				      json_object_object_get(doc, "chif"), "devices")) == 0
				      ? "no /dev/hpilo device (hpilo driver)"
				      : "HPE's CHIF library (ilorest_chif.so) is not installed");
	}
	r = add_str(o, "choice", choice);
	r = r ?: add_str(o, "why", b.data);
	hf_buf_free(&b);
	return r;
}

int hf_discover_at(const char *root, const char *smbios_file, unsigned flags,
		   struct json_object **ret)
{
	struct json_object *doc = json_object_new_object(), *errors, *o;
	struct found f = { 0 };
	int r;

	if (!doc)
		return -ENOMEM;
	if (flags) {
		json_object_put(doc);
		return -EINVAL;
	}
	errors = json_object_new_array();
	if (!errors || json_object_object_add(doc, "errors", errors) < 0) {
		json_object_put(errors);
		json_object_put(doc);
		return -ENOMEM;
	}
	r = discover_smbios(root, smbios_file, doc, errors, &f);
	r = r ?: discover_pci(root, doc, errors);
	if (r == 0) {
		o = add_object(doc, "chif");
		r = o ? chif_json(root, o, &f.chif_usable, &f.app_accounts) : -ENOMEM;
	}
	if (r == 0) {
		/* credentials of the host interface */
		o = add_object(doc, "credentials");
		r = o ? credentials_json(root, f.have_target ? &f.t : NULL, f.app_accounts, o)
		      : -ENOMEM;
	}
	r = r ?: discover_choice(doc, &f);
	if (f.have_target || f.t.hostif)
		hf_hostif_target_clear(&f.t);
	hf_smbios_free(f.s);
	if (r < 0) {
		json_object_put(doc);
		return r;
	}
	*ret = doc;
	return 0;
}

_hf_public_ int hf_discover(const char *smbios_file, unsigned flags, struct json_object **ret)
{
	if (!ret)
		return -EINVAL;
	return hf_discover_at(NULL, smbios_file, flags, ret);
}

_hf_public_ int hf_hostif_trust(const hf_options *opts, char **ret_fingerprint,
				char **ret_pin_file)
{
	struct hf_logger log = { 0 };
	char why[1024] = "";
	int r;

	if (!opts || !ret_fingerprint || !ret_pin_file || opts->version != HF_OPTIONS_VERSION)
		return -EINVAL;
	log.fn = opts->log_fn;
	log.userdata = opts->log_userdata;
	log.level = opts->log_level;
	r = hf_hostif_trust_at(NULL, opts->smbios_file, &log,
			       opts->timeout_ms ? opts->timeout_ms : HF_DEFAULT_TIMEOUT_MS,
			       ret_fingerprint, ret_pin_file, why, sizeof(why));
	if (r < 0 && why[0] && opts->log_fn) {
		hf_one_line(why);
		opts->log_fn(opts->log_userdata, HF_LOG_ERROR, why);
	}
	return r;
}
