# SPDX-License-Identifier: MIT
# The provider's decisions from hostfish's report and exit code, with hostfish itself replaced
# by a script that answers as hostfish would (tests/integration/puppet.test runs the real one).
require 'spec_helper'
require 'json'
require 'tmpdir'
# Puppet defines the provider's namespace when it loads the type; outside a run, do it here
module Puppet::Provider::HostfishSetting; end
require 'puppet/provider/hostfish_setting/hostfish_setting'

describe Puppet::Provider::HostfishSetting::HostfishSetting do
  subject(:provider) { described_class.new }

  let(:context) { instance_double('Puppet::ResourceApi::BaseContext', 'context') }
  let(:dir) { Dir.mktmpdir }
  let(:path) { '/redfish/v1/Systems/1/' }

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

  def report(status, changed)
    { 'changed' => changed, 'failed' => status == 'failed', 'resources' => [
      { 'path' => path, 'status' => status,
        'changes' => [{ 'property' => '/AssetTag', 'old' => 'a', 'new' => 'b' }] },
    ] }
  end

  def should(prog)
    { path: path, properties: { 'AssetTag' => 'b' }, hostfish: prog, user: 'admin', password_file: '/pw' }
  end

  it 'get names the resources only' do
    expect(provider.get(context, [path])).to eq([{ path: path }])
  end

  it 'is in sync when the dry run changes nothing' do
    prog = fake_hostfish(report('unchanged', false), 0)
    expect(provider.insync?(context, path, :properties, {}, should(prog))).to be(true)
    argv = File.read(File.join(dir, 'argv'))
    expect(argv).to include('--dry-run')
    expect(argv).to include('--password-file /pw')
    expect(JSON.parse(File.read(File.join(dir, 'stdin')))).to eq(path => { 'AssetTag' => 'b' })
  end

  it 'is out of sync, with the JSON Pointer, when the dry run would change' do
    prog = fake_hostfish(report('would_change', true), 2)
    result, message = provider.insync?(context, path, :properties, {}, should(prog))
    expect(result).to be(false)
    expect(message).to include('/redfish/v1/Systems/1/#/AssetTag: "a" -> "b"')
  end

  it 'fails the resource when hostfish reports a failure' do
    prog = fake_hostfish(report('failed', false), 4)
    expect {
      provider.insync?(context, path, :properties, {}, should(prog))
    }.to raise_error(Puppet::ResourceError, %r{exit 4 \(failed\)})
  end

  it 'set applies without --dry-run' do
    prog = fake_hostfish(report('changed', true), 2)
    allow(context).to receive(:updating).and_yield
    allow(context).to receive(:info)
    provider.set(context, path => { is: { path: path }, should: should(prog) })
    expect(File.read(File.join(dir, 'argv'))).not_to include('--dry-run')
    expect(context).to have_received(:info).with(%r{changed /redfish/v1/Systems/1/#/AssetTag})
  end
end
