# SPDX-License-Identifier: MIT
# accounts.rb - a recipe of a cookbook that depends on the cookbook hostfish: the local
# accounts of this server's BMC.  The password comes from an encrypted data bag; it is a
# sensitive property, goes to hostfish on stdin and never shows in the run's output.
hostfish_account 'monitor' do
  role 'ReadOnly'
  password data_bag_item('bmc', 'monitor')['password']
end

hostfish_account 'install' do
  action :delete
end
