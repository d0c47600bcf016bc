# SPDX-License-Identifier: MIT
# hostfish_settings: Redfish resources of this server's BMC have the properties given.
#
#   hostfish_settings 'asset tag' do
#     state('/redfish/v1/Systems/1/' => { 'AssetTag' => 'rack12-u07' })
#   end
#
# load_current_value asks hostfish for a dry run and builds the state the BMC has, in the shape
# of the desired one; converge_if_changed then writes only when they differ (why-run mode and
# the run's report show each differing value).  A BIOS value pending in the settings object
# counts as set.  Without url/user/password_file hostfish finds the BMC itself.
unified_mode true
provides :hostfish_settings

property :state, Hash, required: true
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
end

load_current_value do |new_resource|
  cli = HostfishChef::CLI.new(
    hostfish: new_resource.hostfish, url: new_resource.url, transport: new_resource.transport,
    user: new_resource.user, password_file: new_resource.password_file, cacert: new_resource.cacert
  )
  state HostfishChef::Settings.current(cli, new_resource.state)
end

action :apply do
  converge_if_changed :state do
    HostfishChef::Settings.apply(hostfish_cli, new_resource.state).each { |c| Chef::Log.info("hostfish: #{c}") }
  end
end
