/* SPDX-License-Identifier: MIT */
/*
 * smbios-dump.c - print what lib/host/smbios.c decodes, one "key=value" per line, for
 * tests/unit/smbios-dmidecode.test to compare with dmidecode.  Every field is printed,
 * whatever the record's types say (the comparison takes what dmidecode shows).
 *
 * Usage: smbios-dump DUMP_FILE | smbios-dump --root DIR   (exit 1 when loading fails)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hostfish-private.h"
#include "lib/host/smbios.h"

static void device(size_t i, const struct hf_smbios_device *d)
{
	printf("hostif.%zu.device.type=0x%02x\n", i, d->type);
	printf("hostif.%zu.device.type_name=%s\n", i, hf_smbios_device_type_name(d->type));
	printf("hostif.%zu.device.decoded=%d\n", i, d->decoded);
	if (!d->decoded)
		return;
	printf("hostif.%zu.device.vendor_id=0x%04x\n", i, d->vendor_id);
	if (d->type == HF_SMBIOS_DEV_USB || d->type == HF_SMBIOS_DEV_USB_V2)
		printf("hostif.%zu.device.product_id=0x%04x\n", i, d->product_id);
	if (d->type == HF_SMBIOS_DEV_PCI || d->type == HF_SMBIOS_DEV_PCI_V2) {
		printf("hostif.%zu.device.device_id=0x%04x\n", i, d->device_id);
		printf("hostif.%zu.device.subsystem_vendor_id=0x%04x\n", i,
		       d->subsystem_vendor_id);
		printf("hostif.%zu.device.subsystem_id=0x%04x\n", i, d->subsystem_id);
	}
	if (d->serial)
		printf("hostif.%zu.device.serial=%s\n", i, d->serial);
	if (d->has_mac)
		printf("hostif.%zu.device.mac=%02x:%02x:%02x:%02x:%02x:%02x\n", i, d->mac[0],
		       d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5]);
	if (d->has_location)
		printf("hostif.%zu.device.location=%04x:%02x:%02x.%x\n", i, d->segment, d->bus,
		       d->dev, d->function);
	if (d->has_characteristics) {
		printf("hostif.%zu.device.characteristics=0x%04x\n", i, d->characteristics);
		printf("hostif.%zu.device.bootstrap_handle=0x%04x\n", i, d->bootstrap_handle);
	}
	if (d->has_iana)
		printf("hostif.%zu.device.iana=%u\n", i, d->iana);
}

static void protocol(size_t i, size_t j, const struct hf_smbios_protocol *p)
{
	const struct hf_smbios_rfip *rf = &p->rfip;
	char key[64];

	snprintf(key, sizeof(key), "hostif.%zu.protocol.%zu", i, j);
	printf("%s.type=0x%02x\n", key, p->type);
	printf("%s.length=%u\n", key, p->length);
	if (!p->decoded)
		return;
	printf("%s.uuid=%s\n", key, rf->uuid);
	printf("%s.host_ip_assignment=%s\n", key,
	       hf_smbios_ip_assignment_name(rf->host_ip_assignment));
	printf("%s.host_ip_format=%s\n", key, hf_smbios_ip_format_name(rf->host_ip_format));
	printf("%s.host_ip=%s\n", key, rf->host_ip);
	printf("%s.host_mask=%s\n", key, rf->host_mask);
	printf("%s.service_ip_discovery=%s\n", key,
	       hf_smbios_ip_assignment_name(rf->service_ip_discovery));
	printf("%s.service_ip_format=%s\n", key, hf_smbios_ip_format_name(rf->service_ip_format));
	printf("%s.service_ip=%s\n", key, rf->service_ip);
	printf("%s.service_mask=%s\n", key, rf->service_mask);
	printf("%s.port=%u\n", key, rf->port);
	printf("%s.vlan=%u\n", key, rf->vlan);
	printf("%s.hostname=%s\n", key, rf->hostname);
}

int main(int argc, char **argv)
{
	struct hf_smbios *s = NULL;
	char err[512];
	size_t i, j;
	int r;

	if (argc == 3 && strcmp(argv[1], "--root") == 0)
		r = hf_smbios_load_at(argv[2], NULL, &s, err, sizeof(err));
	else if (argc == 2)
		r = hf_smbios_load(argv[1], &s, err, sizeof(err));
	else {
		fprintf(stderr, "usage: smbios-dump DUMP_FILE | smbios-dump --root DIR\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "smbios-dump: %s\n", err);
		return 1;
	}
	printf("entry_point=%s\n", s->entry_point);
	printf("version=%s\n", s->version);
	printf("hostif.count=%zu\n", s->n_hostif);
	for (i = 0; i < s->n_hostif; i++) {
		const struct hf_smbios_hostif *h = &s->hostif[i];

		printf("hostif.%zu.handle=0x%04x\n", i, h->handle);
		printf("hostif.%zu.interface_type=0x%02x\n", i, h->interface_type);
		printf("hostif.%zu.interface_type_name=%s\n", i,
		       hf_smbios_interface_type_name(h->interface_type));
		printf("hostif.%zu.pre_3_2=%d\n", i, h->pre_3_2);
		printf("hostif.%zu.malformed=%d\n", i, h->malformed);
		if (h->pre_3_2)
			continue;
		printf("hostif.%zu.specific_len=%u\n", i, h->specific_len);
		if (h->interface_type == HF_SMBIOS_IFTYPE_NETWORK && h->specific_len)
			device(i, &h->device);
		printf("hostif.%zu.protocol.count=%zu\n", i, h->n_protocols);
		for (j = 0; j < h->n_protocols; j++)
			protocol(i, j, &h->protocols[j]);
	}
	for (i = 0; i < s->n_warnings; i++)
		printf("warning=%s\n", s->warnings[i]);
	for (i = 0; i < s->n_errors; i++)
		printf("error=%s\n", s->errors[i]);
	hf_smbios_free(s);
	return 0;
}
