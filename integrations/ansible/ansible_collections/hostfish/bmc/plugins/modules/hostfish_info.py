#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: hostfish_info
short_description: Facts about this server from its own BMC
version_added: 1.0.0
description:
  - Reads what the managed server's BMC knows about it through hostfish and publishes it as the
    fact C(hostfish) (C(ansible_facts.hostfish)).
  - The fact holds C(status) (C(hostfish --json status)- manager type and firmware, system
    model, serial number, power state, health) and C(firmware) (C(hostfish --json firmware
    list)- every firmware component with its version).
  - Sends only GET requests; it never changes anything.
author: hostfish developers
options: {}
extends_documentation_fragment:
  - hostfish.bmc.hostfish
attributes:
  check_mode:
    support: full
    description: Reads only, in check mode too.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
'''

EXAMPLES = r'''
- name: What the BMC knows about this server
  hostfish.bmc.hostfish_info:

- name: Its iLO firmware
  ansible.builtin.debug:
    msg: "{{ ansible_facts.hostfish.status.manager.firmware }}"
'''

RETURN = r'''
ansible_facts:
  description: The fact C(hostfish).
  returned: always
  type: dict
  contains:
    hostfish:
      description: What the BMC reports.
      type: dict
      contains:
        status:
          description: C(hostfish --json status).
          type: dict
          sample:
            manager: {type: iLO 5, firmware: iLO 5 v2.70, model: iLO 5}
            system: {manufacturer: HPE, model: ProLiant XL675d Gen10 Plus,
                     serial: JS05NP0896, power_state: "On", health: Warning,
                     health_rollup: Warning}
        firmware:
          description: C(hostfish --json firmware list), one entry per component.
          type: list
          elements: dict
          sample:
            - {Id: "1", Name: iLO 5, Version: 2.70 May 16 2022, Updateable: true}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hostfish.bmc.plugins.module_utils.hostfish import (
    Hostfish, HostfishError, hostfish_argument_spec)


def main():
    module = AnsibleModule(argument_spec=hostfish_argument_spec(), supports_check_mode=True)
    hf = Hostfish(module)
    facts = {}
    try:
        facts['status'] = hf.run(['status'])[1]
        facts['firmware'] = hf.run(['firmware', 'list'])[1]
    except HostfishError as e:
        hf.fail(e)
    module.exit_json(changed=False, ansible_facts=dict(hostfish=facts))


if __name__ == '__main__':
    main()
