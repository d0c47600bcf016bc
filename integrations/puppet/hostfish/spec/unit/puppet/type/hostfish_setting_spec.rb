# SPDX-License-Identifier: MIT
require 'spec_helper'
require 'puppet/type/hostfish_setting'

describe 'the hostfish_setting type' do
  it 'loads' do
    expect(Puppet::Type.type(:hostfish_setting)).not_to be_nil
  end

  it 'takes a resource path and a hash of properties' do
    r = Puppet::Type.type(:hostfish_setting).new(path: '/redfish/v1/Systems/1/', properties: { 'AssetTag' => 'x' })
    expect(r[:properties]).to eq('AssetTag' => 'x')
  end

  it 'refuses a path outside /redfish/v1/' do
    expect {
      Puppet::Type.type(:hostfish_setting).new(path: 'Systems/1', properties: {})
    }.to raise_error(Puppet::ResourceError, %r{path})
  end

  it 'refuses an unknown transport' do
    expect {
      Puppet::Type.type(:hostfish_setting).new(path: '/redfish/v1/Systems/1/', properties: {}, transport: 'telnet')
    }.to raise_error(Puppet::ResourceError, %r{transport})
  end
end
