# SPDX-License-Identifier: MIT
"""Certificates and licence of the emulated iLO 5, as HPE documents them.

- HttpsCert (/redfish/v1/Managers/1/SecurityService/HttpsCert/): HpeHttpsCert.GenerateCSR
  makes a key pair and a CSR in the background (iLO: "wait a few minutes, up to 10, then GET:
  CertificateSigningRequest is filled"); here the CSR is made by the openssl binary and shows
  up after CSR_GETS reads of the resource (environment ILOEMU_CSR_GETS, default 2), so that
  clients must poll.  HpeHttpsCert.ImportCertificate takes a PEM certificate for that key and,
  as a real iLO does, resets the iLO to apply it (reset.py): once it is back, new TLS
  handshakes present it and X509CertificateInformation describes it.
- CertificateAuthentication (HpeCertAuth): CertificateLoginEnabled needs an iLO Advanced
  licence (else iLO.2.x.LicenseKeyRequired); HpeCertAuth.ImportCACertificate adds a CA that
  client certificates may chain to (loaded into the live TLS context: new handshakes verify
  against it) and lists it in CACertificates.
- AccountService/UserCertificateMapping (HpeiLOAccountCertificateMap): POST {UserName,
  Fingerprint} maps a certificate's SHA-256 fingerprint to a local user.
- Certificate login (/html/login_cert.html) works only when enabled, with a client certificate
  that TLS verified against a CA given at start (--client-ca) or imported, whose fingerprint is
  mapped here or given at start (--cert-user).  Starting with either option means a
  pre-configured iLO: certificate login starts enabled.
- LicenseService: POST {"LicenseKey"} installs a key.  ADVANCED_KEY below is "the emulator's
  Advanced key": any other well-formed key is refused with iLO.2.x.InvalidLicenseKey, a
  malformed one with Base PropertyValueFormatError.  DELETE of the licence member removes it
  (back to iLO Standard), so that tests can check what needs the Advanced licence.
- State file: "certs": {"license", "cert_login_enabled", "ca_certificates" (imported at run
  time), "https_cert_imports", "csr_pending"}.
"""

import hashlib
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import threading

from .errors import ApiError
from .service import Response, parse_json_object

# The emulator's iLO Advanced key (format of HPE's keys: 5 groups of 5 letters or digits).
ADVANCED_KEY = "HFEMU-ADVAN-CED00-00000-00001"
KEY_RE = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$")
CSR_GETS = int(os.environ.get("ILOEMU_CSR_GETS", "2"))
OPENSSL_TIMEOUT = 30
MAX_PEM = 64 << 10

HTTPS_CERT = "/redfish/v1/Managers/1/SecurityService/HttpsCert"
CERT_AUTH = "/redfish/v1/Managers/1/SecurityService/CertificateAuthentication"
CA_CERTS = CERT_AUTH + "/CACertificates"
LICENSES = "/redfish/v1/Managers/1/LicenseService"
LICENSE = LICENSES + "/1"
USER_MAP = "/redfish/v1/AccountService/UserCertificateMapping"
GEN_CSR = HTTPS_CERT + "/Actions/HpeHttpsCert.GenerateCSR"
IMPORT_CERT = HTTPS_CERT + "/Actions/HpeHttpsCert.ImportCertificate"
IMPORT_CA = CERT_AUTH + "/Actions/HpeCertAuth.ImportCACertificate"
PEM_CERT_RE = re.compile(r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----")
NAMEOPT = "sep_comma_plus_space,space_eq,dn_rev,utf8,esc_ctrl"


def _openssl(args, stdin=None):
    """Run openssl; (stdout text) or None when it fails."""
    try:
        proc = subprocess.run(["openssl"] + args, input=stdin, capture_output=True,
                              timeout=OPENSSL_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace")


def cert_info(pem):
    """X509CertificateInformation of a PEM certificate (iLO's formats), or None."""
    out = _openssl(["x509", "-noout", "-subject", "-issuer", "-serial", "-startdate",
                    "-enddate", "-nameopt", NAMEOPT, "-dateopt", "iso_8601"], pem.encode())
    if out is None:
        return None
    fields = {}
    for line in out.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            fields[name.strip()] = value.strip()
    serial = fields.get("serial", "").lower()
    if len(serial) % 2:
        serial = "0" + serial

    def iso(v):  # "2026-11-24 23:32:46Z" -> "2026-11-24T23:32:46Z"
        return v.replace(" ", "T")

    return {
        "Issuer": fields.get("issuer", ""),
        "SerialNumber": ":".join(serial[i:i + 2] for i in range(0, len(serial), 2)),
        "Subject": fields.get("subject", ""),
        "ValidNotAfter": iso(fields.get("notAfter", "")),
        "ValidNotBefore": iso(fields.get("notBefore", "")),
    }


def public_key(pem, is_key=False):
    args = ["pkey", "-pubout"] if is_key else ["x509", "-noout", "-pubkey"]
    return _openssl(args, pem.encode())


def pem_fingerprint(pem):
    """SHA-256 hex (lower, no colons) of a PEM certificate, or None."""
    der = None
    try:
        der = ssl.PEM_cert_to_DER_cert(pem.strip() + "\n")
    except ValueError:
        return None
    return hashlib.sha256(der).hexdigest()


def norm_fp(value):
    return str(value).replace(":", "").strip().lower()


class Certs:
    """The extension; state under the emulator lock."""

    def __init__(self, emulator):
        self.emu = emulator
        self.tree = emulator.tree
        self.tls = None             # the live server SSLContext
        self.csr_key = None         # PEM private key of the last GenerateCSR
        self.csr_pending = None     # {"csr": str|None, "gets": n, "failed": bool}
        self.ca_pems = []           # CA certificates imported at run time
        self.imports = 0
        self.ilo = emulator.errors.registries.version_prefix("iLO", "iLO.2.14")
        emulator.state.extras["certs"] = self.snapshot

    def snapshot(self):
        lic = self.tree.get_data(LICENSE) or {}
        auth = self.tree.get_data(CERT_AUTH) or {}
        return {
            "license": lic.get("License"),
            "cert_login_enabled": auth.get("CertificateLoginEnabled"),
            "ca_certificates": len(self.ca_pems),
            "https_cert_imports": self.imports,
            "csr_pending": self.csr_pending is not None and self.csr_pending["csr"] is None,
        }

    # ---- start-up ----------------------------------------------------
    def attach_tls(self, ctx, cert_file, preconfigured):
        """The server's TLS context and certificate; preconfigured: --client-ca or
        --cert-user were given (certificate login starts enabled)."""
        self.tls = ctx
        if cert_file:
            try:
                with open(cert_file, encoding="ascii", errors="replace") as fh:
                    info = cert_info(fh.read())
            except OSError:
                info = None
            data = self.tree.get_data(HTTPS_CERT)
            if info and isinstance(data, dict):
                data["X509CertificateInformation"] = info
                self.tree._new_etag(data)
        if preconfigured:
            data = self.tree.get_data(CERT_AUTH)
            if isinstance(data, dict):
                data["CertificateLoginEnabled"] = True
                self.tree._new_etag(data)

    # ---- helpers -----------------------------------------------------
    def mid(self, name):
        return "%s.%s" % (self.ilo, name)

    def advanced(self):
        lic = self.tree.get_data(LICENSE) or {}
        return "Advanced" in str(lic.get("License", ""))

    def cert_user(self, fp_hex, started_with):
        """User mapped to a client certificate (called by the service's cert login)."""
        auth = self.tree.get_data(CERT_AUTH) or {}
        if not auth.get("CertificateLoginEnabled"):
            return None
        coll = self.tree.get_data(USER_MAP) or {}
        for m in coll.get("Members", []):
            data = self.tree.get_data(self.tree.key(str(m.get("@odata.id", "")))) or {}
            if norm_fp(data.get("Fingerprint", "")) == fp_hex:
                return data.get("UserName")
        return started_with

    @staticmethod
    def _pem_arg(body, action):
        pem = body.get("Certificate")
        if pem is None:
            raise ApiError(400, "ActionParameterMissing", [action, "Certificate"])
        if not isinstance(pem, str) or len(pem) > MAX_PEM:
            raise ApiError(400, "ActionParameterValueFormatError", ["Certificate", "Certificate", action])
        return pem

    # ---- dispatch ----------------------------------------------------
    def handle(self, service, req, key, auth):
        m = req.method
        if key == HTTPS_CERT and m in ("GET", "HEAD"):
            return self.get_https_cert(service, key)
        if key == GEN_CSR and m == "POST":
            return self.generate_csr(service, req)
        if key == IMPORT_CERT and m == "POST":
            return self.import_cert(service, req)
        if key == IMPORT_CA and m == "POST":
            return self.import_ca(service, req)
        if key == CERT_AUTH and m == "PATCH":
            return self.patch_cert_auth(service, req, key)
        if key == USER_MAP and m == "POST":
            return self.map_user(service, req, key)
        if key == LICENSES and m == "POST":
            return self.install_license(service, req)
        if key == LICENSE and m == "DELETE":
            return self.remove_license(service)
        return None

    # ---- HTTPS certificate -------------------------------------------
    def get_https_cert(self, service, key):
        data = self.tree.get_data(key)
        pend = self.csr_pending
        if data is not None and pend is not None and pend["csr"] is not None:
            pend["gets"] += 1
            if pend["gets"] > CSR_GETS:
                data["CertificateSigningRequest"] = pend["csr"]
                self.tree._new_etag(data)
                self.csr_pending = None
        return service.get_resource(key, None)

    def generate_csr(self, service, req):
        action = "HpeHttpsCert.GenerateCSR"
        body = parse_json_object(req.body)
        fields = {}
        for name in ("CommonName", "Country", "State", "City", "OrgName", "OrgUnit"):
            value = body.get(name)
            if value is None:
                if name != "OrgUnit":
                    raise ApiError(400, "ActionParameterMissing", [action, name])
                continue
            if not isinstance(value, str) or not value or len(value) > 64 or \
                    any(ord(c) < 32 or ord(c) == 127 for c in value):
                raise ApiError(400, "ActionParameterValueFormatError", [str(value), name, action])
            fields[name] = value
        if not re.match(r"^[A-Z]{2}$", fields["Country"]):
            raise ApiError(400, "ActionParameterValueFormatError", [fields["Country"], "Country", action])
        include_ip = body.get("IncludeIP", False)
        if not isinstance(include_ip, bool):
            raise ApiError(400, "ActionParameterValueFormatError", [str(include_ip), "IncludeIP", action])
        for name in body:
            if name not in ("CommonName", "Country", "State", "City", "OrgName", "OrgUnit", "IncludeIP"):
                raise ApiError(400, "ActionParameterUnknown", [action, name])
        data = self.tree.get_data(HTTPS_CERT)
        data["CertificateSigningRequest"] = None
        self.tree._new_etag(data)
        pend = {"csr": None, "gets": 0}
        self.csr_pending = pend
        threading.Thread(target=self._make_csr, args=(pend, fields, include_ip),
                         name="csr", daemon=True).start()
        return Response(200, service.errors.body(self.mid("GeneratingCertificate")))

    def _make_csr(self, pend, fields, include_ip):
        def esc(v):
            return "".join("\\" + c if not c.isalnum() else c for c in v)

        order = [("C", "Country"), ("ST", "State"), ("L", "City"), ("O", "OrgName"),
                 ("OU", "OrgUnit"), ("CN", "CommonName")]
        subj = "".join("/%s=%s" % (k, esc(fields[n])) for k, n in order if n in fields)
        tmp = tempfile.mkdtemp(prefix="iloemu-csr-")
        try:
            keyf, csrf = os.path.join(tmp, "key.pem"), os.path.join(tmp, "csr.pem")
            args = ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-utf8", "-keyout", keyf, "-out", csrf, "-subj", subj]
            if include_ip:
                args += ["-addext", "subjectAltName=IP:127.0.0.1"]
            ok = _openssl(args) is not None
            csr = key = None
            if ok:
                with open(csrf, encoding="ascii") as fh:
                    csr = fh.read()
                with open(keyf, encoding="ascii") as fh:
                    key = fh.read()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        with self.emu.lock:
            if self.csr_pending is not pend:
                return  # superseded by a newer request
            if not ok:
                self.csr_pending = None
                return
            self.csr_key = key
            pend["csr"] = csr

    def import_cert(self, service, req):
        action = "HpeHttpsCert.ImportCertificate"
        pem = self._pem_arg(parse_json_object(req.body), action)
        info = cert_info(pem) if PEM_CERT_RE.search(pem) else None
        if info is None or self.csr_key is None or \
                public_key(pem) != public_key(self.csr_key, is_key=True):
            # not a certificate, or not for the key of the last CSR
            raise ApiError(400, self.mid("ImportCertificateFailed"))
        key = self.csr_key
        if self.tls is not None:
            # checked now (a certificate the key does not fit is refused), used after the reset
            self._load(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), pem, key)

        def apply():
            # while the iLO is gone (reset.py): new handshakes present the new certificate,
            # and HttpsCert describes it
            if self.tls is not None:
                self._load(self.tls, pem, key)
            data = self.tree.get_data(HTTPS_CERT)
            data["X509CertificateInformation"] = info
            self.tree._new_etag(data)

        data = self.tree.get_data(HTTPS_CERT)
        data["CertificateSigningRequest"] = None
        self.tree._new_etag(data)
        self.imports += 1
        # the iLO resets itself to use it, once this answer is sent
        self.emu.reset.request("HTTPS certificate import", apply)
        return Response(200, service.errors.body(self.mid("ImportCertSuccessfuliLOResetinProgress")))

    def _load(self, ctx, pem, key):
        tmp = tempfile.mkdtemp(prefix="iloemu-cert-")
        try:
            certf, keyf = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            with open(certf, "w", encoding="ascii") as fh:
                fh.write(pem)
            with open(os.open(keyf, os.O_WRONLY | os.O_CREAT, 0o600), "w", encoding="ascii") as fh:
                fh.write(key)
            ctx.load_cert_chain(certf, keyf)
        except (OSError, ssl.SSLError):
            raise ApiError(400, self.mid("ImportCertificateFailed")) from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # ---- certificate login -------------------------------------------
    def import_ca(self, service, req):
        action = "HpeCertAuth.ImportCACertificate"
        pem = self._pem_arg(parse_json_object(req.body), action)
        match = PEM_CERT_RE.search(pem)
        info = cert_info(match.group(0)) if match else None
        if info is None:
            raise ApiError(400, self.mid("ImportCertificateFailed"))
        if self.tls is not None:
            try:
                self.tls.load_verify_locations(cadata=match.group(0))
            except (ssl.SSLError, ValueError):
                raise ApiError(400, self.mid("ImportCertificateFailed")) from None
            # from now on the server asks for client certificates (new handshakes)
            if self.tls.verify_mode == ssl.CERT_NONE:
                self.tls.verify_mode = ssl.CERT_OPTIONAL
        self.ca_pems.append(match.group(0))
        coll = self.tree.get_data(CA_CERTS)
        if isinstance(coll, dict):
            self.tree.create_member(CA_CERTS, dict(info))
        return Response(200, service.errors.body(self.mid("ImportCertSuccessful")))

    def patch_cert_auth(self, service, req, key):
        body = parse_json_object(req.body)
        if body.get("CertificateLoginEnabled") is True and not self.advanced():
            raise ApiError(400, self.mid("LicenseKeyRequired"))
        return None  # the generic PATCH does the rest (unknown properties, If-Match)

    def map_user(self, service, req, key):
        body = parse_json_object(req.body)
        for name in ("UserName", "Fingerprint"):
            if name not in body:
                raise ApiError(400, "PropertyMissing", [name])
        user, fp = body["UserName"], body["Fingerprint"]
        if not isinstance(user, str) or user not in service.sessions.users:
            raise ApiError(400, "PropertyValueNotInList", [str(user), "UserName"])
        digits = norm_fp(fp) if isinstance(fp, str) else ""
        if len(digits) != 64 or any(c not in "0123456789abcdef" for c in digits):
            raise ApiError(400, "PropertyValueFormatError", [str(fp), "Fingerprint"])
        alg = body.get("FingerprintDigestAlgorithm", "SHA256")
        if alg != "SHA256":
            raise ApiError(400, "PropertyValueNotInList", [str(alg), "FingerprintDigestAlgorithm"])
        for name in body:
            if name not in ("UserName", "Fingerprint", "FingerprintDigestAlgorithm"):
                raise ApiError(400, "PropertyUnknown", [name])
        coll = self.tree.get_data(key) or {}
        for m in coll.get("Members", []):
            data = self.tree.get_data(self.tree.key(str(m.get("@odata.id", "")))) or {}
            if norm_fp(data.get("Fingerprint", "")) == digits:
                raise ApiError(400, "ResourceAlreadyExists", ["Fingerprint", "Fingerprint", str(fp)])
        _k, data = self.tree.create_member(key, {"UserName": user, "Fingerprint": fp,
                                                 "FingerprintDigestAlgorithm": "SHA256"})
        return Response(201, data, [("Location", data["@odata.id"]), ("ETag", data["@odata.etag"])])

    # ---- licence -----------------------------------------------------
    def install_license(self, service, req):
        body = parse_json_object(req.body)
        key = body.get("LicenseKey")
        if key is None:
            raise ApiError(400, "PropertyMissing", ["LicenseKey"])
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise ApiError(400, "PropertyValueFormatError", ["****", "LicenseKey"])
        if key != ADVANCED_KEY:
            raise ApiError(400, self.mid("InvalidLicenseKey"))
        masked = "XXXXX-XXXXX-XXXXX-XXXXX-" + key[-5:]
        lic = self.tree.get_data(LICENSE)
        if lic is None:
            raise ApiError(404, "ResourceMissingAtURI", [LICENSE + "/"])
        lic.update({"License": "iLO Advanced", "LicenseKey": masked, "LicenseType": "Perpetual",
                    "LicenseTier": "ADV", "LicenseClass": "FQL", "LicenseErr": ""})
        self.tree._new_etag(lic)
        return service.success()

    def remove_license(self, service):
        lic = self.tree.get_data(LICENSE)
        if lic is None:
            raise ApiError(404, "ResourceMissingAtURI", [LICENSE + "/"])
        lic.update({"License": "iLO Standard", "LicenseKey": "", "LicenseType": "Unlicensed",
                    "LicenseTier": "STD", "LicenseClass": "", "LicenseInstallDate": ""})
        self.tree._new_etag(lic)
        auth = self.tree.get_data(CERT_AUTH)
        if isinstance(auth, dict) and auth.get("CertificateLoginEnabled"):
            auth["CertificateLoginEnabled"] = False  # a Standard iLO has no certificate login
            self.tree._new_etag(auth)
        return service.success()
