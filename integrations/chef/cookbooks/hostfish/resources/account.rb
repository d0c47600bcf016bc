# SPDX-License-Identifier: MIT
# hostfish_account: a local account of this server's BMC exists as given, or not at all.
#
#   hostfish_account 'monitor' do
#     role 'ReadOnly'
#     password data_bag_item('bmc', 'monitor')['password']
#   end
#
#   hostfish_account 'install' do
#     action :delete
#   end
#
# load_current_value asks hostfish for a dry run (`hostfish account ensure --dry-run`, which
# checks the password with one GET as the account itself) and builds the account as the BMC
# has it; converge_if_changed then runs `hostfish account ensure`, which sends only what
# differs.  The password is a sensitive property: it reaches hostfish on stdin, never its
# command line, and never shows in the run's output.  Without url/user/password_file hostfish
# finds the BMC itself.
unified_mode true
provides :hostfish_account

property :account_name, String, name_property: true
property :role, String
property :enabled, [true, false]
property :password, String, sensitive: true
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

  def desired_account
    { 'role' => new_resource.role, 'enabled' => new_resource.enabled, 'password' => new_resource.password }
  end
end

load_current_value do |new_resource|
  cli = HostfishChef::CLI.new(
    hostfish: new_resource.hostfish, url: new_resource.url, transport: new_resource.transport,
    user: new_resource.user, password_file: new_resource.password_file, cacert: new_resource.cacert
  )
  if Array(new_resource.action).include?(:delete)
    current_value_does_not_exist! unless HostfishChef::Account.exists?(cli, new_resource.account_name)
  else
    desired = { 'role' => new_resource.role, 'enabled' => new_resource.enabled, 'password' => new_resource.password }
    current = HostfishChef::Account.current(cli, new_resource.account_name, desired)
    current_value_does_not_exist! if current.nil?
    role current['role'] unless current['role'].nil?
    enabled current['enabled'] unless current['enabled'].nil?
    password current['password'] unless current['password'].nil?
  end
end

action :create do
  converge_if_changed do
    HostfishChef::Account.ensure(hostfish_cli, new_resource.account_name, desired_account)
  end
end

action :delete do
  if current_resource
    converge_by "delete BMC account #{new_resource.account_name}" do
      HostfishChef::Account.remove(hostfish_cli, new_resource.account_name)
    end
  end
end
