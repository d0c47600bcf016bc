# SPDX-License-Identifier: MIT
"""Sensor readings that change over time (--sensor-step).

A real BMC's Thermal, Power and Sensors resources hold live readings; the mockups hold one
snapshot.  With --sensor-step D, every GET of a sensor resource answers the mockup's readings
moved by D times the number of earlier GETs of that resource, cycling through ten steps
(reading n = mockup + D * (n mod 10)): deterministic, so that a test can tell a fresh reading
from a cached one by counting its reads.  Readings of absent sensors (State "Absent") and
readings the mockup gives as null stay as they are.  The resources' ETags follow the content.

How much and how often readings change is invented here (HPE documents only that the values
are live); the shape of every resource stays the mockup's.

The state file's "sensor_reads" counts the GETs of sensor resources (by path).
"""

import copy
import re

from .service import Response
from .tree import compute_etag

STEPS = 10
# (path pattern, [(array or None, field path)]): which readings move
READINGS = [
    (re.compile(r"^/redfish/v1/Chassis/[^/]+/Thermal$"),
     [("Temperatures", ("ReadingCelsius",)), ("Fans", ("Reading",))]),
    (re.compile(r"^/redfish/v1/Chassis/[^/]+/Power$"),
     [("PowerControl", ("PowerConsumedWatts",)),
      ("PowerSupplies", ("LastPowerOutputWatts",))]),
    (re.compile(r"^/redfish/v1/Chassis/[^/]+/Sensors/[^/]+$"), [(None, ("Reading",))]),
    (re.compile(r"^/redfish/v1/Chassis/[^/]+/ThermalSubsystem/Fans/[^/]+$"),
     [(None, ("SpeedPercent", "Reading"))]),
    (re.compile(r"^/redfish/v1/Chassis/[^/]+/EnvironmentMetrics$"),
     [(None, ("PowerWatts", "Reading"))]),
    (re.compile(r"^/redfish/v1/Chassis/[^/]+/PowerSubsystem/PowerSupplies/[^/]+/Metrics$"),
     [(None, ("OutputPowerWatts", "Reading"))]),
]


def _move(obj, fields, delta):
    """obj[f1][f2]... += delta, when it is a number and the object is not Absent."""
    status = obj.get("Status") if isinstance(obj, dict) else None
    if isinstance(status, dict) and status.get("State") == "Absent":
        return
    for name in fields[:-1]:
        obj = obj.get(name) if isinstance(obj, dict) else None
    if not isinstance(obj, dict):
        return
    value = obj.get(fields[-1])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    moved = value + delta
    obj[fields[-1]] = int(moved) if isinstance(value, int) and float(delta).is_integer() else moved


class SensorDrift:
    """An extension (service.extensions): GET answers of sensor resources, moved."""

    def __init__(self, state, step):
        self.step = step
        self.reads = {}
        state.extras["sensor_reads"] = lambda: dict(self.reads)

    def handle(self, service, req, key, auth):
        if req.method != "GET":
            return None
        for pattern, moves in READINGS:
            if pattern.match(key):
                break
        else:
            return None
        data = service.tree.get_data(key)
        if not isinstance(data, dict):
            return None
        n = self.reads.get(key, 0)
        self.reads[key] = n + 1
        if not self.step:
            return None  # counted only: the mockup's answer
        data = copy.deepcopy(data)
        delta = self.step * (n % STEPS)
        for array, fields in moves:
            items = data.get(array) if array else [data]
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    _move(item, fields, delta)
        data["@odata.etag"] = compute_etag({k: v for k, v in data.items() if k != "@odata.etag"})
        return Response(200, data, [("ETag", data["@odata.etag"])])


def install(app, args):
    app.service.extensions.append(SensorDrift(app.state, args.sensor_step))
