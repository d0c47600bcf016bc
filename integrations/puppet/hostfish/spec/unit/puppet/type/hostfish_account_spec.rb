# SPDX-License-Identifier: MIT
require 'spec_helper'
require 'puppet/type/hostfish_account'

describe 'the hostfish_account type' do
  let(:type) { Puppet::Type.type(:hostfish_account) }

  it 'loads' do
    expect(type).not_to be_nil
  end

  it 'takes a role, a login state and a Sensitive password' do
    pw = Puppet::Pops::Types::PSensitiveType::Sensitive.new('s3cret-Pass')
    r = type.new(name: 'mon', role: 'Operator', enabled: false, account_password: pw)
    expect(r[:role]).to eq('Operator')
    expect(r[:enabled].to_s).to eq('false')
    expect(r[:ensure]).to eq(:present)
  end

  it 'refuses a password that is not Sensitive' do
    expect {
      type.new(name: 'mon', account_password: 's3cret-Pass')
    }.to raise_error(Puppet::ResourceError, %r{account_password})
  end

  it 'refuses a name with a control character' do
    expect {
      type.new(name: "mo\nn")
    }.to raise_error(Puppet::ResourceError, %r{name})
  end
end
