/* SPDX-License-Identifier: MIT */
/*
 * sensors.c - hf_sensors(): temperatures, fans, power supplies and power consumption of every
 * chassis.  A chassis that links the newer resources (Sensors, ThermalSubsystem,
 * PowerSubsystem, EnvironmentMetrics; Redfish 2020.4 and later) is read through them, one
 * part at a time; the parts it lacks come from the older Thermal and Power resources (what
 * iLO 5 has).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "client-private.h"
#include "watch-private.h"

#define CHASSIS_PATH "/redfish/v1/Chassis/"

const char *hf_w_root_link(struct json_object *root, const char *key, const char *fallback)
{
	const char *l = hf_w_link(root, key);

	return l ? l : fallback;
}

int hf_w_chassis(struct hf_watch *w, struct json_object **ret)
{
	struct json_object *root = NULL;
	int r = hf_w_read(w, "/redfish/v1/", &root);

	if (r < 0)
		return r;
	r = hf_w_members(w, hf_w_root_link(root, "Chassis", CHASSIS_PATH), ret);
	json_object_put(root);
	if (r == 1)
		*ret = json_object_new_array(); /* noted in the errors */
	return r < 0 ? r : 0;
}

static struct json_object *entry(struct json_object *ch)
{
	struct json_object *e = json_object_new_object();

	hf_w_copy_str(e, "chassis", ch, "Id");
	return e;
}

static struct json_object *array_of(struct json_object *doc, const char *key)
{
	struct json_object *a = hf_w_get(doc, key);

	if (!a) {
		a = json_object_new_array();
		json_object_object_add(doc, key, a);
	}
	return a;
}

/* Thresholds.<name>.Reading of a Sensor into e[key]. */
static void threshold(struct json_object *e, const char *key, struct json_object *s,
		      const char *name)
{
	hf_w_put_num(e, key, hf_w_num(hf_w_get(hf_w_get(s, "Thresholds"), name), "Reading"));
}

static bool is_temperature(struct json_object *s)
{
	const char *type = hf_w_str(s, "ReadingType"), *units = hf_w_str(s, "ReadingUnits");

	return (type && strcmp(type, "Temperature") == 0) || (units && strcmp(units, "Cel") == 0);
}

/* Sensors collection: the temperature sensors. */
static int temps_from_sensors(struct hf_watch *w, struct json_object *ch, const char *path,
			      struct json_object *out)
{
	struct json_object *list = NULL;
	size_t i, n;
	int r = hf_w_members(w, path, &list);

	if (r != 0)
		return r < 0 ? r : 0;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(list, i), *e;

		if (!is_temperature(s))
			continue;
		e = entry(ch);
		hf_w_copy_str(e, "id", s, "Id");
		hf_w_copy_str(e, "name", s, "Name");
		hf_w_copy_num(e, "reading_celsius", s, "Reading");
		threshold(e, "upper_caution_celsius", s, "UpperCaution");
		threshold(e, "upper_critical_celsius", s, "UpperCritical");
		threshold(e, "upper_fatal_celsius", s, "UpperFatal");
		threshold(e, "lower_caution_celsius", s, "LowerCaution");
		threshold(e, "lower_critical_celsius", s, "LowerCritical");
		threshold(e, "lower_fatal_celsius", s, "LowerFatal");
		hf_w_copy_str(e, "physical_context", s, "PhysicalContext");
		hf_w_copy_status(e, s);
		json_object_array_add(out, e);
	}
	json_object_put(list);
	return 0;
}

/* Thermal.Temperatures[] */
static void temps_from_thermal(struct json_object *ch, struct json_object *thermal,
			       struct json_object *out)
{
	struct json_object *list = hf_w_get(thermal, "Temperatures");
	size_t i, n = list && json_object_is_type(list, json_type_array)
			      ? json_object_array_length(list)
			      : 0;

	for (i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(list, i), *e = entry(ch);

		hf_w_copy_str(e, "id", t, "MemberId");
		hf_w_copy_str(e, "name", t, "Name");
		hf_w_copy_num(e, "reading_celsius", t, "ReadingCelsius");
		hf_w_copy_num(e, "upper_caution_celsius", t, "UpperThresholdNonCritical");
		hf_w_copy_num(e, "upper_critical_celsius", t, "UpperThresholdCritical");
		hf_w_copy_num(e, "upper_fatal_celsius", t, "UpperThresholdFatal");
		hf_w_copy_num(e, "lower_caution_celsius", t, "LowerThresholdNonCritical");
		hf_w_copy_num(e, "lower_critical_celsius", t, "LowerThresholdCritical");
		hf_w_copy_num(e, "lower_fatal_celsius", t, "LowerThresholdFatal");
		hf_w_copy_str(e, "physical_context", t, "PhysicalContext");
		hf_w_copy_status(e, t);
		json_object_array_add(out, e);
	}
}

/* ThermalSubsystem's Fans collection. */
static int fans_from_subsystem(struct hf_watch *w, struct json_object *ch, const char *path,
			       struct json_object *out)
{
	struct json_object *sub = NULL, *list = NULL;
	const char *fans;
	size_t i, n;
	int r = hf_w_read(w, path, &sub);

	if (r != 0)
		return r < 0 ? r : 0;
	fans = hf_w_link(sub, "Fans");
	r = fans ? hf_w_members(w, fans, &list) : 1;
	json_object_put(sub);
	if (r != 0)
		return r < 0 ? r : 0;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(list, i), *e = entry(ch);
		struct json_object *speed = hf_w_get(f, "SpeedPercent");

		hf_w_copy_str(e, "id", f, "Id");
		hf_w_copy_str(e, "name", f, "Name");
		if (hf_w_num(speed, "Reading")) {
			hf_w_copy_num(e, "reading", speed, "Reading");
			json_object_object_add(e, "units", json_object_new_string("Percent"));
		}
		hf_w_copy_num(e, "speed_rpm", speed, "SpeedRPM");
		hf_w_copy_status(e, f);
		json_object_array_add(out, e);
	}
	json_object_put(list);
	return 0;
}

/* Thermal.Fans[] */
static void fans_from_thermal(struct json_object *ch, struct json_object *thermal,
			      struct json_object *out)
{
	struct json_object *list = hf_w_get(thermal, "Fans");
	size_t i, n = list && json_object_is_type(list, json_type_array)
			      ? json_object_array_length(list)
			      : 0;

	for (i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(list, i), *e = entry(ch);

		hf_w_copy_str(e, "id", f, "MemberId");
		hf_w_copy_str(e, "name", f, hf_w_str(f, "Name") ? "Name" : "FanName");
		hf_w_copy_num(e, "reading", f, "Reading");
		if (hf_w_num(f, "Reading"))
			hf_w_copy_str(e, "units", f, "ReadingUnits");
		hf_w_copy_status(e, f);
		json_object_array_add(out, e);
	}
}

static void psu_common(struct json_object *e, struct json_object *p, const char *id_key)
{
	hf_w_copy_str(e, "id", p, id_key);
	hf_w_copy_str(e, "name", p, "Name");
	hf_w_copy_str(e, "model", p, "Model");
	hf_w_copy_str(e, "manufacturer", p, "Manufacturer");
	hf_w_copy_str(e, "serial", p, "SerialNumber");
	hf_w_copy_str(e, "firmware", p, "FirmwareVersion");
	hf_w_copy_num(e, "capacity_watts", p, "PowerCapacityWatts");
}

/* PowerSubsystem's PowerSupplies, each with its Metrics when linked. */
static int psus_from_subsystem(struct hf_watch *w, struct json_object *ch, const char *path,
			       struct json_object *out)
{
	struct json_object *sub = NULL, *list = NULL;
	const char *psus;
	size_t i, n;
	int r = hf_w_read(w, path, &sub);

	if (r != 0)
		return r < 0 ? r : 0;
	psus = hf_w_link(sub, "PowerSupplies");
	r = psus ? hf_w_members(w, psus, &list) : 1;
	json_object_put(sub);
	if (r != 0)
		return r < 0 ? r : 0;
	n = json_object_array_length(list);
	for (i = 0; i < n && r >= 0; i++) {
		struct json_object *p = json_object_array_get_idx(list, i), *e = entry(ch);
		struct json_object *m = NULL;
		const char *metrics = hf_w_link(p, "Metrics");

		psu_common(e, p, "Id");
		r = metrics ? hf_w_read(w, metrics, &m) : 1;
		if (r == 0) {
			hf_w_put_num(e, "output_watts",
				     hf_w_num(hf_w_get(m, "OutputPowerWatts"), "Reading"));
			hf_w_put_num(e, "input_watts",
				     hf_w_num(hf_w_get(m, "InputPowerWatts"), "Reading"));
			hf_w_put_num(e, "input_voltage",
				     hf_w_num(hf_w_get(m, "InputVoltage"), "Reading"));
		}
		json_object_put(m);
		hf_w_copy_status(e, p);
		json_object_array_add(out, e);
	}
	json_object_put(list);
	return r < 0 ? r : 0;
}

/* Power.PowerSupplies[] (iLO names every one "HpeServerPowerSupply": the id tells them apart) */
static void psus_from_power(struct json_object *ch, struct json_object *power,
			    struct json_object *out)
{
	struct json_object *list = hf_w_get(power, "PowerSupplies");
	size_t i, n = list && json_object_is_type(list, json_type_array)
			      ? json_object_array_length(list)
			      : 0;

	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(list, i), *e = entry(ch);

		psu_common(e, p, "MemberId");
		hf_w_copy_num(e, "output_watts", p, "LastPowerOutputWatts");
		hf_w_copy_num(e, "input_voltage", p, "LineInputVoltage");
		hf_w_copy_status(e, p);
		json_object_array_add(out, e);
	}
}

/* Power.PowerControl[]: consumption and its statistics */
static void power_from_power(struct json_object *ch, struct json_object *power,
			     struct json_object *out)
{
	struct json_object *list = hf_w_get(power, "PowerControl");
	size_t i, n = list && json_object_is_type(list, json_type_array)
			      ? json_object_array_length(list)
			      : 0;

	for (i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(list, i), *e = entry(ch);
		struct json_object *m = hf_w_get(p, "PowerMetrics");

		hf_w_copy_str(e, "id", p, "MemberId");
		hf_w_copy_num(e, "consumed_watts", p, "PowerConsumedWatts");
		hf_w_copy_num(e, "capacity_watts", p, "PowerCapacityWatts");
		hf_w_copy_num(e, "average_watts", m, "AverageConsumedWatts");
		hf_w_copy_num(e, "min_watts", m, "MinConsumedWatts");
		hf_w_copy_num(e, "max_watts", m, "MaxConsumedWatts");
		hf_w_copy_num(e, "interval_min", m, "IntervalInMin");
		json_object_array_add(out, e);
	}
}

static int power_from_environment(struct hf_watch *w, struct json_object *ch, const char *path,
				  struct json_object *out)
{
	struct json_object *env = NULL, *e;
	int r = hf_w_read(w, path, &env);

	if (r != 0)
		return r < 0 ? r : 0;
	if (hf_w_num(hf_w_get(env, "PowerWatts"), "Reading")) {
		e = entry(ch);
		hf_w_put_num(e, "consumed_watts", hf_w_num(hf_w_get(env, "PowerWatts"), "Reading"));
		json_object_array_add(out, e);
	}
	json_object_put(env);
	return 0;
}

/* Thermal or Power of a chassis, read once and only when a part needs it. */
static int legacy(struct hf_watch *w, struct json_object *ch, const char *key,
		  struct json_object **cache)
{
	const char *l = hf_w_link(ch, key);
	int r;

	if (*cache || !l)
		return 0;
	r = hf_w_read(w, l, cache);
	return r < 0 ? r : 0;
}

static int one_chassis(struct hf_watch *w, struct json_object *ch, struct json_object *doc)
{
	struct json_object *thermal = NULL, *power = NULL;
	const char *l;
	int r = 0;

	if ((l = hf_w_link(ch, "Sensors")))
		r = temps_from_sensors(w, ch, l, array_of(doc, "temperatures"));
	else if ((r = legacy(w, ch, "Thermal", &thermal)) == 0 && thermal)
		temps_from_thermal(ch, thermal, array_of(doc, "temperatures"));
	if (r < 0)
		goto out;
	if ((l = hf_w_link(ch, "ThermalSubsystem")))
		r = fans_from_subsystem(w, ch, l, array_of(doc, "fans"));
	else if ((r = legacy(w, ch, "Thermal", &thermal)) == 0 && thermal)
		fans_from_thermal(ch, thermal, array_of(doc, "fans"));
	if (r < 0)
		goto out;
	if ((l = hf_w_link(ch, "PowerSubsystem")))
		r = psus_from_subsystem(w, ch, l, array_of(doc, "power_supplies"));
	else if ((r = legacy(w, ch, "Power", &power)) == 0 && power)
		psus_from_power(ch, power, array_of(doc, "power_supplies"));
	if (r < 0)
		goto out;
	if ((l = hf_w_link(ch, "EnvironmentMetrics")))
		r = power_from_environment(w, ch, l, array_of(doc, "power"));
	else if ((r = legacy(w, ch, "Power", &power)) == 0 && power)
		power_from_power(ch, power, array_of(doc, "power"));
out:
	json_object_put(thermal);
	json_object_put(power);
	return r;
}

int hf_w_sensors_into(struct hf_watch *w, struct json_object *chassis, struct json_object *doc)
{
	size_t i, n = json_object_array_length(chassis);
	int r;

	for (i = 0; i < n; i++) {
		r = one_chassis(w, json_object_array_get_idx(chassis, i), doc);
		if (r < 0)
			return r;
	}
	return 0;
}

_hf_public_ int hf_sensors(hf_client *c, unsigned flags, struct json_object **ret)
{
	struct hf_watch w = { c, NULL };
	struct json_object *doc = NULL, *chassis = NULL;
	int r;

	if (!c || !ret || flags)
		return -EINVAL;
	HF_OPERATION(c);
	w.errors = json_object_new_array();
	doc = json_object_new_object();
	if (!w.errors || !doc) {
		r = -ENOMEM;
		goto out;
	}
	r = hf_w_chassis(&w, &chassis);
	if (r < 0)
		goto out;
	r = hf_w_sensors_into(&w, chassis, doc);
	if (r < 0)
		goto out;
	json_object_object_add(doc, "errors", json_object_get(w.errors));
	*ret = doc;
	doc = NULL;
	r = 0;
out:
	json_object_put(chassis);
	json_object_put(doc);
	json_object_put(w.errors);
	return r;
}
