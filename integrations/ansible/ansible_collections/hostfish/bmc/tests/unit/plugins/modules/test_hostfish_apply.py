# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# Units of hostfish_apply: changed/failed come from hostfish's report and exit code; check mode
# asks for a dry run; the desired state goes to hostfish's stdin.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

from ansible_collections.hostfish.bmc.plugins.modules import hostfish_apply
from ansible_collections.hostfish.bmc.tests.unit.plugins.modules.utils import run_module as run


def run_module(monkeypatch, args, answer):
    return run(monkeypatch, hostfish_apply, args, answer)


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
