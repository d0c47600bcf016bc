# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# Units of hostfish_firmware: the arguments given to hostfish firmware flash (--if-different
# unless force, --dry-run in check mode, no --wait there); changed/failed come from hostfish's
# report and exit code; the diff from its Versions.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

from ansible_collections.hostfish.bmc.plugins.modules import hostfish_firmware
from ansible_collections.hostfish.bmc.tests.unit.plugins.modules.utils import run_module as run

INV1 = '/redfish/v1/UpdateService/FirmwareInventory/1/'


def run_module(monkeypatch, args, answer):
    return run(monkeypatch, hostfish_firmware, args, answer)


def report(outcome, changed, old='2.70 May 16 2022', new='2.72'):
    return json.dumps({'File': '/srv/ilo.fwpkg', 'Type': 'A', 'Outcome': outcome, 'Changed': changed,
                       'Uploads': [], 'Versions': [{'@odata.id': INV1, 'Name': 'iLO 5', 'Old': old, 'New': new}]})


def test_a_flash_when_different(monkeypatch):
    calls, res = run_module(monkeypatch, {'path': '/srv/ilo.fwpkg', 'password_file': '/etc/pw', 'user': 'admin'},
                            (0, report('flashed', True), ''))
    argv = calls[0][0]
    assert argv == ['hostfish', '--user', 'admin', '--password-file', '/etc/pw', '--json',
                    'firmware', 'flash', '--if-different', '--wait', '/srv/ilo.fwpkg']
    assert res['changed'] is True and res['failed'] is False
    assert res['outcome'] == 'flashed' and res['type'] == 'A'
    assert res['versions'][0]['New'] == '2.72'
    assert res['firmware']['File'] == '/srv/ilo.fwpkg'
    assert 'diff' not in res


def test_current_is_unchanged(monkeypatch):
    _calls, res = run_module(monkeypatch, {'path': '/srv/ilo.fwpkg', '_ansible_diff': True},
                             (0, report('current', False, '2.72 Sep 04 2022'), ''))
    assert res['changed'] is False and res['outcome'] == 'current'
    assert 'diff' not in res


def test_options(monkeypatch):
    calls, _res = run_module(monkeypatch, {'path': '/srv/u32.bin', 'force': True, 'wait_timeout': 900,
                                           'compsig': '/srv/u32.compsig', 'tpm_override': True,
                                           'recovery_set': True},
                             (0, report('flashed', True), ''))
    assert calls[0][0][2:] == ['firmware', 'flash', '--wait', '--wait-timeout', '900', '--compsig',
                               '/srv/u32.compsig', '--tpm-override', '--recovery-set', '/srv/u32.bin']
    calls, res = run_module(monkeypatch, {'path': '/srv/c.fwpkg', 'wait': False},
                            (0, report('queued', True), ''))
    assert calls[0][0][2:] == ['firmware', 'flash', '--if-different', '/srv/c.fwpkg']
    assert res['changed'] is True and res['outcome'] == 'queued'


def test_check_mode_is_a_dry_run_with_a_diff(monkeypatch):
    calls, res = run_module(monkeypatch, {'path': '/srv/ilo.fwpkg', '_ansible_check_mode': True,
                                          '_ansible_diff': True},
                            (0, report('dry-run', True), ''))
    assert calls[0][0][2:] == ['firmware', 'flash', '--dry-run', '--if-different', '/srv/ilo.fwpkg']
    assert res['changed'] is True and res['outcome'] == 'dry-run'
    assert res['diff'] == {'before': 'iLO 5 (%s): 2.70 May 16 2022\n' % INV1,
                           'after': 'iLO 5 (%s): 2.72\n' % INV1}


def test_check_mode_of_a_current_package(monkeypatch):
    _calls, res = run_module(monkeypatch, {'path': '/srv/ilo.fwpkg', '_ansible_check_mode': True},
                             (0, report('dry-run', False, '2.72 Sep 04 2022'), ''))
    assert res['changed'] is False


def test_type_d_fails_unchanged(monkeypatch):
    _calls, res = run_module(monkeypatch, {'path': '/srv/d.fwpkg'},
                             (2, '', 'firmware flash: type D: neither DirectFlashOk nor UefiFlashable\n'))
    assert res['failed'] is True and res['rc'] == 2 and res['changed'] is False
    assert 'type D' in res['msg']


def test_a_flash_failed_on_the_bmc_was_sent(monkeypatch):
    _calls, res = run_module(monkeypatch, {'path': '/srv/ilo.fwpkg'},
                             (3, json.dumps({'Outcome': 'failed', 'Changed': True}), 'flash failed\n'))
    assert res['failed'] is True and res['rc'] == 3 and res['changed'] is True


def test_no_report_fails(monkeypatch):
    _calls, res = run_module(monkeypatch, {'path': '/srv/ilo.fwpkg'}, (0, '', ''))
    assert res['failed'] is True and res['changed'] is False


def test_a_wait_timeout_must_be_positive(monkeypatch):
    calls, res = run_module(monkeypatch, {'path': '/srv/ilo.fwpkg', 'wait_timeout': 0},
                            (0, report('flashed', True), ''))
    assert res['failed'] is True and not calls


def test_the_diff_of_a_flash_without_names(monkeypatch):
    flashed = json.dumps({'Type': 'A', 'Outcome': 'flashed', 'Changed': True,
                          'Versions': [{'@odata.id': INV1, 'Old': '2.70 May 16 2022', 'New': '2.72'}]})
    _calls, res = run_module(monkeypatch, {'path': '/srv/ilo.fwpkg', '_ansible_diff': True}, (0, flashed, ''))
    assert res['diff'] == {'before': '%s: 2.70 May 16 2022\n' % INV1, 'after': '%s: 2.72\n' % INV1}
