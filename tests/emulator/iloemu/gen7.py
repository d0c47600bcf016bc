# SPDX-License-Identifier: MIT
"""iLO 7 personality (--generation 7): the iLO 5 mockup turned into an iLO 7.

iLO 7 has no CHIF: host software reaches it over the Redfish Host Interface (a virtual NIC,
SMBIOS Type 42), where authentication is required for every request, the service root
included.  Host applications may hold an HPE "application account" whose token lives in the
host TPM; the accounts are listed under /redfish/v1/AccountService/Oem/Hpe/AppAccounts/.
"""

import secrets

from .tree import ROOT, Entry, compute_etag

MANAGER = ROOT + "/Managers/1"
APP_ACCOUNTS = ROOT + "/AccountService/Oem/Hpe/AppAccounts"
FIRMWARE = "1.12"


def _retag(data):
    data.pop("@odata.etag", None)
    data["@odata.etag"] = compute_etag(data)


def _add(tree, key, data):
    entry = Entry(None, "json")
    entry.data = data
    _retag(data)
    tree.entries[key] = entry


def apply(app):
    """Make the emulator an iLO 7 (call once, before serving)."""
    tree = app.tree
    root = tree.get_data(ROOT)
    for mgr in (root.get("Oem", {}).get("Hpe", {}).get("Manager") or []):
        mgr["ManagerType"] = "iLO 7"
        mgr["ManagerFirmwareVersion"] = FIRMWARE
    _retag(root)

    manager = tree.get_data(MANAGER)
    manager["Model"] = "iLO 7"
    manager["FirmwareVersion"] = "iLO 7 v" + FIRMWARE
    _retag(manager)

    coll = tree.get_data(MANAGER + "/HostInterfaces") or {}
    for member in coll.get("Members", []):
        key = member["@odata.id"].rstrip("/")
        hi = tree.get_data(key)
        if isinstance(hi, dict):
            hi["InterfaceEnabled"] = True
            hi.setdefault("Status", {})["State"] = "Enabled"
            hi["AuthenticationModes"] = ["BasicAuth", "RedfishSessionAuth"]
            _retag(hi)

    account = tree.get_data(ROOT + "/AccountService")
    hpe = account.setdefault("Oem", {}).setdefault("Hpe", {})
    hpe.setdefault("Links", {})["AppAccounts"] = {"@odata.id": APP_ACCOUNTS + "/"}
    _retag(account)
    _add(tree, APP_ACCOUNTS, {
        "@odata.id": APP_ACCOUNTS + "/",
        "@odata.type": "#HpeiLOAppAccountCollection.HpeiLOAppAccountCollection",
        "Name": "Application Accounts",
        "Members": [],
        "Members@odata.count": 0,
    })
    # over the host interface nothing is readable without credentials
    app.service.auth_everything = True


# ---- application accounts (driven by the CHIF emulator library's GenerateAppToken,
# GetSessionID, DeleteAppToken through iloemu/chif.py; the caller holds app.lock) ----

def _accounts(app):
    if not hasattr(app, "app_accounts"):
        app.app_accounts = {}      # app id -> {"name", "token"}
    return app.app_accounts


def _publish(app):
    coll = app.tree.get_data(APP_ACCOUNTS)
    if not isinstance(coll, dict):
        return
    members = []
    for appid, acct in sorted(_accounts(app).items()):
        key = "%s/%s" % (APP_ACCOUNTS, appid)
        members.append({"@odata.id": key + "/"})
        _add(app.tree, key, {
            "@odata.id": key + "/",
            "@odata.type": "#HpeiLOAppAccount.v1_0_0.HpeiLOAppAccount",
            "Id": appid, "AppID": appid, "AppName": acct["name"],
            "Name": "Application Account",
        })
    coll["Members"] = members
    coll["Members@odata.count"] = len(members)
    _retag(coll)


def app_account_create(app, appid, name):
    """A new account: its token (kept by the library in the host's "TPM"), None if it exists."""
    accts = _accounts(app)
    if appid in accts:
        return None
    accts[appid] = {"name": name, "token": secrets.token_hex(16)}
    _publish(app)
    return accts[appid]["token"]


def app_account_session(app, appid, token):
    acct = _accounts(app).get(appid)
    if acct is None or not secrets.compare_digest(acct["token"], token):
        return None
    return app.sessions.create("app:" + appid, "Administrator", "AppAccount", "127.0.0.1")


def app_account_delete(app, appid, token):
    acct = _accounts(app).get(appid)
    if acct is None or not secrets.compare_digest(acct["token"], token):
        return False
    del _accounts(app)[appid]
    entry = "%s/%s" % (APP_ACCOUNTS, appid)
    app.tree.entries.pop(entry, None)
    _publish(app)
    return True
