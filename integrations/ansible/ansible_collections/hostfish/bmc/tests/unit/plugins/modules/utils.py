# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# What the modules' unit tests share: a module's main() run with its arguments, hostfish's
# answers given in place of running it, and what the module returned.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class Exit(Exception):
    pass


def run_module(monkeypatch, module, args, answers):
    """module.main() with ANSIBLE_MODULE_ARGS args.  Each run of hostfish is answered with
    answers, an (rc, stdout, stderr) for every run, or a list of them, one per run in order.
    Returns (calls, results): [(argv, keyword arguments)] of the runs, and what exit_json or
    fail_json was given, with failed saying which."""
    calls = []
    results = {}
    queue = list(answers) if isinstance(answers, list) else None

    def run_command(_self, argv, **kw):
        calls.append((argv, kw))
        return queue.pop(0) if queue is not None else answers

    def exit_json(_self, **kw):
        results.update(kw, failed=False)
        raise Exit()

    def fail_json(_self, **kw):
        results.update(kw, failed=True)
        raise Exit()

    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args})))
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    with pytest.raises(Exit):
        module.main()
    return calls, results
