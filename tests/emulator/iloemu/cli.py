# SPDX-License-Identifier: MIT
"""Command line, start-up and shutdown of the emulator."""

import argparse
import os
import signal
import socket
import sys
import threading

from .emulator import Emulator
from . import events, gen7
from .faults import Fault
from .latency import Latency
from .server import EmulatorServer, make_tls_context
from .chif import SECURITY_STATES, ChifServer
from .ipmi import IpmiServer
from .query import FEATURES, UNSUPPORTED
from .sessions import ROLES

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
LOG_SIGNALS = {signal.SIGUSR1, signal.SIGUSR2}  # logs.py: an entry in every log, an IML repeat
# SIGRTMIN, the --post control: the emulated server boots (POST) and UEFI runs the update task
# queue (fwrepo.py); SIGUSR1 and SIGUSR2 belong to logs.py
POST_SIGNAL = signal.SIGRTMIN
# "outside" is no iLO's behaviour (invented here): a hostile or broken BMC whose login answer
# names a session outside the Sessions collection, in Location and in the body's @odata.id
LOCATION_STYLES = ("absolute", "path", "relative", "noslash", "none", "outside")


def parse_listen(value):
    host, sep, port = value.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % value)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        port = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError("bad port in %r" % value) from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("port out of range in %r" % value)
    return host, port


def parse_user(value):
    parts = value.split(":")
    if len(parts) < 2 or not parts[0]:
        raise argparse.ArgumentTypeError("expected NAME:PASSWORD[:ROLE], got %r" % value)
    if len(parts) >= 3 and parts[-1] in ROLES:
        return parts[0], (":".join(parts[1:-1]), parts[-1])
    return parts[0], (":".join(parts[1:]), "Administrator")


def parse_cert_user(value):
    fp, sep, user = value.partition("=")
    digits = fp.replace(":", "").strip().lower()
    if not sep or not user or len(digits) != 64 or any(c not in "0123456789abcdef" for c in digits):
        raise argparse.ArgumentTypeError("expected SHA256HEX=USER, got %r" % value)
    return digits, user


def parse_fault(value):
    try:
        Fault(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def parse_latency(value):
    try:
        return Latency(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(value):
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("not an integer: %r" % value) from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return n


def positive_float(value):
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number: %r" % value) from None
    if n <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return n


def build_parser(default_mockup):
    p = argparse.ArgumentParser(prog="ilo-emulator",
                                description="Emulated HPE iLO 5 Redfish service (for tests).")
    p.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 8443), metavar="HOST:PORT")
    p.add_argument("--port-file", metavar="FILE")
    p.add_argument("--tls-cert", metavar="FILE")
    p.add_argument("--tls-key", metavar="FILE")
    p.add_argument("--client-ca", metavar="FILE")
    p.add_argument("--cert-user", type=parse_cert_user, action="append", default=[],
                   metavar="SHA256HEX=USER")
    p.add_argument("--mockup", default=default_mockup, metavar="DIR")
    p.add_argument("--user", type=parse_user, action="append", default=[],
                   metavar="NAME:PASSWORD[:ROLE]")
    p.add_argument("--max-sessions", type=positive_int, default=10, metavar="N")
    p.add_argument("--session-timeout", type=positive_float, default=1800.0, metavar="SEC")
    p.add_argument("--error-dialect", choices=("ilo", "dmtf"), default="ilo")
    p.add_argument("--session-location", choices=LOCATION_STYLES, default="absolute")
    p.add_argument("--state-file", metavar="FILE")
    p.add_argument("--fault", type=parse_fault, action="append", default=[], metavar="SPEC")
    p.add_argument("--log", metavar="FILE")
    p.add_argument("--latency", type=parse_latency, default=Latency(""), metavar="SPEC",
                   help="per-request time of a real iLO, e.g. get=150ms,post=400ms,"
                        "patch=400ms,delete=200ms,session=1s, or 'default' for those "
                        "(iloemu/latency.py); HTTPS requests only, no lock held")
    p.add_argument("--generation", type=int, choices=(5, 7), default=5,
                   help="7: iLO 7 (host interface only, authentication for every request, "
                        "application accounts)")
    p.add_argument("--chif-socket", metavar="PATH",
                   help="serve the CHIF emulator library on this Unix socket")
    p.add_argument("--security-state", choices=tuple(SECURITY_STATES), default="production",
                   help="iLO security state the CHIF channel enforces")
    # ipmi.py
    p.add_argument("--ipmi-socket", metavar="PATH",
                   help="serve the IPMI system interface (DSP0270 credential bootstrapping) "
                        "on this Unix socket, for tests/emulator/ipmi's LD_PRELOAD shim")
    p.add_argument("--bootstrap-limit", type=positive_int, default=4, metavar="N",
                   help="at most N live bootstrap accounts; more requests answer completion "
                        "code 80h (default 4)")
    # update.py, tasks.py
    p.add_argument("--update-state", default="Idle", metavar="STATE",
                   help="UpdateService Oem.Hpe.State before any upload (Uploading, Verifying, "
                        "Writing or Updating: busy, uploads are refused with 409)")
    p.add_argument("--update-fail", action="store_true",
                   help="uploads end in Oem.Hpe.State Error (HPE form), or a task in "
                        "Exception (DMTF multipart push)")
    p.add_argument("--update-seconds", type=positive_float, default=0.5, metavar="SEC",
                   help="how long Verifying and Writing each last after an upload "
                        "(default 0.5)")
    p.add_argument("--fwrepo-dir", metavar="DIR",
                   help="where the component repository keeps its files (default: fwrepo "
                        "next to --state-file, else a temporary directory)")
    p.add_argument("--multipart-push", action="store_true",
                   help="advertise MultipartHttpPushUri (DMTF multipart push: 202 + task)")
    p.add_argument("--task-action", metavar="PATH",
                   help="a POST to this action target answers 202 Accepted with a task "
                        "monitor (TaskService) instead of acting at once")
    p.add_argument("--task-seconds", type=positive_float, default=1.5, metavar="SEC",
                   help="how long a --task-action task runs (default 1.5)")
    p.add_argument("--task-fail", action="store_true",
                   help="--task-action tasks end in TaskState Exception with a message")
    # accounts.py
    p.add_argument("--accounts", action="store_true",
                   help="the users (--user) as AccountService accounts that POST, PATCH and "
                        "DELETE create, change and remove (iLO's local user database)")
    # reset.py
    p.add_argument("--reset-seconds", type=positive_float, default=3.0, metavar="SEC",
                   help="how long the BMC is gone after a reset (Manager.Reset, an HTTPS "
                        "certificate import, an iLO firmware flash; default 3)")
    p.add_argument("--reset-command", metavar="CMD",
                   help="run 'CMD down' when a reset starts and 'CMD up' before the BMC is "
                        "back (the host-interface test removes and re-creates its vNIC)")
    # logs.py
    p.add_argument("--log-interval", type=positive_float, metavar="SEC",
                   help="add an entry to every log service every SEC seconds (SIGUSR1 adds "
                        "one at once, SIGUSR2 repeats the IML's newest entry)")
    p.add_argument("--log-store", metavar="FILE",
                   help="keep the log services' entries in FILE across restarts")
    # query.py
    p.add_argument("--query-features", choices=FEATURES, default="ilo5",
                   help="what the service root's ProtocolFeaturesSupported advertises and the "
                        "service does: ilo5 (the mockup's: $expand=. with $levels 1, $select), "
                        "all (also $expand=* and ~), none (no $expand, no $select)")
    p.add_argument("--no-expand", dest="query_features", action="store_const", const="none",
                   help="same as --query-features none")
    p.add_argument("--unsupported-query", choices=UNSUPPORTED, default="ignore",
                   help="a $ query parameter the service does not support is silently "
                        "ignored (ignore: what HPE documents for iLO) or answered 501 "
                        "QueryNotSupported (501: DSP0266)")
    p.add_argument("--query-advertise-only", action="store_true",
                   help="advertise $expand/$select but do not implement them (answered as "
                        "--unsupported-query says): a BMC that claims what it does not do")
    # sensors.py
    p.add_argument("--sensor-step", type=float, default=0.0, metavar="D",
                   help="sensor readings (Thermal, Power, Sensors...) move by D on every read "
                        "of their resource, cycling through ten steps (default 0: static)")
    # events.py
    p.add_argument("--sse-drop-after", type=positive_int, metavar="N",
                   help="with --generation 7: cut each event stream after N events, in the "
                        "middle of the next one (the client must resume from the last whole "
                        "event)")
    return p


def write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args = build_parser(os.path.join(here, "mockups", "ilo5")).parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        print("ilo-emulator: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    if args.client_ca and not args.tls_cert:
        print("ilo-emulator: --client-ca needs --tls-cert/--tls-key", file=sys.stderr)
        return 2
    users = dict(args.user) if args.user else {"Administrator": ("emulator", "Administrator")}
    # Block SIGTERM/SIGINT in every thread; the main thread collects them with sigwait().
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS | LOG_SIGNALS | {POST_SIGNAL})
    try:
        tls = make_tls_context(args.tls_cert, args.tls_key, args.client_ca) if args.tls_cert else None
        app = Emulator(args.mockup, users, args.max_sessions, args.session_timeout,
                       args.error_dialect, args.session_location, dict(args.cert_user),
                       args.fault, args.state_file, args.log, "https" if tls else "http")
        app.certs.attach_tls(tls, args.tls_cert, bool(args.client_ca or args.cert_user))
        app.install_extensions(args)
        app.latency = args.latency
        if args.generation == 7:
            gen7.apply(app)
            events.apply(app, args.sse_drop_after)
        host, port = args.listen
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server = EmulatorServer((host, port), family, app, tls)
        chif = ChifServer(args.chif_socket, app, args.security_state) if args.chif_socket else None
        ipmi = IpmiServer(args.ipmi_socket, app, args.bootstrap_limit) if args.ipmi_socket else None
        app.state.write(strict=True)
        if args.port_file:
            write_port_file(args.port_file, server.server_address[1])
    except (OSError, ValueError) as exc:
        print("ilo-emulator: %s" % exc, file=sys.stderr)
        return 2

    stop = threading.Event()
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                               name="serve", daemon=True)
    serving.start()
    app.reset.attach(server, chif, serving)
    if chif is not None:
        threading.Thread(target=chif.serve_forever, name="chif", daemon=True).start()
    if ipmi is not None:
        threading.Thread(target=ipmi.serve_forever, name="ipmi", daemon=True).start()
    reaper = threading.Thread(target=_reap, args=(app, stop), name="reaper", daemon=True)
    reaper.start()
    while True:
        signo = signal.sigwait(STOP_SIGNALS | LOG_SIGNALS | {POST_SIGNAL})
        if signo in STOP_SIGNALS:
            break
        if signo == POST_SIGNAL:
            with app.lock:
                app.fwrepo.post()
            app.state.write()
        elif signo == signal.SIGUSR1:
            app.logs.append_all()
        else:
            app.logs.repeat_iml()
    stop.set()
    server.shutdown()
    if chif is not None:
        chif.shutdown()
    if ipmi is not None:
        ipmi.shutdown()
    server.server_close()
    app.state.write()
    app.state.close()
    app.fwrepo.close()
    return 0


def _reap(app, stop):
    """Expire idle sessions even when no request arrives."""
    while not stop.wait(0.1):
        app.reap()
