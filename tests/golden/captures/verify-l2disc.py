#!/usr/bin/env python3
"""Compares netcap's LLC, SNAP, NortelDiscovery, EthernetCTP(Reply), EAPOL,
EAPOLKey and EAP records of a capture field by field with tshark's
dissection of the same frames. A check by hand for the hand-made captures
of this directory (nortel, ctp, eapol, l2-edge) and for corpus captures;
it needs tshark, so it is not part of `make check` (the oracle suite,
tests/oracle/checks/l2disc.py, reads stored tshark/tcpdump output instead).

    python3 tests/golden/captures/verify-l2disc.py [-v] CAPTURE...   (NETCAP=build/netcap)

Prints one line per record type: compared fields matched / total, and the
first differences. Exits 1 if any differ.
"""
import json
import os
import subprocess
import sys
import tempfile

NETCAP = os.environ.get("NETCAP", "build/netcap")

# record type -> (tshark display filter, [(tshark field, our field, convert)])
SEP = "|"  # tshark's aggregator for fields that occur more than once


def first(v):
    return v.split(SEP)[0]


def hexs(v):
    return first(v).replace(":", "").lower()


def num(v):
    v = first(v)
    return int(v, 16) if v.startswith("0x") else int(v)


def flag(v):
    return v in ("1", "True")


SPECS = {
    "LLC": ("llc", [("llc.dsap.sap", "dsap", lambda v: num(v) << 1 if num(v) < 0x80 else num(v)),
                    ("llc.dsap.ig", "ig", flag), ("llc.ssap.cr", "cr", flag),
                    ("llc.control", "control", num)]),
    "SNAP": ("llc.oui", [("llc.oui", "organizational_code", lambda v: "%06x" % num(v)),
                         ("llc.pid", "type", num)]),
    "LinkLayerDiscovery": ("lldp", [
        ("lldp.chassis.subtype", "chassis_id.subtype", num),
        ("lldp.chassis.id.mac", "chassis_id.text", first),
        ("lldp.chassis.id.ip4", "chassis_id.text", first),
        ("lldp.port.subtype", "port_id.subtype", num),
        ("lldp.port.id.mac", "port_id.text", first),
        ("lldp.time_to_live", "ttl", num)]),
    "LinkLayerDiscoveryInfo": ("lldp", [
        ("lldp.tlv.system.name", "sys_name", first),
        ("lldp.port.desc", "port_description", first),
        ("lldp.tlv.system_cap", "sys_capabilities.system_cap.bits", num),
        ("lldp.tlv.enable_system_cap", "sys_capabilities.enabled_cap.bits", num),
        ("lldp.mgn.addr.ip4", "mgmt_address.address_text", first),
        ("lldp.mgn.interface.number", "mgmt_address.interface_number", num),
        ("lldp.mgn.obj.id", "mgmt_address.oid", first),
        ("lldp.ieee.802_1.port_vlan.id", "port_vlan_id", num),
        ("lldp.ieee.802_1.vlan.name", "vlan_names.0.name", first),
        ("lldp.ieee.802_3.pmd_auto_neg_advertised_caps", "mac_phy.pmd_autoneg_capability", num)]),
    "CiscoDiscovery": ("cdp", [("cdp.version", "version", num), ("cdp.ttl", "ttl", num),
                               ("cdp.checksum", "checksum", num)]),
    "CiscoDiscoveryInfo": ("cdp", [
        ("cdp.deviceid", "device_id", first), ("cdp.portid", "port_id", first),
        ("cdp.platform", "platform", first), ("cdp.capabilities", "capabilities.bits", num),
        ("cdp.native_vlan", "native_vlan", num), ("cdp.vtp_management_domain", "vtp_domain", first),
        ("cdp.mtu", "mtu", num), ("cdp.system_name", "sys_name", first),
        ("cdp.power_consumption", "power_consumption", num),
        ("cdp.voice_vlan", "vlan_reply.vlan", num), ("cdp.location", "location.location", first),
        ("cdp.address", "addresses", lambda v: v.split(SEP)),
        ("cdp.system_object_identifier", "sys_oid", first),
        ("cdp.ip_prefix", "ip_prefixes.0.ip", first),
        ("cdp.power_requested", "power_request.values.0", num),
        ("cdp.model_number", "energy_wise.model_number", first),
        ("cdp.nrgyz_reply_to.role", "energy_wise.role", first),
        ("cdp.cluster.switch_mac", "cdp_hello.switch_mac", first)]),
    "NortelDiscovery": ("ndp", [("ndp.ipaddress", "ip_address", str),
                                ("ndp.segmentident", "segment_id", lambda v: "%06x" % num(v)),
                                ("ndp.chassis", "chassis", num), ("ndp.backplane", "backplane", num),
                                ("ndp.state", "state", num), ("ndp.numberoflinks", "num_links", num)]),
    "EthernetCTP": ("loop", [("loop.skipcount", "skip_count", num),
                             ("loop.relevant_function", "function", num),
                             ("loop.forwarding_address", "forward_addresses",
                              lambda v: v.split(SEP) if v else [])]),
    "EthernetCTPReply": ("loop.receipt_number", [("loop.receipt_number", "receipt_number", num)]),
    "EAPOL": ("eapol", [("eapol.version", "version", num), ("eapol.type", "type", num),
                        ("eapol.len", "length", num)]),
    # only Identity (type 1) responses have our identity; tshark also shows
    # EAP-SIM/AKA AT_IDENTITY attributes, which are compared as absent
    "EAP": ("eap", [("eap.code", "code", num), ("eap.id", "id", num), ("eap.len", "length", num),
                    ("eap.type", "type", num), ("eap.identity", "identity", first)]),
    "EAPOLKey": ("eapol.keydes.type", [
        ("eapol.keydes.type", "key_descriptor_type", num),
        ("wlan_rsna_eapol.keydes.key_info", "key_information", num),
        ("eapol.keydes.key_len", "key_length", num),
        ("eapol.keydes.replay_counter", "replay_counter", num),
        ("wlan_rsna_eapol.keydes.nonce", "nonce", hexs),
        ("eapol.keydes.key_iv", "iv", hexs),
        ("wlan_rsna_eapol.keydes.rsc", "rsc", lambda v: int.from_bytes(bytes.fromhex(hexs(v)), "little")),
        ("wlan_rsna_eapol.keydes.mic", "mic", hexs),
        ("wlan_rsna_eapol.keydes.data_len", "key_data_length", num),
        ("wlan_rsna_eapol.keydes.data", "encrypted_key_data", hexs),
        ("wlan_rsna_eapol.keydes.msgnr", "handshake_message", num),
        ("eapol.keydes.key_index.number", "key_index", num),
        ("eapol.keydes.key_index.type", "key_type", num),
        ("eapol.keydes.key_signature", "mic", hexs),
        ("eapol.keydes.key", "encrypted_key_data", hexs)]),
}


def get(rec, path):
    """rec's field at a dotted path ("chassis_id.text", "vlan_names.0.name")."""
    for k in path.split("."):
        if isinstance(rec, list):
            rec = rec[int(k)] if int(k) < len(rec) else None
        elif isinstance(rec, dict):
            rec = rec.get(k)
        else:
            return None
    return rec


def tshark(cap, filt, fields):
    cmd = ["tshark", "-r", cap, "-Y", filt, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=" + SEP,
           "-e", "frame.time_epoch"] + sum((["-e", f] for f, _, _ in fields), [])
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    rows = {}
    for line in out.splitlines():
        cols = line.split("\t")
        ns = int(round(float(first(cols[0])) * 1e6)) * 1000
        rows[ns] = cols[1:]
    return rows


def main(argv):
    verbose = "-v" in argv
    caps = [a for a in argv if a != "-v"]
    bad = 0
    for cap in caps:
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([NETCAP, "capture", "-read", cap, "-out", d, "-workers", "1", "-quiet"],
                           check=True)
            for rtype, (filt, fields) in SPECS.items():
                path = os.path.join(d, rtype + ".ncap.zst")
                if not os.path.exists(path):
                    continue
                out = subprocess.run([NETCAP, "dump", "-read", path, "-json"], stdout=subprocess.PIPE,
                                     text=True, check=True).stdout
                recs = [json.loads(l) for l in out.splitlines() if l.strip()]
                rows = tshark(cap, filt, fields)
                ok = total = 0
                diffs = []
                for r in recs:
                    row = rows.get(r["timestamp"])
                    if row is None:
                        diffs.append("%d: no tshark %s" % (r["timestamp"], filt))
                        total += 1
                        continue
                    for (tf, ours, conv), val in zip(fields, row):
                        if val == "":
                            continue  # tshark has no such field for this frame
                        want = conv(val)
                        total += 1
                        have = get(r, ours)
                        if have == want:
                            ok += 1
                        else:
                            diffs.append("%d %s: tshark %r, netcap %r" % (r["timestamp"], ours, want,
                                                                        have))
                print("%s %s: %d/%d fields match" % (os.path.basename(cap), rtype, ok, total))
                for x in diffs[: (50 if verbose else 5)]:
                    print("    " + x)
                bad += ok != total
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
