# SPDX-License-Identifier: MIT
# The firmware provider's decisions from hostfish's report and exit code, with hostfish itself
# replaced by a script that answers as hostfish would (tests/integration/puppet-firmware.test
# runs the real one): the comparison is a dry run, the flash runs with --if-different --wait.
require 'spec_helper'
require 'json'
require 'tmpdir'
module Puppet::Provider::HostfishFirmware; end
require 'puppet/provider/hostfish_firmware/hostfish_firmware'

describe Puppet::Provider::HostfishFirmware::HostfishFirmware do
  subject(:provider) { described_class.new }

  let(:context) { instance_double('Puppet::ResourceApi::BaseContext', 'context') }
  let(:dir) { Dir.mktmpdir }
  let(:pkg) { '/srv/fw/ilo5_272.fwpkg' }

  after { FileUtils.remove_entry(dir) }

  # a hostfish that prints REPORT, exits RC and records its argv
  def fake_hostfish(report, rc)
    prog = File.join(dir, 'hostfish')
    File.write(prog, <<~SH)
      #!/bin/sh
      echo "$@" >>#{dir}/argv
      cat <<'EOF'
      #{report.nil? ? '' : JSON.generate(report)}
      EOF
      exit #{rc}
    SH
    File.chmod(0o755, prog)
    prog
  end

  def report(outcome, changed, old = '2.70 May 16 2022')
    { 'File' => pkg, 'Type' => 'A', 'Outcome' => outcome, 'Changed' => changed,
      'Current' => !changed, 'Pending' => false,
      'Versions' => [{ '@odata.id' => '/redfish/v1/UpdateService/FirmwareInventory/1/', 'Name' => 'iLO 5',
                       'Old' => old, 'New' => '2.72' }] }
  end

  def should(prog, **extra)
    { package: pkg, status: 'current', hostfish: prog, url: 'https://bmc', user: 'admin', password_file: '/pw',
      tpm_override: false, recovery_set: false }.merge(extra)
  end

  def argv
    File.read(File.join(dir, 'argv'))
  end

  it 'get reports the package asked for' do
    expect(provider.get(context, [pkg])).to eq([{ package: pkg, status: 'current' }])
  end

  it 'is in sync when the dry run would send nothing' do
    prog = fake_hostfish(report('dry-run', false, '2.72'), 0)
    expect(provider.insync?(context, pkg, :status, {}, should(prog))).to be(true)
    expect(argv).to include("firmware flash --if-different --dry-run #{pkg}")
    expect(argv).to include('--url https://bmc')
    expect(argv).not_to include('--wait')
  end

  it 'is in sync when a type C package already waits in the task queue' do
    prog = fake_hostfish(report('dry-run', false).merge('Type' => 'C', 'Current' => false, 'Pending' => true), 0)
    expect(provider.insync?(context, pkg, :status, {}, should(prog))).to be(true)
  end

  it 'is out of sync, naming the installed and the package versions' do
    prog = fake_hostfish(report('dry-run', true), 0)
    allow(context).to receive(:notice)
    result, message = provider.insync?(context, pkg, :status, {}, should(prog))
    expect(result).to be(false)
    expect(message).to eq("flash #{pkg} (type A, iLO 5 2.70 May 16 2022 -> 2.72)")
  end

  it 'shows a control character from the BMC escaped, never raw' do
    prog = fake_hostfish(report('dry-run', true, "2.70\e[31m"), 0)
    allow(context).to receive(:notice)
    _result, message = provider.insync?(context, pkg, :status, {}, should(prog))
    expect(message).to include('2.70\x1b[31m')
    expect(message).not_to include("\e")
  end

  it 'fails the resource with hostfish exit code' do
    prog = fake_hostfish(nil, 2)
    expect {
      provider.insync?(context, pkg, :status, {}, should(prog))
    }.to raise_error(Puppet::ResourceError, %r{exit 2 \(the BMC refused})
  end

  it 'fails the resource when hostfish prints no JSON' do
    prog = fake_hostfish(nil, 0)
    expect {
      provider.insync?(context, pkg, :status, {}, should(prog))
    }.to raise_error(Puppet::ResourceError, %r{no JSON})
  end

  it 'set flashes with --if-different --wait and the options, without --dry-run' do
    prog = fake_hostfish(report('flashed', true), 0)
    allow(context).to receive(:updating).and_yield
    allow(context).to receive(:notice)
    provider.set(context, pkg => { is: { package: pkg, status: 'current' },
                                   should: should(prog, compsig: '/srv/fw/x.compsig', tpm_override: true,
                                                        recovery_set: true, wait_timeout: 600) })
    expect(argv).to include('firmware flash --if-different --wait --wait-timeout 600 --compsig /srv/fw/x.compsig ' \
                            "--tpm-override --recovery-set #{pkg}")
    expect(argv).not_to include('--dry-run')
    expect(context).to have_received(:notice).with("flashed #{pkg} (type A, iLO 5 2.70 May 16 2022 -> 2.72)")
  end

  it 'set fails the resource when the BMC fails the flash (exit 3)' do
    prog = fake_hostfish(nil, 3)
    allow(context).to receive(:updating).and_yield
    expect {
      provider.set(context, pkg => { is: {}, should: should(prog) })
    }.to raise_error(Puppet::ResourceError, %r{exit 3})
  end
end
