# SPDX-License-Identifier: MIT
# accounts.pp - the local accounts of this server's BMC (the module hostfish): the monitoring
# system's, its password from Hiera as Sensitive (lookup_options: convert_to: Sensitive; it
# goes to hostfish on stdin and never shows in a report), and none left from the installer.
hostfish_account { 'monitor':
  ensure           => present,
  role             => 'ReadOnly',
  account_password => lookup('bmc_monitor_password'),
}

hostfish_account { 'install':
  ensure => absent,
}
