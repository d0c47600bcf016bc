# SPDX-License-Identifier: MIT
# hostfish_settings.pp - Puppet keeps the BMC settings of /etc/hostfish/desired-state.json in
# place.  The dry run in "unless" exits 0 when nothing differs (the exec is skipped) and 2 when
# something does; then the exec applies it, and exits 2 ("changed", in "returns").  Any other
# exit code (4 with --detailed-exitcodes) fails the resource with hostfish's message.
file { '/etc/hostfish/desired-state.json':
  ensure => file,
  mode   => '0600',
  source => 'puppet:///modules/hostfish/desired-state.json',
}

exec { 'hostfish apply desired-state.json':
  command   => '/usr/bin/hostfish apply --detailed-exitcodes /etc/hostfish/desired-state.json',
  unless    => '/usr/bin/hostfish apply --dry-run --detailed-exitcodes /etc/hostfish/desired-state.json',
  returns   => [0, 2],
  logoutput => 'on_failure',
  subscribe => File['/etc/hostfish/desired-state.json'],
}
