# SPDX-License-Identifier: MIT
require 'spec_helper'

describe 'hostfish::settings' do
  context 'without settings' do
    it { is_expected.to compile.with_all_deps }
    it { is_expected.to have_hostfish_setting_resource_count(0) }
  end

  context 'with settings and a connection' do
    let(:params) do
      {
        settings: {
          '/redfish/v1/Systems/1/' => { 'AssetTag' => 'rack12-u07' },
          '/redfish/v1/Systems/1/Bios/' => { 'Attributes' => { 'WorkloadProfile' => 'Virtualization-MaxPerformance' } },
        },
        connection: { 'url' => 'https://ilo.example', 'user' => 'puppet', 'password_file' => '/etc/hostfish/pw' },
      }
    end

    it { is_expected.to compile.with_all_deps }
    it { is_expected.to have_hostfish_setting_resource_count(2) }
    it do
      is_expected.to contain_hostfish_setting('/redfish/v1/Systems/1/').with(
        properties: { 'AssetTag' => 'rack12-u07' },
        url: 'https://ilo.example', user: 'puppet', password_file: '/etc/hostfish/pw',
      )
    end
    it do
      is_expected.to contain_hostfish_setting('/redfish/v1/Systems/1/Bios/')
        .with_properties('Attributes' => { 'WorkloadProfile' => 'Virtualization-MaxPerformance' })
    end
  end

  context 'with a path outside /redfish/v1/' do
    let(:params) { { settings: { '/etc/passwd' => { 'x' => 1 } } } }

    it { is_expected.to compile.and_raise_error(%r{settings}) }
  end

  context 'with an unknown connection option' do
    let(:params) { { connection: { 'password' => 'secret' } } }

    it { is_expected.to compile.and_raise_error(%r{connection}) }
  end
end
