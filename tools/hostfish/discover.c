/* SPDX-License-Identifier: MIT */
/*
 * discover.c - "hostfish discover [--smbios FILE] [--json]": what this host offers to reach
 * its BMC (hf_discover()), printed for people or as one JSON object.
 *
 * Exit codes: 0 a transport can be used and, for the host interface, a credential source
 * exists (or --user was given); 4 the host interface is usable but no credential source
 * exists (they are named); 5 no transport can reach the BMC.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

/* A member as text; "-" when absent (for printing). */
static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;
	const char *s;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return "-";
	s = json_object_get_string(v);
	return s ? s : "-";
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void print_device(struct json_object *d)
{
	printf("    device: %s", str(d, "type"));
	if (get(d, "vendor_id") && get(d, "product_id"))
		printf(" %04x:%04x", json_object_get_int(get(d, "vendor_id")),
		       json_object_get_int(get(d, "product_id")));
	if (get(d, "vendor_id") && get(d, "device_id"))
		printf(" %04x:%04x subsystem %04x:%04x", json_object_get_int(get(d, "vendor_id")),
		       json_object_get_int(get(d, "device_id")),
		       json_object_get_int(get(d, "subsystem_vendor_id")),
		       json_object_get_int(get(d, "subsystem_id")));
	if (get(d, "serial"))
		printf(" serial %s", str(d, "serial"));
	if (get(d, "mac"))
		printf(" MAC %s", str(d, "mac"));
	if (get(d, "iana"))
		printf(" IANA %d", json_object_get_int(get(d, "iana")));
	putchar('\n');
}

static void print_text(struct json_object *doc)
{
	struct json_object *his = get(doc, "host_interfaces"), *o;
	size_t i, j;

	if ((o = get(doc, "smbios")))
		printf("SMBIOS %s (%s)\n", str(o, "version"), str(o, "entry_point"));
	for (i = 0; his && i < json_object_array_length(his); i++) {
		struct json_object *h = json_object_array_get_idx(his, i);
		struct json_object *protos = get(h, "protocols");

		printf("Type 42 handle 0x%04x: %s interface\n", json_object_get_int(get(h, "handle")),
		       str(h, "interface_type"));
		if (get(h, "device"))
			print_device(get(h, "device"));
		for (j = 0; protos && j < json_object_array_length(protos); j++) {
			struct json_object *p = json_object_array_get_idx(protos, j);

			printf("    protocol: %s", str(p, "type"));
			if (get(p, "uuid"))
				printf(" service %s:%d (%s) host %s (%s) uuid %s hostname %s",
				       str(p, "service_ip"), json_object_get_int(get(p, "port")),
				       str(p, "service_ip_discovery"), str(p, "host_ip"),
				       str(p, "host_ip_assignment"), str(p, "uuid"),
				       str(p, "hostname"));
			putchar('\n');
		}
	}
	if (his && json_object_array_length(his) == 0)
		printf("no Type 42 (host interface) record\n");
	if ((o = get(doc, "nic"))) {
		struct json_object *a = get(o, "addresses");

		printf("NIC: %s (matched by %s) MAC %s driver %s state %s", str(o, "name"),
		       str(o, "matched_by"), str(o, "mac"), str(o, "driver"), str(o, "state"));
		for (i = 0; a && i < json_object_array_length(a); i++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(a, i)));
		putchar('\n');
	}
	if ((o = get(doc, "endpoint")))
		printf("BMC: %s (%s)\n", str(o, "url"), str(o, "detail"));
	if ((o = get(doc, "pci"))) {
		for (i = 0; i < json_object_array_length(o); i++) {
			struct json_object *p = json_object_array_get_idx(o, i);

			printf("PCI %s: %s %04x:%04x subsystem %04x:%04x driver %s\n", str(p, "slot"),
			       str(p, "what"), json_object_get_int(get(p, "vendor_id")),
			       json_object_get_int(get(p, "device_id")),
			       json_object_get_int(get(p, "subsystem_vendor_id")),
			       json_object_get_int(get(p, "subsystem_id")), str(p, "driver"));
		}
		if (json_object_array_length(o) == 0)
			printf("PCI: no iLO function (103c:3307, 0e11:b204)\n");
	}
	if ((o = get(doc, "chif")))
		printf("CHIF: device %s, library %s\n",
		       json_object_get_boolean(get(o, "device_present")) ? "present" : "absent",
		       get(o, "library") ? str(o, "library") : "absent");
	if ((o = get(get(doc, "credentials"), "sources"))) {
		for (i = 0; i < json_object_array_length(o); i++) {
			struct json_object *s = json_object_array_get_idx(o, i);

			printf("credentials %s: %s\n", str(s, "source"), str(s, "detail"));
		}
	}
	if ((o = get(doc, "transport")))
		printf("transport: %s (%s)\n", str(o, "choice"), str(o, "why"));
	if ((o = get(doc, "warnings")))
		for (i = 0; i < json_object_array_length(o); i++)
			printf("warning: %s\n", json_object_get_string(json_object_array_get_idx(o, i)));
	if ((o = get(doc, "errors")))
		for (i = 0; i < json_object_array_length(o); i++)
			printf("error: %s\n", json_object_get_string(json_object_array_get_idx(o, i)));
}

int cmd_discover(struct cli *cli, int argc, char **argv)
{
	struct json_object *doc = NULL, *sources;
	const char *choice;
	bool credentials = cli->bmc.opts.username != NULL;
	int i, r, rc = EXIT_OK;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			cli->json = true;
		} else if (strcmp(argv[i], "--smbios") == 0 && i + 1 < argc) {
			cli->bmc.opts.smbios_file = argv[++i];
		} else {
			cli_error("discover: unexpected argument '%s' (usage: discover [--smbios FILE] "
				  "[--json])",
				  argv[i]);
			return EXIT_USAGE;
		}
	}
	r = hf_discover(cli->bmc.opts.smbios_file, 0, &doc);
	if (r < 0) {
		cli_error("discover: %s", strerror(-r));
		return EXIT_TRANSPORT;
	}
	if (cli->json)
		cli_print_json(doc);
	else
		print_text(doc);
	choice = get(get(doc, "transport"), "choice")
			 ? json_object_get_string(get(get(doc, "transport"), "choice"))
			 : NULL;
	sources = get(get(doc, "credentials"), "sources");
	for (i = 0; sources && (size_t)i < json_object_array_length(sources); i++)
		if (json_object_get_boolean(get(json_object_array_get_idx(sources, i), "present")))
			credentials = true;
	if (!choice || strcmp(choice, "none") == 0) {
		cli_error("no transport can reach the BMC: %s", str(get(doc, "transport"), "why"));
		rc = EXIT_TRANSPORT;
	} else if (strcmp(choice, "hostif") == 0 && !credentials) {
		cli_error("the host interface needs credentials and none of its sources exists: "
			  "--user (with HOSTFISH_PASSWORD or --password-file), the UEFI variable "
			  "RedfishOSCredentials, an HPE application account, IPMI credential "
			  "bootstrapping");
		rc = EXIT_AUTH;
	}
	json_object_put(doc);
	return rc;
}
