# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# Units of hostfish_account: the password goes to hostfish's stdin, never its argv; check mode
# asks for a dry run; changed/failed come from hostfish's report and exit code.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

from ansible.module_utils import basic
from ansible_collections.hostfish.bmc.plugins.modules import hostfish_account
from ansible_collections.hostfish.bmc.tests.unit.plugins.modules.utils import run_module as run


def run_module(monkeypatch, args, answer):
    return run(monkeypatch, hostfish_account, args, answer)


def report(action, changed, changes=(), checked=True):
    return json.dumps({'user': 'mon', 'action': action, 'uri': '/redfish/v1/AccountService/Accounts/3/',
                       'changed': changed, 'dry_run': action.startswith('would'),
                       'changes': list(changes), 'password_checked': checked})


def test_the_password_goes_to_stdin(monkeypatch):
    calls, res = run_module(monkeypatch, {'name': 'mon', 'role': 'Operator', 'account_password': 's3cret-Pass'},
                            (0, report('created', True, ['UserName', 'Password', 'RoleId'], False), ''))
    argv, kw = calls[0]
    assert argv == ['hostfish', '--json', 'account', 'ensure', 'mon', '--role', 'Operator', '--password-file', '-']
    assert kw['data'] == b's3cret-Pass\n'
    assert 's3cret-Pass' not in ' '.join(argv)
    assert res['changed'] is True and res['failed'] is False
    assert res['account']['action'] == 'created'


def test_unchanged(monkeypatch):
    calls, res = run_module(monkeypatch, {'name': 'mon', 'enabled': False}, (0, report('unchanged', False), ''))
    assert calls[0][0][-2:] == ['mon', '--disabled']
    assert calls[0][1]['data'] is None
    assert res['changed'] is False and res['failed'] is False


def test_check_mode_is_a_dry_run(monkeypatch):
    calls, res = run_module(monkeypatch, {'name': 'mon', 'state': 'absent', '_ansible_check_mode': True},
                            (0, report('would_delete', True), ''))
    assert calls[0][0][-4:] == ['account', 'absent', 'mon', '--dry-run']
    assert res['changed'] is True


def test_failure_from_the_exit_code(monkeypatch):
    _calls, res = run_module(monkeypatch, {'name': 'mon', 'account_password_file': '/etc/pw'},
                             (2, '', 'account: 403 Forbidden\n'))
    assert res['failed'] is True and res['rc'] == 2 and res['changed'] is False


def test_a_password_not_checked_warns(monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda _self, msg: warnings.append(msg))
    _calls, res = run_module(monkeypatch, {'name': 'mon', 'account_password': 'x-Secret-12'},
                             (0, report('updated', True, ['Password'], False), ''))
    assert res['changed'] is True
    assert len(warnings) == 1 and 'every run' in warnings[0]


def test_absent_takes_no_password(monkeypatch):
    calls, res = run_module(monkeypatch, {'name': 'mon', 'state': 'absent', 'account_password': 'x-Secret-12'},
                            (0, report('deleted', True), ''))
    assert res['failed'] is True and not calls
