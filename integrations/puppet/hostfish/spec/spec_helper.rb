# SPDX-License-Identifier: MIT
# rspec-puppet for the module hostfish, run from tests/integration/puppet-spec.test (or `rspec`
# in this directory): the module path is the directory holding this module.
require 'rspec-puppet'
require 'puppet/resource_api'

RSpec.configure do |c|
  c.module_path = File.expand_path('../..', __dir__)
  c.mock_with :rspec
end

$LOAD_PATH.unshift(File.expand_path('../lib', __dir__))
