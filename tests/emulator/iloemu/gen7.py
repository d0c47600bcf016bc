"""iLO 7 personality (--generation 7): the iLO 5 mockup turned into an iLO 7.

iLO 7 has no CHIF: host software reaches it over the Redfish Host Interface (a virtual NIC,
SMBIOS Type 42), where authentication is required for every request, the service root
included.  Host applications may hold an HPE "application account" whose token lives in the
host TPM; the accounts are listed under /redfish/v1/AccountService/Oem/Hpe/AppAccounts/.
"""

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
