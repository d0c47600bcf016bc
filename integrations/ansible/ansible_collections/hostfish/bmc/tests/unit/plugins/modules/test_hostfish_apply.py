# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# Units of hostfish_apply: changed/failed come from hostfish's report and exit code; check mode
# asks for a dry run; the desired state goes to hostfish's stdin.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.hostfish.bmc.plugins.modules import hostfish_apply


class Exit(Exception):
    pass


def run_module(monkeypatch, args, answer):
    calls = []
    results = {}

    def run_command(_self, argv, **kw):
        calls.append((argv, kw))
        return answer

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
        hostfish_apply.main()
    return calls, results


STATE = {'/redfish/v1/Systems/1/': {'AssetTag': 'r7'}}


def report(changed, failed=False, status='changed'):
    return json.dumps({'changed': changed, 'failed': failed, 'resources': [
        {'path': '/redfish/v1/Systems/1/', 'status': status,
         'changes': [{'property': '/AssetTag', 'old': '', 'new': 'r7'}]}]})


def test_changed_from_the_report(monkeypatch):
    calls, res = run_module(monkeypatch, {'state': STATE}, (2, report(True), ''))
    argv, kw = calls[0]
    assert argv == ['hostfish', '--json', 'apply', '--detailed-exitcodes', '-']
    assert json.loads(kw['data']) == STATE
    assert res['changed'] is True and res['failed'] is False


def test_unchanged(monkeypatch):
    _calls, res = run_module(monkeypatch, {'state': STATE}, (0, report(False, status='unchanged'), ''))
    assert res['changed'] is False and res['failed'] is False


def test_check_mode_is_a_dry_run(monkeypatch):
    calls, res = run_module(monkeypatch, {'state': STATE, '_ansible_check_mode': True},
                            (2, report(True, status='would_change'), ''))
    assert '--dry-run' in calls[0][0]
    assert res['changed'] is True


def test_failure_from_the_exit_code(monkeypatch):
    _calls, res = run_module(monkeypatch, {'state': STATE},
                             (4, report(False, failed=True, status='failed'), 'apply: refused\n'))
    assert res['failed'] is True and res['rc'] == 4


def test_invalid_input_fails_without_json(monkeypatch):
    _calls, res = run_module(monkeypatch, {'src': '/nonexistent.json'}, (1, '', 'cannot open\n'))
    assert res['failed'] is True and res['rc'] == 1
