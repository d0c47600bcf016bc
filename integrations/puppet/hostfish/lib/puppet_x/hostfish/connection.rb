# SPDX-License-Identifier: MIT
# puppet_x/hostfish/connection.rb - the attributes by which each type of the module reaches the
# BMC (hostfish's connection options), declared once; a type merges them after its own.  Only
# the description of user differs from type to type.
module PuppetX
  module Hostfish
    def self.connection_attributes(user_desc)
      {
        hostfish: {
          type: 'Optional[String]',
          desc: 'The hostfish program (default: hostfish in the PATH).',
          behaviour: :parameter,
        },
        url: {
          type: 'Optional[String]',
          desc: 'A BMC reached over the network (--url); leave it out on the server itself.',
          behaviour: :parameter,
        },
        transport: {
          type: 'Optional[Enum[auto, agent, https, hostif, chif]]',
          desc: 'The way to the BMC (--transport).',
          behaviour: :parameter,
        },
        user: {
          type: 'Optional[String]',
          desc: user_desc,
          behaviour: :parameter,
        },
        password_file: {
          type: 'Optional[String]',
          desc: 'A file whose first line is the password of user (--password-file); the password never goes on a command line.',
          behaviour: :parameter,
        },
        cacert: {
          type: 'Optional[String]',
          desc: "CA certificate that signed the BMC's certificate (--cacert); TLS is always verified.",
          behaviour: :parameter,
        },
      }
    end
  end
end
