"""The record schema at run time: protobuf classes built from a descriptor set.

netcap's schema is schema/netcap.proto. The Python classes are not generated
code (protoc --python_out): they are built when the module is imported from a
FileDescriptorSet, the binary form of the .proto, which any version of the
protobuf runtime reads. Generated *_pb2.py files are tied to the protoc that
wrote them and refuse to load under an older runtime, and a descriptor lets
us change one thing before building the classes: every `string` field is
read as `bytes`. Packet data is not always valid UTF-8, and protobuf's
Python runtime rejects a whole record whose proto3 string holds invalid
UTF-8; netcap's C tools keep such records and print each bad byte as U+FFFD,
so this module does the same (see _utf8).

Where the descriptor set comes from, first found wins:
  1. $NETCAP_DESCRIPTOR, a file written by `protoc -o FILE netcap.proto`;
  2. netcap.desc next to this file (`make python` writes it into the build
     tree and `make install` installs it with the module);
  3. ../../schema/netcap.proto next to this file (running from a source
     checkout), compiled on import with protoc-c (which builds netcap's C
     code) or protoc.
"""

import codecs
import os
import shutil
import subprocess
import tempfile

try:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from google.protobuf.descriptor import FieldDescriptor
except ImportError as e:  # pragma: no cover - depends on the system
    raise ImportError(
        "netcap needs the protobuf runtime for Python: "
        "apt-get install python3-protobuf (Debian), or pip install protobuf"
    ) from e

# NC_SCHEMA_VERSION of src/record/record.h: the newest file format this
# module reads (tests/python/run.sh checks that the two agree).
SCHEMA_VERSION = 1

_here = os.path.dirname(os.path.abspath(__file__))


class NetcapError(Exception):
    """A file that is not a readable netcap record file."""


def _utf8_per_byte(err):
    # U+FFFD for each byte of an invalid sequence, as netcap's C tools do
    # (Python's "replace" writes one U+FFFD per maximal bad subsequence).
    return ("\ufffd" * (err.end - err.start), err.end)


codecs.register_error("netcap-utf8", _utf8_per_byte)


def _utf8(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("utf-8", "netcap-utf8")


def _compile(proto):
    for tool in ("protoc-c", "protoc"):
        exe = shutil.which(tool)
        if not exe:
            continue
        with tempfile.TemporaryDirectory(prefix="netcap-py-") as d:
            out = os.path.join(d, "netcap.desc")
            r = subprocess.run(
                [exe, "--proto_path=" + os.path.dirname(proto), "-o" + out, proto],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            if r.returncode == 0:
                with open(out, "rb") as f:
                    return f.read()
            raise NetcapError("%s failed on %s: %s" % (tool, proto, r.stderr.decode(errors="replace").strip()))
    raise NetcapError(
        "cannot compile %s: neither protoc-c nor protoc is installed "
        "(apt-get install protobuf-c-compiler), and there is no netcap.desc "
        "next to the module (make python, or make install)" % proto
    )


def _descriptor_set():
    env = os.environ.get("NETCAP_DESCRIPTOR")
    if env:
        with open(env, "rb") as f:
            return f.read(), env
    packaged = os.path.join(_here, "netcap.desc")
    if os.path.exists(packaged):
        with open(packaged, "rb") as f:
            return f.read(), packaged
    proto = os.path.normpath(os.path.join(_here, "..", "..", "schema", "netcap.proto"))
    if os.path.exists(proto):
        return _compile(proto), proto
    raise NetcapError(
        "the netcap schema is missing: no netcap.desc next to %s and no "
        "schema/netcap.proto in a source tree above it (set NETCAP_DESCRIPTOR)" % _here
    )


def _message_class(pool, desc):
    get = getattr(message_factory, "GetMessageClass", None)
    if get is not None:
        return get(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


# Field kinds for conversion and for pandas dtypes.
K_INT, K_UINT, K_BOOL, K_FLOAT, K_DOUBLE, K_ENUM, K_STRING, K_BYTES, K_MESSAGE = range(9)

_kinds = {
    FieldDescriptor.TYPE_INT32: (K_INT, 32),
    FieldDescriptor.TYPE_SINT32: (K_INT, 32),
    FieldDescriptor.TYPE_SFIXED32: (K_INT, 32),
    FieldDescriptor.TYPE_INT64: (K_INT, 64),
    FieldDescriptor.TYPE_SINT64: (K_INT, 64),
    FieldDescriptor.TYPE_SFIXED64: (K_INT, 64),
    FieldDescriptor.TYPE_UINT32: (K_UINT, 32),
    FieldDescriptor.TYPE_FIXED32: (K_UINT, 32),
    FieldDescriptor.TYPE_UINT64: (K_UINT, 64),
    FieldDescriptor.TYPE_FIXED64: (K_UINT, 64),
    FieldDescriptor.TYPE_BOOL: (K_BOOL, 8),
    FieldDescriptor.TYPE_FLOAT: (K_FLOAT, 32),
    FieldDescriptor.TYPE_DOUBLE: (K_DOUBLE, 64),
    FieldDescriptor.TYPE_ENUM: (K_ENUM, 32),
    FieldDescriptor.TYPE_STRING: (K_STRING, 0),
    FieldDescriptor.TYPE_BYTES: (K_BYTES, 0),
    FieldDescriptor.TYPE_MESSAGE: (K_MESSAGE, 0),
}

# Time and duration fields, by the rule of nc_field_kind (src/record/timefmt.c).
TIME, DURATION, PLAIN = "time", "duration", "plain"


def field_role(name, kind, bits):
    if kind != K_INT or bits != 64:
        return PLAIN
    if name == "timestamp" or name.startswith("timestamp_") or name.endswith("_timestamp") or name == "created":
        return TIME
    if name == "duration" or name.startswith("duration_") or name.endswith("_duration") or name.endswith("_after"):
        return DURATION
    return PLAIN


class Field:
    """One field of a message: its name, kind, width, repetition and role."""

    __slots__ = ("name", "kind", "bits", "repeated", "message", "role")

    def __init__(self, name, kind, bits, repeated, message):
        self.name = name
        self.kind = kind
        self.bits = bits
        self.repeated = repeated
        self.message = message  # full name of a nested message type, or None
        self.role = PLAIN if repeated else field_role(name, kind, bits)


class Schema:
    """The netcap schema: record types by number and name, their classes and fields."""

    def __init__(self):
        data, self.source = _descriptor_set()
        fds = descriptor_pb2.FileDescriptorSet.FromString(data)
        self.fields = {}  # message full name -> [Field] in schema order
        for fdp in fds.file:
            package = fdp.package
            for m in fdp.message_type:
                self._rewrite(package, m)
        pool = descriptor_pool.DescriptorPool()
        for fdp in fds.file:
            pool.Add(fdp)
        self._pool = pool
        self._classes = {}
        netcap = pool.FindFileByName("netcap.proto")
        self.by_number = {}  # record type number -> message name ("DNS")
        for v in netcap.enum_types_by_name["Type"].values:
            name = v.name[3:] if v.name.startswith("NC_") else v.name
            self.by_number[v.number] = name
        self.by_name = {n: k for k, n in self.by_number.items()}
        self.by_name.pop("Header", None)

    def _rewrite(self, prefix, m):
        full = prefix + "." + m.name if prefix else m.name
        fields = []
        for f in m.field:
            kind, bits = _kinds.get(f.type, (K_BYTES, 0))
            nested = f.type_name.lstrip(".") if kind == K_MESSAGE else None
            fields.append(Field(f.name, kind, bits, f.label == FieldDescriptor.LABEL_REPEATED, nested))
            if f.type == FieldDescriptor.TYPE_STRING:
                f.type = FieldDescriptor.TYPE_BYTES  # decoded by _utf8, never rejected
        self.fields[full] = fields
        for n in m.nested_type:
            self._rewrite(full, n)

    def message_class(self, name):
        """The protobuf class of a message, by short name ("DNS") or full name."""
        full = name if "." in name else "netcap." + name
        cls = self._classes.get(full)
        if cls is None:
            cls = _message_class(self._pool, self._pool.FindMessageTypeByName(full))
            self._classes[full] = cls
        return cls

    def record_types(self):
        """Record type names, in the order of the schema's Type enum."""
        return [n for k, n in sorted(self.by_number.items()) if k != 0]


_schema = None


def schema():
    """The Schema, built once on first use."""
    global _schema
    if _schema is None:
        _schema = Schema()
    return _schema
