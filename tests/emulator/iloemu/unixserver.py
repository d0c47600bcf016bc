# SPDX-License-Identifier: MIT
"""A Unix-socket server for the emulator's host-side channels (CHIF, IPMI): a private socket,
one thread per connection, and a shutdown that unblocks accept() and removes the socket."""

import os
import socket
import threading


class UnixServer:
    """Subclasses define serve_conn(conn); thread_name names the connection threads."""

    thread_name = "unix"

    def __init__(self, path, backlog):
        self.path = path
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o600)
        self.sock.listen(backlog)
        self.stopping = False

    def serve_forever(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                if self.stopping:
                    return
                continue
            threading.Thread(target=self.serve_conn, args=(conn,), daemon=True,
                             name=self.thread_name).start()

    def shutdown(self):
        self.stopping = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def serve_conn(self, conn):
        raise NotImplementedError
