# SPDX-License-Identifier: MIT
# The account provider's decisions from hostfish's report and exit code, with hostfish itself
# replaced by a script that answers as hostfish would (tests/integration/puppet-account.test
# runs the real one): the password goes to stdin only, --noop's check is a dry run.
require 'spec_helper'
require 'json'
require 'tmpdir'
module Puppet::Provider::HostfishAccount; end
require 'puppet/provider/hostfish_account/hostfish_account'

describe Puppet::Provider::HostfishAccount::HostfishAccount do
  subject(:provider) { described_class.new }

  let(:context) { instance_double('Puppet::ResourceApi::BaseContext', 'context') }
  let(:dir) { Dir.mktmpdir }

  after { FileUtils.remove_entry(dir) }

  # a hostfish that prints REPORT, exits RC and records its argv and stdin
  def fake_hostfish(report, rc)
    prog = File.join(dir, 'hostfish')
    File.write(prog, <<~SH)
      #!/bin/sh
      echo "$@" >>#{dir}/argv
      cat >>#{dir}/stdin
      cat <<'EOF'
      #{JSON.generate(report)}
      EOF
      exit #{rc}
    SH
    File.chmod(0o755, prog)
    prog
  end

  def report(action, changed, changes = [])
    { 'user' => 'mon', 'action' => action, 'uri' => '/redfish/v1/AccountService/Accounts/3/',
      'changed' => changed, 'dry_run' => action.start_with?('would'), 'changes' => changes }
  end

  def should(prog, **extra)
    { name: 'mon', ensure: 'present', role: 'Operator', hostfish: prog, user: 'admin', password_file: '/pw',
      account_password: Puppet::Pops::Types::PSensitiveType::Sensitive.new('s3cret-Pass') }.merge(extra)
  end

  def argv
    File.read(File.join(dir, 'argv'))
  end

  it 'get reports the account asked for' do
    expect(provider.get(context, ['mon'])).to eq([{ name: 'mon', ensure: 'present' }])
  end

  it 'is in sync when the dry run changes nothing; the password on stdin only' do
    prog = fake_hostfish(report('unchanged', false), 0)
    expect(provider.insync?(context, 'mon', :ensure, {}, should(prog))).to be(true)
    expect(argv).to include('account ensure mon --role Operator --password-file - --dry-run')
    expect(argv).to include('--password-file /pw')
    expect(argv).not_to include('s3cret-Pass')
    expect(File.read(File.join(dir, 'stdin'))).to eq("s3cret-Pass\n")
  end

  it 'is out of sync, saying what would change' do
    prog = fake_hostfish(report('would_update', true, ['RoleId', 'Password']), 0)
    allow(context).to receive(:notice)
    result, message = provider.insync?(context, 'mon', :ensure, {}, should(prog))
    expect(result).to be(false)
    expect(message).to eq('update account mon (Password, RoleId)')
  end

  it 'leaves the other properties to ensure' do
    expect(provider.insync?(context, 'mon', :role, {}, should('/nonexistent'))).to be(true)
  end

  it 'fails the resource with hostfish exit code' do
    prog = fake_hostfish({}, 2)
    expect {
      provider.insync?(context, 'mon', :ensure, {}, should(prog))
    }.to raise_error(Puppet::ResourceError, %r{exit 2 \(the BMC refused})
  end

  it 'set deletes an absent account without --dry-run' do
    prog = fake_hostfish(report('deleted', true), 0)
    allow(context).to receive(:updating).and_yield
    allow(context).to receive(:notice)
    provider.set(context, 'mon' => { is: { name: 'mon', ensure: 'present' },
                                     should: should(prog, ensure: 'absent') })
    expect(argv).to include('account absent mon')
    expect(argv).not_to include('--dry-run')
    expect(argv).not_to include('--role')
    expect(context).to have_received(:notice).with('deleted account mon')
  end
end
