# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# Units of hostfish_logs: reading is never a change; clear and note are, and check mode sends
# neither; failures come from hostfish's exit codes.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

from ansible_collections.hostfish.bmc.plugins.modules import hostfish_logs
from ansible_collections.hostfish.bmc.tests.unit.plugins.modules.utils import run_module as run


LIST = json.dumps({'logs': [{'service': 'IML', 'cursor': 'c1,5,t', 'entries': [
    {'service': 'IML', 'id': '5', 'seq': 5, 'message': 'Fan failed'}]}]})


def run_module(monkeypatch, args, answers):
    calls, results = run(monkeypatch, hostfish_logs, args, answers)
    return [argv for argv, _kw in calls], results


def test_reading_is_not_a_change(monkeypatch):
    calls, res = run_module(monkeypatch, {'service': 'IML', 'since': 'c1,4,t'}, [(0, LIST, '')])
    assert calls == [['hostfish', '--json', 'logs', 'list', '--service', 'IML', '--since', 'c1,4,t']]
    assert res['changed'] is False and res['failed'] is False
    assert res['cursors'] == {'IML': 'c1,5,t'}
    assert [e['message'] for e in res['entries']] == ['Fan failed']


def test_clear_then_note(monkeypatch):
    calls, res = run_module(monkeypatch, {'service': 'IML', 'clear': True, 'note': 'DIMM 3'},
                            [(0, LIST, ''), (0, '', ''), (0, '', '')])
    assert calls[1] == ['hostfish', 'logs', 'clear', '--service', 'IML']
    assert calls[2] == ['hostfish', 'logs', 'note', 'DIMM 3']
    assert res['changed'] is True and res['cleared'] is True and res['noted'] is True


def test_check_mode_sends_no_write(monkeypatch):
    calls, res = run_module(monkeypatch, {'service': 'IML', 'clear': True, '_ansible_check_mode': True},
                            [(0, LIST, '')])
    assert len(calls) == 1
    assert res['changed'] is True and res['cleared'] is True


def test_a_failed_note(monkeypatch):
    _calls, res = run_module(monkeypatch, {'note': 'x'}, [(0, LIST, ''), (2, '', 'note: 400\n')])
    assert res['failed'] is True and res['rc'] == 2 and res['noted'] is False
