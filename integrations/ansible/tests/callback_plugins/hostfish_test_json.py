# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# A stdout callback for tests/integration/ansible*.test: the whole run as one JSON document,
# {"plays": [{"tasks": [{"task": {"name"}, "hosts": {HOST: result}}]}], "stats": {HOST: {...}}}
# (ansible-core 2.14 has no JSON callback of its own; ansible.posix's is not installed here).
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: hostfish_test_json
type: stdout
short_description: the run as one JSON document (hostfish's tests)
description: Prints every task result and the stats as JSON at the end of the run.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'hostfish_test_json'

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({'play': {'name': play.get_name()}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]['tasks'].append({'task': {'name': task.get_name()}, 'hosts': {}})

    def _record(self, result, **extra):
        res = dict(result._result)
        res.update(extra)
        self.plays[-1]['tasks'][-1]['hosts'][result._host.get_name()] = res

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        out = {'plays': self.plays,
               'stats': dict((h, stats.summarize(h)) for h in hosts)}
        self._display.display(json.dumps(out, sort_keys=True, default=str))
