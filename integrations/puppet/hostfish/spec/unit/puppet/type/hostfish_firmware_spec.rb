# SPDX-License-Identifier: MIT
require 'spec_helper'
require 'puppet/type/hostfish_firmware'

describe 'the hostfish_firmware type' do
  let(:type) { Puppet::Type.type(:hostfish_firmware) }

  it 'loads' do
    expect(type).not_to be_nil
  end

  it 'takes a package path and the flash options; status defaults to current' do
    r = type.new(package: '/srv/fw/ilo5_272.fwpkg', compsig: '/srv/fw/ilo5_272.compsig', tpm_override: true,
                 recovery_set: true, wait_timeout: 1800)
    expect(r[:package]).to eq('/srv/fw/ilo5_272.fwpkg')
    expect(r[:status]).to eq('current')
    expect(r[:tpm_override]).to be(true)
    expect(r[:wait_timeout]).to eq(1800)
  end

  it 'refuses a relative package path (hostfish would read it as an option or from another directory)' do
    expect {
      type.new(package: '--dry-run')
    }.to raise_error(Puppet::ResourceError, %r{package})
  end

  it 'refuses a package path with a control character' do
    expect {
      type.new(package: "/srv/fw/a\n.fwpkg")
    }.to raise_error(Puppet::ResourceError, %r{package})
  end

  it 'refuses another status' do
    expect {
      type.new(package: '/srv/fw/a.fwpkg', status: 'absent')
    }.to raise_error(Puppet::ResourceError, %r{status})
  end

  it 'takes the agent transport (hostfishd streams the upload)' do
    expect(type.new(package: '/srv/fw/a.fwpkg', transport: 'agent')[:transport]).to eq('agent')
  end

  it 'refuses an unknown transport' do
    expect {
      type.new(package: '/srv/fw/a.fwpkg', transport: 'ipmi')
    }.to raise_error(Puppet::ResourceError, %r{transport})
  end

  it 'refuses a wait_timeout over 24 hours' do
    expect {
      type.new(package: '/srv/fw/a.fwpkg', wait_timeout: 86_401)
    }.to raise_error(Puppet::ResourceError, %r{wait_timeout})
  end
end
