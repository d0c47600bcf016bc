#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: hostfish_account
short_description: A local account of this server's BMC exists as given, or not at all
version_added: 1.0.0
description:
  - Makes a local account of the managed server's own BMC exist with a role, a password and a
    login state (C(hostfish account ensure)), or makes sure there is none
    (C(hostfish account absent)), through the BMC's C(AccountService).
  - hostfish sends only what differs. A BMC never reads a password back; hostfish checks it
    with one GET as the account itself (HTTP Basic, no session left) and sets it only when
    that is refused. Where it cannot be checked (an account that cannot log in, the C(chif)
    and C(agent) transports) it is set on every run, the task reports C(changed) and a
    warning says why.
  - The account's password reaches hostfish on its standard input or as a file on the
    managed host, never on its command line, and is never logged or returned.
  - In check mode hostfish only compares (C(--dry-run)) and sends no write.
  - C(changed) and C(failed) come from hostfish's JSON report and exit code.
author: hostfish developers
options:
  name:
    description:
      - The account's login name (its C(UserName)).
    type: str
    required: true
  state:
    description:
      - C(present) creates or updates the account, C(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  role:
    description:
      - The account's C(RoleId) (iLO - C(Administrator), C(Operator), C(ReadOnly)). Left out,
        an existing account keeps its role.
    type: str
  enabled:
    description:
      - Whether the account may log in (C(Enabled); iLO - the C(LoginPriv) privilege). Left
        out, an existing account keeps its login state.
    type: bool
  account_password:
    description:
      - The account's password, given to hostfish on its standard input. A new account needs
        one (or C(account_password_file)).
      - Not the password of C(user), the account this task logs in as (C(password)).
    type: str
  account_password_file:
    description:
      - A file on the managed host whose first line is the account's password.
    type: path
extends_documentation_fragment:
  - hostfish.bmc.hostfish
attributes:
  check_mode:
    support: full
    description: Runs hostfish with C(--dry-run), which sends no write.
  diff_mode:
    support: none
    description: The properties that change are returned in C(account.changes).
'''

EXAMPLES = r'''
- name: An operator account for the monitoring system
  hostfish.bmc.hostfish_account:
    name: monitor
    role: Operator
    account_password: "{{ vault_monitor_bmc_password }}"

- name: The password kept in a file on the host, the account unable to log in for now
  hostfish.bmc.hostfish_account:
    name: vendor-support
    role: ReadOnly
    account_password_file: /etc/hostfish/vendor-support.password
    enabled: false

- name: No account left from the installer
  hostfish.bmc.hostfish_account:
    name: install
    state: absent
'''

RETURN = r'''
account:
  description: hostfish's report (C(hostfish --json account ensure|absent) in hostfish(1)); it
    never holds the password.
  returned: always
  type: dict
  sample:
    user: monitor
    action: updated
    uri: /redfish/v1/AccountService/Accounts/3/
    changed: true
    dry_run: false
    changes: [Password, RoleId]
    password_checked: true
rc:
  description: hostfish's exit code, on failure (1 invalid input, nothing sent; 2 the BMC
    refused, for example without the privilege to manage accounts).
  returned: failed
  type: int
'''

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.hostfish.bmc.plugins.module_utils.hostfish import (
    Hostfish, HostfishError, hostfish_argument_spec)


def account_args(params, check_mode):
    """hostfish's arguments and standard input for the task; the password only on stdin."""
    data = None
    if params['state'] == 'absent':
        args = ['account', 'absent', params['name']]
    else:
        args = ['account', 'ensure', params['name']]
        if params['role']:
            args += ['--role', params['role']]
        if params['enabled'] is not None:
            args.append('--enabled' if params['enabled'] else '--disabled')
        if params['account_password'] is not None:
            args += ['--password-file', '-']
            data = to_bytes(params['account_password'] + '\n')
        elif params['account_password_file']:
            args += ['--password-file', params['account_password_file']]
    if check_mode:
        args.append('--dry-run')
    return args, data


def main():
    module = AnsibleModule(
        argument_spec=hostfish_argument_spec(
            name=dict(type='str', required=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            role=dict(type='str'),
            enabled=dict(type='bool'),
            account_password=dict(type='str', no_log=True),
            account_password_file=dict(type='path', no_log=False),
        ),
        mutually_exclusive=[('account_password', 'account_password_file')],
        supports_check_mode=True,
    )
    p = module.params
    if p['state'] == 'absent' and (p['role'] or p['enabled'] is not None or
                                   p['account_password'] is not None or p['account_password_file']):
        module.fail_json(msg='state=absent takes no role, enabled or account password')
    if p['account_password'] is not None and ('\n' in p['account_password'] or '\r' in p['account_password']):
        module.fail_json(msg='account_password must be one line')
    hf = Hostfish(module)
    args, data = account_args(p, module.check_mode)
    try:
        report = hf.run(args, data=data)[1]
    except HostfishError as e:
        hf.fail(e, changed=False)
    if not isinstance(report, dict):
        module.fail_json(msg='hostfish printed no account report', changed=False)
    password_given = p['account_password'] is not None or bool(p['account_password_file'])
    if password_given and report.get('action') in ('updated', 'unchanged', 'would_update') \
            and report.get('password_checked') is False:
        module.warn('the BMC cannot tell whether the password of %s differs (an account that '
                    'cannot log in, or the chif or agent transport): it is set on every run'
                    % p['name'])
    module.exit_json(changed=bool(report.get('changed')), account=report)


if __name__ == '__main__':
    main()
