# SPDX-License-Identifier: MIT
require 'puppet/resource_api'
require_relative '../../puppet_x/hostfish/connection'

Puppet::ResourceApi.register_type(
  name: 'hostfish_account',
  docs: <<-EOS,
@summary A local account of this server's BMC exists as given, or not at all.

Compared and applied by `hostfish account ensure` (or `absent`) on the managed host, through
the BMC's AccountService: only what differs is sent. A BMC never reads a password back;
hostfish checks it with one GET as the account itself (no session left) and sets it only when
that is refused. The password is Sensitive: it reaches hostfish on its standard input, never
its command line, and is never logged or reported. With --noop hostfish only compares
(--dry-run) and nothing is written.

    hostfish_account { 'monitor':
      ensure           => present,
      role             => 'ReadOnly',
      account_password => Sensitive(lookup('bmc_monitor_password')),
    }

Without url/user/password_file hostfish finds the BMC itself (hostfishd, the Redfish host
interface, or CHIF on iLO 5/6).
EOS
  features: ['custom_insync', 'simple_get_filter'],
  attributes: {
    ensure: {
      type: 'Enum[present, absent]',
      desc: 'Whether the account should exist.',
      default: 'present',
    },
    name: {
      type: 'Pattern[/\A[^\x00-\x1f\x7f]+\z/]',
      desc: "The account's login name (UserName).",
      behaviour: :namevar,
    },
    role: {
      type: 'Optional[String[1]]',
      desc: "The account's RoleId (iLO: Administrator, Operator, ReadOnly); left out, an existing account keeps its role.",
    },
    enabled: {
      type: 'Optional[Boolean]',
      desc: 'Whether the account may log in (Enabled; iLO: LoginPriv); left out, an existing account keeps it.',
    },
    account_password: {
      type: 'Optional[Sensitive[String[1]]]',
      desc: "The account's password (a new account needs one); given to hostfish on stdin.",
      behaviour: :parameter,
    },
  }.merge(PuppetX::Hostfish.connection_attributes(
    'The BMC account this resource logs in as (--user), not the account it manages.',
  )),
)
