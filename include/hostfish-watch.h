/* SPDX-License-Identifier: MIT */
/*
 * hostfish-watch.h - libhostfish: what an agent watches (inventory, sensors, metrics).  Part
 * of the public API: hostfish.h includes it, and it can be included alone.  The conventions
 * of hostfish.h apply.  C89, self-contained.
 */
#ifndef HOSTFISH_WATCH_H
#define HOSTFISH_WATCH_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What the BMC knows about its server, as one normalised document (*ret, owned by the caller,
 * json_object_put()).  Every member is present only when the BMC reports it: nothing is
 * invented, strings have their surrounding blanks removed.  hostfish(1) documents the layout
 * (the --json output of "hostfish inventory"):
 *   {"system": {"id", "manufacturer", "model", "serial", "sku", "uuid", "bios_version",
 *               "host_name", "power_state", "health", "health_rollup", "state"},
 *    "bmc": {"id", "model", "manager_type", "firmware", "uuid", "health", "state"},
 *    "processors": [...], "memory": [...], "storage": {"controllers": [...], "drives": [...]},
 *    "network_adapters": [...], "temperatures", "fans", "power_supplies", "power" (as in
 *    hf_sensors()), "firmware": [{"id", "name", "version", "description", "updateable"}],
 *    "errors": [{"path", "status"}]}
 * "errors" lists the resources the BMC answered with an HTTP error: the document goes on
 * without them.  The first system and the first manager are described.  Collections are read
 * member by member.  flags: 0.  Returns 0; -EINVAL; an hf_request() error when the BMC could
 * not be asked (transport, -EACCES authentication).
 */
int hf_inventory(hf_client *client, unsigned flags, struct json_object **ret);

/*
 * The sensors of every chassis: {"temperatures": [{"chassis", "id", "name",
 * "reading_celsius", "upper_caution_celsius", "upper_critical_celsius", "upper_fatal_celsius",
 * "lower_..._celsius", "physical_context", "health", "state"}], "fans": [{"chassis", "id",
 * "name", "reading", "units" ("Percent" or "RPM"), "speed_rpm", "health", "state"}],
 * "power_supplies": [{"chassis", "id", "name", "model", "manufacturer", "serial",
 * "firmware", "capacity_watts", "output_watts", "input_watts", "input_voltage", "health",
 * "state"}], "power": [{"chassis", "id", "consumed_watts", "capacity_watts", "average_watts",
 * "min_watts", "max_watts", "interval_min"}], "errors": [...]}, members present only when
 * reported.  Read from the chassis' Sensors, ThermalSubsystem, PowerSubsystem and
 * EnvironmentMetrics where it links them, else from its Thermal and Power.  flags: 0.
 * Returns 0 and *ret (owned by the caller), or errors as hf_inventory().
 */
int hf_sensors(hf_client *client, unsigned flags, struct json_object **ret);

/*
 * The BMC's inventory and sensors as metrics in the Prometheus text exposition format
 * (version 0.0.4): hostfish_bmc_up, hostfish_bmc_login_failed, hostfish_health{component},
 * hostfish_temperature_celsius and its thresholds, fan speeds, power supplies, power
 * consumption, hostfish_firmware_info... (hostfish(1) lists them).  Label values are escaped
 * as the format says; invalid UTF-8 and control characters become U+FFFD.  flags: 0.
 * Returns 0 and *ret (a string owned by the caller, free()) when the BMC was read; 1 and *ret
 * holding hostfish_bmc_up 0 when it could not be (hf_client_last_error() says why); -EINVAL,
 * -ENOMEM without *ret.
 */
int hf_metrics(hf_client *client, unsigned flags, char **ret);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_WATCH_H */
