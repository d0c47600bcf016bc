# SPDX-License-Identifier: MIT
"""TaskService: Tasks and task monitors for asynchronous operations (DSP0266, DSP0268 Task).

An operation that runs asynchronously answers 202 Accepted with Location = its task monitor
(/redfish/v1/TaskService/TaskMonitors/ID) and Retry-After.  A GET of the monitor answers 202
(Retry-After, the Task as body) while the task runs, and the final answer once it is over: 200
with the Task (TaskState Completed) or, for a failed task, the Task with TaskState Exception
and its Messages.  The Task itself is /redfish/v1/TaskService/Tasks/ID (TaskState,
PercentComplete, Messages, TaskMonitor).

--task-action PATH makes a POST to that action target asynchronous (a task of --task-seconds,
ending in Exception with --task-fail);
firmware updates (update.py) create tasks too.
"""

import time

from .errors import ApiError
from .service import Response
from .tree import compute_etag, norm_key

TASKS = "/redfish/v1/TaskService/Tasks"
MONITORS = "/redfish/v1/TaskService/TaskMonitors"
RETRY_AFTER = 1
MAX_TASKS = 100


class Task:
    __slots__ = ("id", "name", "start", "duration", "fail", "messages", "cancelled")

    def __init__(self, tid, name, duration, fail, messages):
        self.id = tid
        self.name = name
        self.start = time.monotonic()
        self.duration = duration
        self.fail = fail
        self.messages = messages
        self.cancelled = False

    def progress(self):
        if self.duration <= 0:
            return 1.0
        return min(1.0, (time.monotonic() - self.start) / self.duration)

    def state(self):
        if self.cancelled:
            return "Cancelled"
        if self.progress() < 1.0:
            return "Running"
        return "Exception" if self.fail else "Completed"

    def resource(self):
        state = self.state()
        data = {
            "@odata.id": "%s/%s/" % (TASKS, self.id),
            "@odata.type": "#Task.v1_4_3.Task",
            "Id": str(self.id),
            "Name": self.name,
            "TaskState": state,
            "TaskStatus": "Critical" if state in ("Exception", "Cancelled") else "OK",
            "PercentComplete": int(self.progress() * 100),
            "TaskMonitor": "%s/%s/" % (MONITORS, self.id),
            "Messages": self.messages if state == "Exception" else [],
        }
        data["@odata.etag"] = compute_etag(data)
        return data


class Tasks:
    """The TaskService's dynamic part; called under the emulator lock."""

    def __init__(self, state, action=None, seconds=1.5, fail=False):
        self.tasks = {}
        self.next_id = 1
        self.action = norm_key(action) if action else None
        self.seconds = seconds
        self.fail = fail
        state.extras["tasks"] = self.snapshot

    def snapshot(self):
        return [{"id": t.id, "name": t.name, "state": t.state()} for t in self.tasks.values()]

    def create(self, name, duration, fail=False, messages=None):
        """A new running task; returns the 202 Accepted response that announces it."""
        if len(self.tasks) >= MAX_TASKS:
            oldest = min(self.tasks)
            del self.tasks[oldest]
        task = Task(self.next_id, name, duration, fail, messages or [])
        self.tasks[task.id] = task
        self.next_id += 1
        monitor = "%s/%s/" % (MONITORS, task.id)
        return Response(202, task.resource(), [("Location", monitor),
                                               ("Retry-After", str(RETRY_AFTER))])

    def _task(self, tail, path):
        try:
            task = self.tasks.get(int(tail))
        except ValueError:
            task = None
        if task is None:
            raise ApiError(404, "ResourceMissingAtURI", [path.split("?", 1)[0]])
        return task

    def handle(self, service, req, key, auth):
        method = req.method
        if self.action and key == self.action and method == "POST":
            name = key.rsplit("/", 1)[-1]
            messages = [{"MessageId": "Base.1.4.InternalError",
                         "Message": "The task for %s failed." % name,
                         "Severity": "Critical"}] if self.fail else []
            return self.create("Task for " + name, self.seconds, self.fail, messages)
        if key == TASKS and method in ("GET", "HEAD"):
            data = service.tree.get_data(key) or {"@odata.id": TASKS + "/",
                                                  "@odata.type": "#TaskCollection.TaskCollection",
                                                  "Name": "Task Collection"}
            data = dict(data)
            data["Members"] = [{"@odata.id": "%s/%s/" % (TASKS, t)} for t in sorted(self.tasks)]
            data["Members@odata.count"] = len(self.tasks)
            data["@odata.etag"] = compute_etag(data)
            return Response(200, data, [("ETag", data["@odata.etag"])])
        for base in (TASKS, MONITORS):
            if key.startswith(base + "/") and "/" not in key[len(base) + 1:]:
                task = self._task(key[len(base) + 1:], req.path)
                if method == "DELETE" and base == TASKS:
                    if task.state() == "Running":
                        task.cancelled = True
                    else:
                        del self.tasks[task.id]
                    return service.success()
                if method not in ("GET", "HEAD"):
                    raise ApiError(405, "iLO.2.14.UnsupportedOperation",
                                   headers=[("Allow", "GET, HEAD, DELETE" if base == TASKS
                                             else "GET, HEAD")])
                data = task.resource()
                if base == MONITORS and data["TaskState"] == "Running":
                    return Response(202, data, [("Retry-After", str(RETRY_AFTER)),
                                                ("Location", "%s/%s/" % (MONITORS, task.id))])
                return Response(200, data, [("ETag", data["@odata.etag"])])
        return None
