#!/usr/bin/env python3
"""Generate the record catalogue (docs/RECORDS.md) from schema/netcap.proto.

    python3 scripts/gen-catalogue.py > docs/RECORDS.md     write it
    python3 scripts/gen-catalogue.py --check docs/RECORDS.md
                                   exit 1 if the file is not what the schema
                                   gives, or a message has no description
    python3 scripts/gen-catalogue.py --missing              fields without a comment

The schema's comments are the only source: the comment block right above a
message (or at the end of its "message X {" line) describes it, the comment
after a field (with its continuation lines) says what the field means, and a
"// ---- title" line starts a section; comment blocks that stand alone in
it (followed by a blank line) are the section's text. Record types are the
messages named in enum Type; every other message is a part, listed once, in
the section that defines it.
Fields are listed in field-number order, which is the order of the CSV
columns and JSON keys. The generic context fields (docs/SCHEMA.md) get their
meaning from CONTEXT below when their line has no comment.

Python 3 standard library only.
"""

import argparse
import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "schema", "netcap.proto")

# Meaning of the generic context fields where the schema line has no comment
# (the schema's header comment and docs/SCHEMA.md define them once).
CONTEXT = {
    "timestamp": "capture time of the packet, ns since the Unix epoch",
    "src_ip": "source IP address of the packet (of the IP header this record belongs to)",
    "dst_ip": "destination IP address of the packet",
    "src_port": "source port of the enclosing transport header (0: none)",
    "dst_port": "destination port of the enclosing transport header (0: none)",
    "src_mac": "source MAC address of the frame",
    "dst_mac": "destination MAC address of the frame",
    "uid": "uid of the Connection the record belongs to",
}

# Records that are not made from one packet name their endpoints differently
# (a Connection's src_* is its client). Kept here, not in the schema, while
# the Connection message is being extended elsewhere.
CONTEXT_BY_TYPE = {
    "Connection": {
        "src_ip": "client IP address", "dst_ip": "server IP address",
        "src_port": "client port (0: none)", "dst_port": "server port (0: none)",
    },
}

SECTION_RE = re.compile(r"^// -{3,} *(.*?)\s*$")
MESSAGE_RE = re.compile(r"^message (\w+) \{\s*(?://\s?(.*))?$")
FIELD_RE = re.compile(r"^\s+(repeated\s+)?([\w.]+)\s+(\w+)\s*=\s*(\d+);\s*(?://\s?(.*))?$")
RESERVED_RE = re.compile(r"^\s+reserved\s+([^;]+);\s*(?://\s?(.*))?$")
ENUM_ENTRY_RE = re.compile(r"^\s+NC_(\w+)\s*=\s*(\d+);")
COMMENT_RE = re.compile(r"^\s*//\s?(.*)$")


class Message:
    def __init__(self, name, desc, section, line):
        self.name = name
        self.desc = desc
        self.section = section
        self.line = line
        self.fields = []      # [number, label, type, name, comment]
        self.reserved = []    # (numbers text, comment)


def parse(path):
    sections = []             # [title, intro lines]
    messages = []
    record_types = {}
    pending = []              # comment lines right above the current line
    cur = None
    in_enum = False
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if in_enum:
            m = ENUM_ENTRY_RE.match(line)
            if m:
                record_types[m.group(1)] = int(m.group(2))
            if line.startswith("}"):
                in_enum = False
            continue
        if cur is not None:
            if line.startswith("}"):
                cur = None
                pending = []
                continue
            m = FIELD_RE.match(line)
            if m:
                comment = m.group(5) or ""
                if pending:
                    comment = " ".join(pending + ([comment] if comment else []))
                    pending = []
                cur.fields.append([int(m.group(4)), "repeated" if m.group(1) else "",
                                   m.group(2), m.group(3), comment.strip()])
                continue
            m = RESERVED_RE.match(line)
            if m:
                cur.reserved.append((m.group(1).strip(), (m.group(2) or "").strip()))
                continue
            m = COMMENT_RE.match(line)
            if m:
                text = m.group(1).strip()
                indent = len(line) - len(line.lstrip())
                if cur.fields and indent > 2 and not pending:
                    # continuation of the previous field's comment
                    f = cur.fields[-1]
                    f[4] = (f[4] + " " + text).strip()
                else:
                    pending.append(text)
                continue
            if line.strip():
                raise SystemExit("%s:%d: cannot read this line: %s" % (path, no, line.strip()))
            continue
        if line.startswith("enum Type"):
            in_enum = True
            pending = []
            continue
        m = SECTION_RE.match(line)
        if m and m.group(1):
            sections.append([m.group(1), []])
            pending = []
            continue
        m = MESSAGE_RE.match(line)
        if m:
            desc = list(pending)
            if m.group(2):
                desc.append(m.group(2).strip())
            cur = Message(m.group(1), " ".join(d for d in desc if d).strip(),
                          len(sections) - 1, no)
            messages.append(cur)
            pending = []
            continue
        m = COMMENT_RE.match(line)
        if m:
            pending.append(m.group(1).strip())
            continue
        if not line.strip():
            # a comment block standing alone (the section's introduction, or
            # a note between messages) belongs to the section's text
            if sections and pending:
                sections[-1][1].extend(pending + [""])
            pending = []
            continue
        pending = []
    return sections, messages, record_types


def anchor(name):
    return name.lower()


def md_cell(text):
    return text.replace("|", "\\|")


def render(sections, messages, record_types):
    by_name = {m.name: m for m in messages}
    out = []
    w = out.append
    w("# Record catalogue")
    w("")
    w("<!-- Generated by scripts/gen-catalogue.py from schema/netcap.proto: do not edit by hand.")
    w("     After a schema change: python3 scripts/gen-catalogue.py > docs/RECORDS.md -->")
    w("")
    w("Every record type netcap writes, with its fields, from the comments of")
    w("`schema/netcap.proto`. Fields are listed in field-number order, the order of")
    w("the CSV columns and JSON keys. Units, address formats, names and the generic")
    w("context fields (timestamp, src_ip, ..., tunnel_parent) follow")
    w("[docs/SCHEMA.md](SCHEMA.md); how nested and repeated values print is in")
    w("[docs/OUTPUT.md](OUTPUT.md). A type written as a link is a nested part,")
    w("described once, below the record types of its section.")
    w("")
    n_rec = sum(1 for m in messages if m.name in record_types)
    w("%d record types, %d nested parts." % (n_rec, len(messages) - n_rec))
    w("")
    # table of contents
    groups = [(None, "File header")] + [(i, s[0]) for i, s in enumerate(sections)]
    for idx, title in groups:
        recs = [m for m in messages if m.section == (idx if idx is not None else -1)
                and m.name in record_types]
        if not recs:
            continue
        w("- **%s**: %s" % (title, ", ".join("[%s](#%s)" % (m.name, anchor(m.name)) for m in recs)))
    w("")
    for idx, title in groups:
        sec = idx if idx is not None else -1
        ms = [m for m in messages if m.section == sec]
        if not ms:
            continue
        w("## " + title[:1].upper() + title[1:])
        w("")
        if idx is not None:
            intro = sections[idx][1]
            while intro and not intro[-1]:
                intro = intro[:-1]
            while intro and not intro[0]:
                intro = intro[1:]
            if intro:
                w("\n".join(intro))
                w("")
        recs = [m for m in ms if m.name in record_types]
        parts = [m for m in ms if m.name not in record_types]
        for m in recs + parts:
            kind = "record type %d" % record_types[m.name] if m.name in record_types else "part"
            w("### %s" % m.name)
            w("")
            w("*%s.* %s" % (kind[:1].upper() + kind[1:], m.desc))
            w("")
            w("| # | field | type | meaning |")
            w("|---|---|---|---|")
            for num, label, typ, name, comment in sorted(m.fields):
                t = typ
                if typ in by_name:
                    t = "[%s](#%s)" % (typ, anchor(typ))
                if label:
                    t = "repeated " + t
                meaning = comment
                special = CONTEXT_BY_TYPE.get(m.name, {})
                if not meaning and name in special:
                    meaning = special[name]
                elif not meaning and name in CONTEXT:
                    meaning = CONTEXT[name] + " (context)"
                w("| %d | `%s` | %s | %s |" % (num, name, t, md_cell(meaning)))
            for nums, comment in m.reserved:
                w("| %s | *reserved* | | %s |" % (nums, md_cell(comment)))
            w("")
    return "\n".join(out).rstrip("\n") + "\n"


def problems(messages):
    bad = []
    for m in messages:
        if not m.desc:
            bad.append("schema/netcap.proto:%d: message %s has no description (a comment above it)"
                       % (m.line, m.name))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", metavar="FILE", help="compare with FILE instead of printing")
    ap.add_argument("--missing", action="store_true", help="list fields without a comment")
    ap.add_argument("--schema", default=SCHEMA)
    a = ap.parse_args()
    sections, messages, record_types = parse(a.schema)
    missing_types = sorted(set(record_types) - {m.name for m in messages})
    if missing_types:
        raise SystemExit("enum Type names messages the schema lacks: %s" % ", ".join(missing_types))
    if a.missing:
        for m in messages:
            for num, label, typ, name, comment in m.fields:
                if not comment and name not in CONTEXT:
                    print("%s.%s" % (m.name, name))
        return 0
    text = render(sections, messages, record_types)
    bad = problems(messages)
    if a.check:
        try:
            with open(a.check, encoding="utf-8") as fh:
                have = fh.read()
        except OSError as e:
            print("%s: %s" % (a.check, e.strerror))
            return 1
        for b in bad:
            print(b)
        if have != text:
            diff = list(difflib.unified_diff(have.splitlines(), text.splitlines(), a.check,
                                             "generated", lineterm="", n=0))
            print("%s is out of date with schema/netcap.proto (%d lines differ); regenerate it:"
                  % (a.check, sum(1 for d in diff if d[:1] in "+-") - 2))
            print("    python3 scripts/gen-catalogue.py > %s" % a.check)
            for d in diff[2:12]:
                print("    " + d)
            return 1
        return 1 if bad else 0
    for b in bad:
        print(b, file=sys.stderr)
    sys.stdout.write(text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
