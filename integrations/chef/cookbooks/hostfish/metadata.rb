# SPDX-License-Identifier: MIT
name 'hostfish'
maintainer 'hostfish developers'
license 'MIT'
description "This server's own BMC managed from the server through hostfish: hostfish_settings, hostfish_account, hostfish_firmware and an Ohai plugin"
version '1.0.0'
chef_version '>= 16.0'
supports 'debian'
supports 'redhat'
