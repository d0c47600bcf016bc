# SPDX-License-Identifier: MIT
# hostfish_firmware: the firmware of an HPE package (.fwpkg) is what this server runs.
#
#   hostfish_firmware '/var/cache/firmware/ilo5_272.fwpkg' do
#     wait_timeout 1800
#   end
#
# load_current_value asks hostfish for a dry run (`hostfish firmware flash --if-different
# --dry-run`: each target's installed version against the package's, nothing sent); the
# package counts as installed when a flash would send nothing (every target runs its version,
# or a type C package already waits in the BMC's task queue).  converge_if_changed then runs
# `hostfish firmware flash --if-different --wait`.  Why-run mode reports the flash with the
# versions and sends nothing.  A package hostfish refuses (type D, a busy UpdateService, a
# blocked task queue), a flash the BMC fails or a timeout fails the resource.  Without
# url/user/password_file hostfish finds the BMC itself, through hostfishd where it runs (it
# streams the upload with its own session).  installed is what load_current_value reports; leave it true (false: nothing
# is done).
unified_mode true
provides :hostfish_firmware

property :package, String, name_property: true, desired_state: false,
                           callbacks: { 'must be an absolute path without control characters' => ->(p) { p.start_with?('/') && p !~ /[[:cntrl:]]/ } }
property :installed, [true, false], default: true
property :compsig, String, desired_state: false
property :tpm_override, [true, false], default: false, desired_state: false
property :recovery_set, [true, false], default: false, desired_state: false
property :wait_timeout, Integer, desired_state: false
property :hostfish, String, desired_state: false
property :url, String, desired_state: false
property :transport, String, equal_to: %w(auto agent https hostif chif), desired_state: false
property :user, String, desired_state: false
property :password_file, String, desired_state: false
property :cacert, String, desired_state: false

action_class do
  def hostfish_cli
    HostfishChef::CLI.new(
      hostfish: new_resource.hostfish, url: new_resource.url, transport: new_resource.transport,
      user: new_resource.user, password_file: new_resource.password_file, cacert: new_resource.cacert
    )
  end

  def flash_options
    { 'compsig' => new_resource.compsig, 'tpm_override' => new_resource.tpm_override,
      'recovery_set' => new_resource.recovery_set, 'wait_timeout' => new_resource.wait_timeout }
  end
end

load_current_value do |new_resource|
  cli = HostfishChef::CLI.new(
    hostfish: new_resource.hostfish, url: new_resource.url, transport: new_resource.transport,
    user: new_resource.user, password_file: new_resource.password_file, cacert: new_resource.cacert
  )
  options = { 'compsig' => new_resource.compsig, 'tpm_override' => new_resource.tpm_override,
              'recovery_set' => new_resource.recovery_set }
  installed HostfishChef::Firmware.current(cli, new_resource.package, options)['installed']
end

# :flash - flash the package when the server does not run it
action :flash do
  # installed false asks for nothing: a package is never "uninstalled"
  if new_resource.installed
    converge_if_changed :installed do
      report = HostfishChef::Firmware.flash(hostfish_cli, new_resource.package, flash_options)
      Chef::Log.info(HostfishChef::Firmware.describe(report))
    end
  end
end
