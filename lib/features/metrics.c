/* SPDX-License-Identifier: MIT */
/*
 * metrics.c - hf_metrics(): the inventory and sensors of a BMC in the Prometheus text
 * exposition format (version 0.0.4), for hostfishd's /metrics and "hostfish metrics
 * --textfile".  One family at a time (HELP, TYPE, samples), units in the names.
 *
 * Label values: backslash, double quote and newline escaped as the format says; bytes that
 * are not UTF-8 and the other control characters become U+FFFD, so that no BMC string can
 * break a line or the parser.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "client-private.h"
#include "watch-private.h"

struct mw {
	struct hf_buf b;
	int err;
};

static void put(struct mw *m, const char *s)
{
	if (!m->err && hf_buf_appends(&m->b, s) < 0)
		m->err = -ENOMEM;
}

static void putf(struct mw *m, const char *fmt, ...) _hf_printf_(2, 3);
static void putf(struct mw *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!m->err && hf_buf_vprintf(&m->b, fmt, ap) < 0)
		m->err = -ENOMEM;
	va_end(ap);
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 when it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (len == 2 && cp >= 0x80 && cp < 0xa0))
		return 0; /* overlong, surrogate, out of range; C1 controls are replaced too */
	return len;
}

static void put_label_value(struct mw *m, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v);

	while (n > 0 && !m->err) {
		size_t l = utf8_len(s, n);

		if (*s == '\\')
			put(m, "\\\\");
		else if (*s == '"')
			put(m, "\\\"");
		else if (*s == '\n')
			put(m, "\\n");
		else if (l == 0 || *s < 0x20 || *s == 0x7f)
			put(m, "\xef\xbf\xbd");
		else if (hf_buf_append(&m->b, s, l) < 0)
			m->err = -ENOMEM;
		if (l == 0)
			l = 1;
		s += l;
		n -= l;
	}
}

/* Labels from (name, value) pairs ended by NULL; pairs whose value is NULL are left out. */
static void sample(struct mw *m, const char *metric, struct json_object *value, ...)
{
	const char *name, *v, *sep = "{";
	va_list ap;

	put(m, metric);
	va_start(ap, value);
	while ((name = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		if (!v)
			continue;
		putf(m, "%s%s=\"", sep, name);
		put_label_value(m, v);
		put(m, "\"");
		sep = ",";
	}
	va_end(ap);
	if (strcmp(sep, ",") == 0)
		put(m, "}");
	if (!value)
		put(m, " 1\n");
	else if (json_object_is_type(value, json_type_int))
		putf(m, " %lld\n", (long long)json_object_get_int64(value));
	else
		putf(m, " %.15g\n", json_object_get_double(value));
}

static void family(struct mw *m, const char *metric, const char *type, const char *help)
{
	putf(m, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric, type);
}

static struct json_object *array(struct json_object *doc, const char *key)
{
	struct json_object *a = hf_w_get(doc, key);

	return a && json_object_is_type(a, json_type_array) ? a : NULL;
}

/* arr[i], or NULL past its end (or without arr) */
static struct json_object *nth(struct json_object *arr, size_t i)
{
	return arr && i < json_object_array_length(arr) ? json_object_array_get_idx(arr, i) : NULL;
}

/* 0 OK, 1 Warning, 2 Critical, -1 unknown */
static int health_value(const char *h)
{
	if (!h)
		return -1;
	if (strcmp(h, "OK") == 0)
		return 0;
	if (strcmp(h, "Warning") == 0)
		return 1;
	if (strcmp(h, "Critical") == 0)
		return 2;
	return -1;
}

static bool absent(struct json_object *e)
{
	const char *s = hf_w_str(e, "state");

	return s && strcmp(s, "Absent") == 0;
}

static void health_of(struct mw *m, const char *component, struct json_object *e)
{
	int v = health_value(hf_w_str(e, "health"));
	struct json_object *n;

	if (v < 0 || absent(e))
		return;
	n = json_object_new_int(v);
	sample(m, "hostfish_health", n, "component", component, "chassis", hf_w_str(e, "chassis"),
	       "id", hf_w_str(e, "id"), "name", hf_w_str(e, "name"), (const char *)NULL);
	json_object_put(n);
}

static void health_family(struct mw *m, struct json_object *doc)
{
	static const struct {
		const char *key, *component;
	} parts[] = {
		{ "processors", "processor" },	   { "memory", "memory" },
		{ "network_adapters", "network_adapter" }, { "power_supplies", "power_supply" },
		{ "fans", "fan" },		   { "temperatures", "temperature" },
	};
	struct json_object *st = hf_w_get(doc, "storage"), *a, *e;
	size_t i, j;

	family(m, "hostfish_health", "gauge",
	       "Health of a component as the BMC reports it: 0 OK, 1 Warning, 2 Critical.");
	health_of(m, "system", hf_w_get(doc, "system"));
	health_of(m, "bmc", hf_w_get(doc, "bmc"));
	for (j = 0; j < sizeof(parts) / sizeof(parts[0]); j++) {
		a = array(doc, parts[j].key);
		for (i = 0; (e = nth(a, i)); i++)
			health_of(m, parts[j].component, e);
	}
	a = array(st, "controllers");
	for (i = 0; (e = nth(a, i)); i++)
		health_of(m, "storage_controller", e);
	a = array(st, "drives");
	for (i = 0; (e = nth(a, i)); i++)
		health_of(m, "drive", e);
}

/* One gauge family over doc[key][*][field], labelled chassis, id, name. */
static void per_entry(struct mw *m, struct json_object *doc, const char *key, const char *field,
		      const char *metric, const char *help)
{
	struct json_object *a = array(doc, key), *e;
	size_t i;

	family(m, metric, "gauge", help);
	for (i = 0; (e = nth(a, i)); i++) {
		struct json_object *v = hf_w_num(e, field);

		if (v && !absent(e))
			sample(m, metric, v, "chassis", hf_w_str(e, "chassis"), "id",
			       hf_w_str(e, "id"), "name", hf_w_str(e, "name"), (const char *)NULL);
	}
}

static void fans(struct mw *m, struct json_object *doc)
{
	struct json_object *a = array(doc, "fans"), *e;
	size_t i;

	family(m, "hostfish_fan_speed_percent", "gauge", "Fan speed in percent of its maximum.");
	for (i = 0; (e = nth(a, i)); i++) {
		const char *u = hf_w_str(e, "units");

		if (hf_w_num(e, "reading") && u && strcmp(u, "Percent") == 0 && !absent(e))
			sample(m, "hostfish_fan_speed_percent", hf_w_num(e, "reading"), "chassis",
			       hf_w_str(e, "chassis"), "id", hf_w_str(e, "id"), "name",
			       hf_w_str(e, "name"), (const char *)NULL);
	}
	family(m, "hostfish_fan_speed_rpm", "gauge", "Fan speed in revolutions per minute.");
	for (i = 0; (e = nth(a, i)); i++) {
		const char *u = hf_w_str(e, "units");
		struct json_object *v = hf_w_num(e, "speed_rpm");

		if (!v && u && strcmp(u, "RPM") == 0)
			v = hf_w_num(e, "reading");
		if (v && !absent(e))
			sample(m, "hostfish_fan_speed_rpm", v, "chassis", hf_w_str(e, "chassis"),
			       "id", hf_w_str(e, "id"), "name", hf_w_str(e, "name"),
			       (const char *)NULL);
	}
}

static void temperatures(struct mw *m, struct json_object *doc)
{
	static const struct {
		const char *field, *metric, *help;
	} t[] = {
		{ "reading_celsius", "hostfish_temperature_celsius", "Temperature reading." },
		{ "upper_caution_celsius", "hostfish_temperature_upper_caution_celsius",
		  "Upper caution (non-critical) threshold of a temperature sensor." },
		{ "upper_critical_celsius", "hostfish_temperature_upper_critical_celsius",
		  "Upper critical threshold of a temperature sensor." },
		{ "upper_fatal_celsius", "hostfish_temperature_upper_fatal_celsius",
		  "Upper fatal threshold of a temperature sensor." },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		per_entry(m, doc, "temperatures", t[i].field, t[i].metric, t[i].help);
}

static void power(struct mw *m, struct json_object *doc)
{
	struct json_object *a = array(doc, "power_supplies"), *e;
	size_t i;

	family(m, "hostfish_power_supply_enabled", "gauge",
	       "1 when the power supply's state is Enabled, 0 otherwise (Absent, Disabled...).");
	for (i = 0; (e = nth(a, i)); i++) {
		const char *s = hf_w_str(e, "state");
		struct json_object *v = json_object_new_int(s && strcmp(s, "Enabled") == 0);

		if (s)
			sample(m, "hostfish_power_supply_enabled", v, "chassis",
			       hf_w_str(e, "chassis"), "id", hf_w_str(e, "id"), "name",
			       hf_w_str(e, "name"), "model", hf_w_str(e, "model"),
			       (const char *)NULL);
		json_object_put(v);
	}
	per_entry(m, doc, "power_supplies", "output_watts", "hostfish_power_supply_output_watts",
		  "Output power of a power supply.");
	per_entry(m, doc, "power_supplies", "capacity_watts",
		  "hostfish_power_supply_capacity_watts", "Rated capacity of a power supply.");
	per_entry(m, doc, "power_supplies", "input_voltage", "hostfish_power_supply_input_volts",
		  "Line input voltage of a power supply.");
	per_entry(m, doc, "power", "consumed_watts", "hostfish_power_consumed_watts",
		  "Power the chassis consumes now.");
	per_entry(m, doc, "power", "average_watts", "hostfish_power_average_watts",
		  "Average power consumed over the BMC's interval.");
	per_entry(m, doc, "power", "capacity_watts", "hostfish_power_capacity_watts",
		  "Power capacity of the chassis.");
}

static void infos(struct mw *m, struct json_object *doc)
{
	struct json_object *s = hf_w_get(doc, "system"), *b = hf_w_get(doc, "bmc");
	struct json_object *a = array(doc, "firmware"), *e, *on;
	const char *ps = hf_w_str(s, "power_state");
	size_t i;

	family(m, "hostfish_system_info", "gauge", "The system's identity (value 1).");
	if (s)
		sample(m, "hostfish_system_info", NULL, "manufacturer", hf_w_str(s, "manufacturer"),
		       "model", hf_w_str(s, "model"), "serial", hf_w_str(s, "serial"), "sku",
		       hf_w_str(s, "sku"), "uuid", hf_w_str(s, "uuid"), "bios_version",
		       hf_w_str(s, "bios_version"), (const char *)NULL);
	family(m, "hostfish_system_power_on", "gauge", "1 when the system's PowerState is On.");
	if (ps) {
		on = json_object_new_int(strcmp(ps, "On") == 0);
		sample(m, "hostfish_system_power_on", on, (const char *)NULL);
		json_object_put(on);
	}
	family(m, "hostfish_bmc_info", "gauge", "The BMC's model and firmware (value 1).");
	if (b)
		sample(m, "hostfish_bmc_info", NULL, "model", hf_w_str(b, "model"), "firmware",
		       hf_w_str(b, "firmware"), "manager_type", hf_w_str(b, "manager_type"),
		       (const char *)NULL);
	family(m, "hostfish_firmware_info", "gauge",
	       "A firmware inventory entry and its version (value 1).");
	for (i = 0; (e = nth(a, i)); i++) {
		if (hf_w_str(e, "version"))
			sample(m, "hostfish_firmware_info", NULL, "id", hf_w_str(e, "id"), "name",
			       hf_w_str(e, "name"), "version", hf_w_str(e, "version"),
			       (const char *)NULL);
	}
}

static void up(struct mw *m, int ok, bool auth_failed, size_t errors, double seconds)
{
	struct json_object *v;

	family(m, "hostfish_bmc_up", "gauge", "1 when the BMC answered the last read.");
	v = json_object_new_int(ok);
	sample(m, "hostfish_bmc_up", v, (const char *)NULL);
	json_object_put(v);
	family(m, "hostfish_bmc_login_failed", "gauge",
	       "1 when the last read failed because the BMC refused the credentials.");
	v = json_object_new_int(auth_failed);
	sample(m, "hostfish_bmc_login_failed", v, (const char *)NULL);
	json_object_put(v);
	family(m, "hostfish_bmc_resource_errors", "gauge",
	       "Resources the BMC answered with an HTTP error in the last read.");
	v = json_object_new_int64((int64_t)errors);
	sample(m, "hostfish_bmc_resource_errors", v, (const char *)NULL);
	json_object_put(v);
	family(m, "hostfish_bmc_read_duration_seconds", "gauge",
	       "How long the last read of the BMC took.");
	v = json_object_new_double(seconds);
	sample(m, "hostfish_bmc_read_duration_seconds", v, (const char *)NULL);
	json_object_put(v);
}

_hf_public_ int hf_metrics(hf_client *c, unsigned flags, char **ret)
{
	struct hf_watch w = { c, NULL };
	struct json_object *doc = NULL;
	struct mw m = { { 0 }, 0 };
	int64_t start;
	int r;

	if (!c || !ret || flags)
		return -EINVAL;
	HF_OPERATION(c);
	w.errors = json_object_new_array();
	if (!w.errors)
		return -ENOMEM;
	start = hf_now_ms();
	r = hf_w_inventory(&w, &doc);
	if (r == -ENOMEM)
		goto out;
	up(&m, r == 0, r < 0 && hf_client_last_error(c)->kind == HF_ERROR_AUTH,
	   json_object_array_length(w.errors), (double)(hf_now_ms() - start) / 1000.0);
	if (r == 0) {
		infos(&m, doc);
		health_family(&m, doc);
		temperatures(&m, doc);
		fans(&m, doc);
		power(&m, doc);
	}
	if (m.err) {
		r = m.err;
		goto out;
	}
	*ret = hf_buf_steal(&m.b);
	r = *ret ? (r == 0 ? 0 : 1) : -ENOMEM;
out:
	hf_buf_free(&m.b);
	json_object_put(doc);
	json_object_put(w.errors);
	return r;
}
