#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: hostfish_bmc_reset
short_description: Reset this server's BMC and wait until it is back
version_added: 1.0.0
description:
  - Resets the managed server's own BMC with C(hostfish bmc reset) (the manager's
    C(#Manager.Reset) action) and, by default, waits until the BMC has gone away, come back and
    answers again (C(--wait)).
  - A reset is an action, not a state - every run that is not in check mode resets and
    reports C(changed). Use C(when) or a handler to reset only when something needs it, for
    example after BIOS or network settings of the BMC were changed.
  - A reset type the manager does not allow fails before anything is sent.
  - In check mode nothing is sent; the task reports C(changed).
author: hostfish developers
options:
  reset_type:
    description:
      - The C(ResetType) (one of the manager's C(ResetType@Redfish.AllowableValues)).
    type: str
    default: GracefulRestart
  wait:
    description:
      - Wait until the BMC is back and answers.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait at most (the task fails after it, exit code 6).
    type: int
    default: 300
extends_documentation_fragment:
  - hostfish.bmc.hostfish
attributes:
  check_mode:
    support: full
    description: Sends nothing and reports C(changed).
  diff_mode:
    support: none
    description: A reset has no state to compare.
'''

EXAMPLES = r'''
- name: Reset the BMC and wait for it
  hostfish.bmc.hostfish_bmc_reset:

- name: A handler that resets the BMC after its settings changed
  hostfish.bmc.hostfish_bmc_reset:
    reset_type: ForceRestart
    wait_timeout: 600
'''

RETURN = r'''
reset:
  description: hostfish's report (C(hostfish --json bmc reset)); empty in check mode.
  returned: always
  type: dict
  sample:
    manager: /redfish/v1/Managers/1/
    reset_type: GracefulRestart
    allowed: [ForceRestart, GracefulRestart]
    waited: true
    gone_after_ms: 2
    back_after_ms: 3452
    ready_after_ms: 3469
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hostfish.bmc.plugins.module_utils.hostfish import (
    Hostfish, HostfishError, hostfish_argument_spec)


def main():
    module = AnsibleModule(
        argument_spec=hostfish_argument_spec(
            reset_type=dict(type='str', default='GracefulRestart'),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=300),
        ),
        supports_check_mode=True,
    )
    if module.check_mode:
        module.exit_json(changed=True, reset={})
    hf = Hostfish(module)
    args = ['bmc', 'reset', '--type', module.params['reset_type']]
    if module.params['wait']:
        args += ['--wait', '--wait-timeout', str(module.params['wait_timeout'])]
    try:
        report = hf.run(args)[1]
    except HostfishError as e:
        hf.fail(e)
    module.exit_json(changed=True, reset=report)


if __name__ == '__main__':
    main()
