#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""watch-check.py MODE OUTPUT.json MOCKUP_DIR [STEP_READS]

Checks the --json output of `hostfish inventory` or `hostfish sensors` against the mockup
files the emulator serves (read here directly, not through hostfish): every value hostfish
reports must be the mockup's, every part the mockup has must be there, and properties the
mockup lacks (or gives as null) must be absent from the output.  MODE: inventory-ilo5,
sensors-ilo5, inventory-dmtf, sensors-dmtf.  Prints one line per failed check; exit 1 if any.
"""

import json
import os
import sys

FAILS = []


def fail(msg):
    FAILS.append(msg)


def res(mockup, odata_id):
    """The mockup resource of an @odata.id (trailing slash or not)."""
    rel = odata_id.split("#")[0].strip("/")
    assert rel.startswith("redfish/v1")
    path = os.path.join(mockup, rel[len("redfish/v1"):].strip("/"), "index.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def members(mockup, coll_id):
    return [res(mockup, m["@odata.id"]) for m in res(mockup, coll_id).get("Members", [])]


def same(what, got, want):
    """want from the mockup: strings compared without surrounding blanks; None/absent/blank
    in the mockup means the key must be absent in the output."""
    if isinstance(want, str):
        want = want.strip() or None
    if want is None:
        if got is not None:
            fail("%s: the mockup has nothing, hostfish says %r" % (what, got))
    elif got != want:
        fail("%s: got %r, the mockup has %r" % (what, got, want))


def check_fields(what, entry, src, pairs):
    for out_key, src_key in pairs:
        v = src
        for k in src_key.split("."):
            v = v.get(k) if isinstance(v, dict) else None
        same("%s.%s" % (what, out_key), entry.get(out_key), v)


STATUS = [("health", "Status.Health"), ("state", "Status.State")]


def by(entries, key="id"):
    return {e.get(key): e for e in entries}


def sensors_legacy(out, mockup, chassis_id):
    thermal = res(mockup, "/redfish/v1/Chassis/%s/Thermal" % chassis_id)
    power = res(mockup, "/redfish/v1/Chassis/%s/Power" % chassis_id)
    temps = [t for t in out.get("temperatures", []) if t.get("chassis") == chassis_id]
    same("number of temperatures", len(temps), len(thermal["Temperatures"]))
    got = by(temps)
    for t in thermal["Temperatures"]:
        e = got.get(t["MemberId"], {})
        check_fields("temperature %s" % t["MemberId"], e, t, [
            ("name", "Name"), ("reading_celsius", "ReadingCelsius"),
            ("upper_caution_celsius", "UpperThresholdNonCritical"),
            ("upper_critical_celsius", "UpperThresholdCritical"),
            ("upper_fatal_celsius", "UpperThresholdFatal"),
            ("physical_context", "PhysicalContext")] + STATUS)
    fans = by([f for f in out.get("fans", []) if f.get("chassis") == chassis_id])
    same("number of fans", len(fans), len(thermal["Fans"]))
    for f in thermal["Fans"]:
        check_fields("fan %s" % f["MemberId"], fans.get(f["MemberId"], {}), f,
                     [("name", "Name"), ("reading", "Reading"), ("units", "ReadingUnits")]
                     + STATUS)
    psus = by([p for p in out.get("power_supplies", []) if p.get("chassis") == chassis_id])
    same("number of power supplies", len(psus), len(power["PowerSupplies"]))
    for p in power["PowerSupplies"]:
        check_fields("psu %s" % p["MemberId"], psus.get(p["MemberId"], {}), p, [
            ("model", "Model"), ("serial", "SerialNumber"), ("firmware", "FirmwareVersion"),
            ("capacity_watts", "PowerCapacityWatts"), ("output_watts", "LastPowerOutputWatts"),
            ("input_voltage", "LineInputVoltage"), ("manufacturer", "Manufacturer")] + STATUS)
    pw = by([p for p in out.get("power", []) if p.get("chassis") == chassis_id])
    for p in power["PowerControl"]:
        check_fields("power %s" % p["MemberId"], pw.get(p["MemberId"], {}), p, [
            ("consumed_watts", "PowerConsumedWatts"), ("capacity_watts", "PowerCapacityWatts"),
            ("average_watts", "PowerMetrics.AverageConsumedWatts"),
            ("max_watts", "PowerMetrics.MaxConsumedWatts")])


def sensors_new(out, mockup, chassis_id):
    base = "/redfish/v1/Chassis/%s" % chassis_id
    sensors = members(mockup, base + "/Sensors")
    temps_src = [s for s in sensors
                 if s.get("ReadingType") == "Temperature" or s.get("ReadingUnits") == "Cel"]
    got = by([t for t in out.get("temperatures", []) if t.get("chassis") == chassis_id])
    same("number of temperature sensors", len(got), len(temps_src))
    for s in temps_src:
        check_fields("sensor %s" % s["Id"], got.get(s["Id"], {}), s, [
            ("name", "Name"), ("reading_celsius", "Reading"),
            ("upper_caution_celsius", "Thresholds.UpperCaution.Reading"),
            ("upper_critical_celsius", "Thresholds.UpperCritical.Reading"),
            ("upper_fatal_celsius", "Thresholds.UpperFatal.Reading"),
            ("physical_context", "PhysicalContext")] + STATUS)
    fans_src = members(mockup, base + "/ThermalSubsystem/Fans")
    fans = by([f for f in out.get("fans", []) if f.get("chassis") == chassis_id])
    same("number of fans", len(fans), len(fans_src))
    for f in fans_src:
        e = fans.get(f["Id"], {})
        check_fields("fan %s" % f["Id"], e, f, [
            ("name", "Name"), ("reading", "SpeedPercent.Reading"),
            ("speed_rpm", "SpeedPercent.SpeedRPM")] + STATUS)
        same("fan %s.units" % f["Id"], e.get("units"), "Percent")
    psu_src = members(mockup, base + "/PowerSubsystem/PowerSupplies")
    psus = by([p for p in out.get("power_supplies", []) if p.get("chassis") == chassis_id])
    same("number of power supplies", len(psus), len(psu_src))
    for p in psu_src:
        e = psus.get(p["Id"], {})
        check_fields("psu %s" % p["Id"], e, p, [
            ("model", "Model"), ("serial", "SerialNumber"), ("firmware", "FirmwareVersion"),
            ("capacity_watts", "PowerCapacityWatts")] + STATUS)
        if p.get("Metrics"):
            m = res(mockup, p["Metrics"]["@odata.id"])
            check_fields("psu %s metrics" % p["Id"], e, m, [
                ("output_watts", "OutputPowerWatts.Reading"),
                ("input_voltage", "InputVoltage.Reading")])
    env = res(mockup, base + "/EnvironmentMetrics")
    pw = [p for p in out.get("power", []) if p.get("chassis") == chassis_id]
    same("power entries", len(pw), 1)
    same("consumed_watts", pw[0].get("consumed_watts") if pw else None,
         env["PowerWatts"]["Reading"])


def inventory(out, mockup, system_id, manager_id):
    sys_src = res(mockup, "/redfish/v1/Systems/%s" % system_id)
    check_fields("system", out.get("system", {}), sys_src, [
        ("model", "Model"), ("manufacturer", "Manufacturer"), ("serial", "SerialNumber"),
        ("sku", "SKU"), ("uuid", "UUID"), ("bios_version", "BiosVersion"),
        ("power_state", "PowerState"), ("health", "Status.Health"),
        ("health_rollup", "Status.HealthRollup")])
    mgr = res(mockup, "/redfish/v1/Managers/%s" % manager_id)
    check_fields("bmc", out.get("bmc", {}), mgr, [
        ("model", "Model"), ("firmware", "FirmwareVersion"), ("health", "Status.Health"),
        ("manager_type", "ManagerType")])
    procs = members(mockup, sys_src["Processors"]["@odata.id"])
    got = by(out.get("processors", []))
    same("number of processors", len(got), len(procs))
    for p in procs:
        check_fields("processor %s" % p["Id"], got.get(p["Id"], {}), p, [
            ("model", "Model"), ("socket", "Socket"), ("cores", "TotalCores"),
            ("threads", "TotalThreads"), ("max_speed_mhz", "MaxSpeedMHz")] + STATUS)
    mem = members(mockup, sys_src["Memory"]["@odata.id"])
    got = by(out.get("memory", []))
    same("number of memory modules", len(got), len(mem))
    for m in mem:
        check_fields("memory %s" % m["Id"], got.get(m["Id"], {}), m, [
            ("capacity_mib", "CapacityMiB"), ("serial", "SerialNumber"),
            ("part_number", "PartNumber"), ("locator", "DeviceLocator")] + STATUS)
    fw = members(mockup, res(mockup, "/redfish/v1/UpdateService")["FirmwareInventory"]["@odata.id"])
    got = by(out.get("firmware", []))
    same("number of firmware entries", len(got), len(fw))
    for f in fw:
        check_fields("firmware %s" % f["Id"], got.get(f["Id"], {}), f,
                     [("name", "Name"), ("version", "Version")])
    return sys_src


def storage_ilo5(out, mockup, sys_src):
    st = members(mockup, sys_src["Storage"]["@odata.id"])
    drives = [res(mockup, d["@odata.id"]) for s in st for d in s.get("Drives", [])]
    got = by(out.get("storage", {}).get("drives", []))
    same("number of drives", len(got), len(drives))
    for d in drives:
        check_fields("drive %s" % d["Id"], got.get(d["Id"], {}), d, [
            ("model", "Model"), ("serial", "SerialNumber"), ("capacity_bytes", "CapacityBytes"),
            ("media_type", "MediaType"), ("protocol", "Protocol")] + STATUS)
    ctl = [c for s in st for c in members(mockup, s["Controllers"]["@odata.id"])]
    got = by(out.get("storage", {}).get("controllers", []))
    same("number of controllers", len(got), len(ctl))
    for c in ctl:
        check_fields("controller %s" % c["Id"], got.get(c["Id"], {}), c, [
            ("model", "Model"), ("serial", "SerialNumber"), ("firmware", "FirmwareVersion")])
    nics = members(mockup, sys_src["Oem"]["Hpe"]["Links"]["NetworkAdapters"]["@odata.id"])
    got = by(out.get("network_adapters", []))
    same("number of network adapters", len(got), len(nics))
    for n in nics:
        check_fields("adapter %s" % n["Id"], got.get(n["Id"], {}), n,
                     [("name", "Name"), ("serial", "SerialNumber")] + STATUS)


def main():
    mode, outfile, mockup = sys.argv[1:4]
    with open(outfile, encoding="utf-8") as fh:
        out = json.load(fh)
    if mode == "sensors-ilo5":
        sensors_legacy(out, mockup, "1")
    elif mode == "sensors-dmtf":
        sensors_new(out, mockup, "1U")
    elif mode == "inventory-ilo5":
        sys_src = inventory(out, mockup, "1", "1")
        storage_ilo5(out, mockup, sys_src)
        sensors_legacy(out, mockup, "1")
    elif mode == "inventory-dmtf":
        sys_src = inventory(out, mockup, "437XR1138R2", "BMC")
        simple = members(mockup, sys_src["SimpleStorage"]["@odata.id"])
        devs = [d for s in simple for d in s.get("Devices", [])]
        same("number of drives", len(out.get("storage", {}).get("drives", [])), len(devs))
        same("network adapters", out.get("network_adapters"), None)
        sensors_new(out, mockup, "1U")
    else:
        print("unknown mode %s" % mode)
        return 2
    if out.get("errors"):
        fail("errors reported: %r" % out["errors"])
    for f in FAILS[:40]:
        print(f)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
