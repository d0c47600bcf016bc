# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# module_utils/hostfish.py - runs the hostfish command line for the hostfish.bmc modules.
#
# Every module asks hostfish for --json output and decides changed/failed from that JSON and
# hostfish's exit code, never from its human-readable text (which goes into messages only).
# A password goes to hostfish through its environment (HOSTFISH_PASSWORD) or a file, never
# through its argv, where every user of the host could read it.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

# hostfish(1), EXIT STATUS
EXIT_MEANINGS = {
    1: 'usage or invalid input (nothing was sent to the BMC)',
    2: 'the BMC refused the request (HTTP 4xx)',
    3: 'BMC error (HTTP 5xx)',
    4: 'authentication required, rejected or expired',
    5: 'transport unavailable, connection or TLS failure',
    6: 'timeout',
    130: 'interrupted (SIGINT)',
    143: 'interrupted (SIGTERM)',
}


def hostfish_argument_spec(**extra):
    """The options of the hostfish doc fragment, plus a module's own."""
    spec = dict(
        hostfish_path=dict(type='path', default='hostfish'),
        url=dict(type='str'),
        transport=dict(type='str', choices=['auto', 'agent', 'https', 'hostif', 'chif']),
        user=dict(type='str'),
        password=dict(type='str', no_log=True),
        password_file=dict(type='path', no_log=False),
        cacert=dict(type='path'),
        timeout=dict(type='int'),
    )
    spec.update(extra)
    return spec


def exit_meaning(rc, args=()):
    """What hostfish's exit code rc says, in words (apply --detailed-exitcodes: 4 is a failure
    of any kind, the report says which)."""
    if rc == 4 and '--detailed-exitcodes' in args:
        return 'failed'
    return EXIT_MEANINGS.get(rc, 'unexpected exit code %s' % rc)


def parse_json(text):
    """hostfish's JSON output, or None when there is none or it is not JSON."""
    if text is None or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


class HostfishError(Exception):
    """hostfish failed: rc, its stderr and whatever JSON it printed."""

    def __init__(self, msg, rc=None, stderr='', result=None, cmd=None):
        super(HostfishError, self).__init__(msg)
        self.msg = msg
        self.rc = rc
        self.stderr = stderr
        self.result = result
        self.cmd = cmd


class Hostfish(object):
    """hostfish on the managed host, with the connection options of the module."""

    def __init__(self, module):
        self.module = module
        self.params = module.params

    def argv(self, args, json_output=True):
        p = self.params
        argv = [p['hostfish_path']]
        for opt, key in (('--url', 'url'), ('--transport', 'transport'), ('--user', 'user'),
                         ('--password-file', 'password_file'), ('--cacert', 'cacert')):
            if p.get(key):
                argv += [opt, p[key]]
        if p.get('timeout') is not None:
            argv += ['--timeout', str(p['timeout'])]
        if json_output:
            argv.append('--json')
        return argv + list(args)

    def environ(self):
        env = {}
        if self.params.get('password') is not None:
            env['HOSTFISH_PASSWORD'] = self.params['password']
        return env

    def run(self, args, data=None, json_output=True, ok_codes=(0,)):
        """Run hostfish ARGS (stdin: data); return (rc, JSON result, stderr).

        Raises HostfishError for an exit code outside ok_codes, or when JSON was asked for
        and hostfish printed none."""
        argv = self.argv(args, json_output)
        rc, out, err = self.module.run_command(argv, data=data, binary_data=data is not None,
                                               environ_update=self.environ(),
                                               check_rc=False)
        result = parse_json(out) if json_output else out
        cmd = ' '.join(argv)
        if rc not in ok_codes:
            raise HostfishError('%s: exit %s (%s): %s' % (cmd, rc, exit_meaning(rc, args), err.strip()),
                                rc=rc, stderr=err, result=result, cmd=cmd)
        if json_output and result is None:
            raise HostfishError('%s: exit %s but no JSON on its output' % (cmd, rc),
                                rc=rc, stderr=err, cmd=cmd)
        return rc, result, err

    def fail(self, error, **extra):
        """End the module with hostfish's failure."""
        res = dict(msg=error.msg, rc=error.rc, stderr=error.stderr, cmd=error.cmd)
        if error.result is not None:
            res['hostfish'] = error.result
        res.update(extra)
        self.module.fail_json(**res)


def apply_diff(report):
    """Ansible's diff of an apply report: one line per JSON Pointer change of a resource
    this run changes (or would change), "PATH#POINTER = VALUE", before and after."""
    before, after = [], []
    for res in report.get('resources', []):
        # a value already pending in a settings object is not a change of this run
        if res.get('status') not in ('changed', 'would_change', 'unknown'):
            continue
        for change in res.get('changes', []):
            where = '%s#%s' % (res.get('path', ''), change.get('property', ''))
            before.append('%s = %s\n' % (where, json.dumps(change.get('old'), sort_keys=True)))
            after.append('%s = %s\n' % (where, json.dumps(change.get('new'), sort_keys=True)))
    return dict(before=''.join(before), after=''.join(after))


def firmware_diff(report):
    """Ansible's diff of a firmware flash report: one line per target, "NAME (ID): VERSION",
    the installed version before, the package's (after a flash, the new) version after."""
    before, after = [], []
    for v in report.get('Versions', []):
        # a report after a flash names each target by its @odata.id only
        where = v.get('@odata.id', '')
        if v.get('Name'):
            where = '%s (%s)' % (v['Name'], where)
        before.append('%s: %s\n' % (where, v.get('Old')))
        after.append('%s: %s\n' % (where, v.get('New')))
    return dict(before=''.join(before), after=''.join(after))
