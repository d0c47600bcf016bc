# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# Units of module_utils/hostfish.py: the command line built for hostfish (no password in it),
# the exit codes, the diff of an apply report.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.hostfish.bmc.plugins.module_utils import hostfish as hfu


class FakeModule(object):
    """Records run_command's arguments and answers what the test says."""

    def __init__(self, module_params, answer=(0, '{}', '')):
        self.params = module_params
        self.answer = answer
        self.calls = []

    def run_command(self, argv, **kw):
        self.calls.append((argv, kw))
        return self.answer


def params(**kw):
    p = dict((k, None) for k in hfu.hostfish_argument_spec())
    p['hostfish_path'] = 'hostfish'
    p.update(kw)
    return p


def test_password_goes_to_the_environment_not_argv():
    m = FakeModule(params(user='admin', password='s3cret', url='https://bmc', cacert='/ca.pem'))
    hfu.Hostfish(m).run(['status'])
    argv, kw = m.calls[0]
    assert 's3cret' not in ' '.join(argv)
    assert kw['environ_update'] == {'HOSTFISH_PASSWORD': 's3cret'}
    assert argv[:7] == ['hostfish', '--url', 'https://bmc', '--user', 'admin', '--cacert', '/ca.pem']
    assert argv[-2:] == ['--json', 'status']


def test_no_options_means_hostfish_finds_the_bmc_itself():
    m = FakeModule(params())
    hfu.Hostfish(m).run(['status'])
    assert m.calls[0][0] == ['hostfish', '--json', 'status']
    assert m.calls[0][1]['environ_update'] == {}


@pytest.mark.parametrize('rc', [1, 2, 3, 4, 5, 6, 143])
def test_exit_codes_outside_ok_codes_raise(rc):
    m = FakeModule(params(), answer=(rc, '', 'boom\n'))
    with pytest.raises(hfu.HostfishError) as e:
        hfu.Hostfish(m).run(['status'])
    assert e.value.rc == rc
    assert hfu.exit_meaning(rc) in e.value.msg


def test_missing_json_is_an_error_even_on_success():
    m = FakeModule(params(), answer=(0, 'not json', ''))
    with pytest.raises(hfu.HostfishError):
        hfu.Hostfish(m).run(['status'])


def test_apply_diff_shows_json_pointers_of_changes_only():
    report = {'resources': [
        {'path': '/redfish/v1/Systems/1/', 'status': 'changed',
         'changes': [{'property': '/AssetTag', 'old': '', 'new': 'r7'}]},
        {'path': '/redfish/v1/Systems/1/Bios/', 'status': 'pending',
         'changes': [{'property': '/Attributes/AdminName', 'old': '', 'new': 'bob'}]},
    ]}
    d = hfu.apply_diff(report)
    assert d['before'] == '/redfish/v1/Systems/1/#/AssetTag = ""\n'
    assert d['after'] == '/redfish/v1/Systems/1/#/AssetTag = "r7"\n'
