"""Reading netcap record files (<Type>.ncap, .ncap.zst, .ncap.gz).

The format (docs/OUTPUT.md, "The record file format"): a byte stream of
length-delimited protobuf messages, each a varint length then that many
bytes; the first is a netcap.Header, every later one a record of the type
the header names. The stream is compressed as a sequence of independent
zstd frames (or gzip members), so it must be decompressed *across frames*:
zstandard's ZstdDecompressor().decompress() stops after the first frame,
which holds the header alone, and would give zero records without an error.
The compression is recognised from the content, as netcap itself does.
"""

import gzip
import os
import shutil
import subprocess

from .schema import (
    K_BOOL, K_BYTES, K_DOUBLE, K_ENUM, K_FLOAT, K_INT, K_MESSAGE, K_STRING, K_UINT,
    NetcapError, SCHEMA_VERSION, _utf8, schema,
)

try:
    import zstandard
except ImportError:  # the zstd command is used instead
    zstandard = None

_DECOMPRESS_ERRORS = (OSError, EOFError) + ((zstandard.ZstdError,) if zstandard else ())

RECORD_MAX = 64 * 1024 * 1024  # NC_RECORD_MAX: the largest record netcap reads
HEADER_MAX = 64 * 1024  # NC_NCFILE_HEADER_MAX
_CHUNK = 1 << 20

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_PCAP_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a")


def _compression(magic):
    if magic[:4] == _ZSTD_MAGIC:
        return "zstd"
    # a zstd skippable frame: 0x184D2A50..0x184D2A5F, little-endian
    if len(magic) >= 4 and (magic[0] & 0xF0) == 0x50 and magic[1:4] == b"\x2a\x4d\x18":
        return "zstd"
    if magic[:2] == b"\x1f\x8b":
        return "gzip"
    return "plain"


class _ZstdFrames:
    """Every zstd frame of a file, one after the other, as a file object.

    stream_reader(f, read_across_frames=True) would do, but it ends quietly
    when the file ends inside a frame; here a truncated file is an error."""

    def __init__(self, f, path):
        self.f = f
        self.path = path
        self.d = zstandard.ZstdDecompressor(max_window_size=1 << 27)  # netcap's cap
        self.obj = None  # the frame being decompressed
        self.rest = b""  # input after the end of the last frame

    def read(self, n):
        while True:
            data = self.rest or self.f.read(_CHUNK)
            self.rest = b""
            if not data:
                if self.obj is not None and not self.obj.eof:
                    raise NetcapError("%s: truncated (compressed data ends inside a zstd frame)" % self.path)
                return b""
            if self.obj is None or self.obj.eof:
                self.obj = self.d.decompressobj()
            out = self.obj.decompress(data)
            if self.obj.eof:
                self.rest = self.obj.unused_data
            if out:
                return out

    def close(self):
        pass


class _ZstdProcess:
    """`zstd -dc` as a file object: the fallback when zstandard is missing."""

    def __init__(self, f, path):
        exe = shutil.which("zstd")
        if exe is None:
            raise NetcapError(
                "%s: zstd-compressed, and neither the zstandard module (apt-get install "
                "python3-zstandard) nor the zstd command is installed" % path
            )
        self.path = path
        os.lseek(f.fileno(), 0, os.SEEK_SET)  # the descriptor from its start: peek read ahead
        self.p = subprocess.Popen([exe, "-dcq"], stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def read(self, n):
        data = self.p.stdout.read(n)
        if not data:
            err = self.p.stderr.read().decode(errors="replace").strip()
            if self.p.wait() != 0:
                raise NetcapError("%s: corrupt zstd data (zstd: %s)" % (self.path, err))
        return data

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.p.stdout.close()
        self.p.stderr.close()


class _Stream:
    """The decompressed bytes of a record file, with varint framing on top."""

    def __init__(self, path):
        self.path = path
        self.f = open(path, "rb")
        try:
            magic = self.f.peek(4)[:4] if hasattr(self.f, "peek") else b""
            self.compression = _compression(magic)
            if self.compression == "zstd":
                if zstandard is not None:
                    self.src = _ZstdFrames(self.f, path)
                else:
                    self.src = _ZstdProcess(self.f, path)
            elif self.compression == "gzip":
                self.src = gzip.GzipFile(fileobj=self.f, mode="rb")  # reads every member
            else:
                self.src = self.f
        except BaseException:
            self.f.close()
            raise
        self.buf = b""
        self.pos = 0
        self.offset = 0  # stream offset of buf[0]
        self.eof = False

    def close(self):
        if self.src is not self.f:
            self.src.close()
        self.f.close()

    def _fill(self, need):
        """Make at least need unread bytes available, unless the stream ends."""
        while len(self.buf) - self.pos < need and not self.eof:
            try:
                data = self.src.read(max(_CHUNK, need))
            except _DECOMPRESS_ERRORS as e:
                raise NetcapError("%s: corrupt %s data (%s)" % (self.path, self.compression, e)) from None
            if not data:
                self.eof = True
                break
            self.offset += self.pos
            self.buf = self.buf[self.pos:] + data
            self.pos = 0
        return len(self.buf) - self.pos

    def peek(self, n):
        self._fill(n)
        return self.buf[self.pos:self.pos + n]

    def frame(self, limit):
        """The next length-delimited message: bytes, or None at a clean end.
        Raises ValueError(why) on a framing error."""
        v = 0
        shift = 0
        i = 0
        while True:
            if self._fill(i + 1) <= i:
                if i == 0:
                    return None
                raise ValueError("truncated (file ends inside the length prefix)")
            b = self.buf[self.pos + i]
            v |= (b & 0x7F) << shift
            i += 1
            if b < 0x80:
                break
            shift += 7
            if i == 10:
                raise ValueError("malformed length prefix (longer than 10 bytes)")
        if v > limit:
            raise ValueError("length %d exceeds the limit (%d bytes)" % (v, limit))
        have = self._fill(i + v) - i
        if have < v:
            raise ValueError("truncated (file ends inside the record: %d of %d bytes present)" % (have, v))
        start = self.pos + i
        self.pos = start + v
        return self.buf[start:start + v]


def _open(path):
    """Open a record file and read its header: (stream, header message, type name)."""
    sch = schema()
    if os.path.isdir(path):
        raise NetcapError("%s: is a directory, not a record file" % path)
    try:
        s = _Stream(path)
    except OSError as e:
        raise NetcapError("%s: cannot open: %s" % (path, e.strerror or e)) from None
    try:
        head = s.peek(4)
        if not head:
            raise NetcapError("%s: empty %sfile: not a netcap record file"
                              % (path, "" if s.compression == "plain" else s.compression + " "))
        if head in _PCAP_MAGICS:
            raise NetcapError("%s: not a netcap record file (it is a pcap/pcapng capture: "
                              "use netcap capture -read FILE)" % path)
        try:
            raw = s.frame(HEADER_MAX)
        except ValueError:
            raw = None
        if raw is None:
            raise NetcapError("%s: not a netcap record file (no valid header)" % path)
        hdr = sch.message_class("Header")()
        try:
            hdr.ParseFromString(raw)
        except Exception:
            raise NetcapError("%s: not a netcap record file (the first message is not a netcap.Header)"
                              % path) from None
        if hdr.type <= 0:
            raise NetcapError("%s: not a netcap record file (the header names no record type)" % path)
        tn = _utf8(hdr.type_name)
        if hdr.schema_version == 0 and not tn:
            raise NetcapError("%s: not a netcap record file (its header has no schema_version and no "
                              "type_name: a file of Netcap, the Go tool, is not read here)" % path)
        name = sch.by_number.get(hdr.type)
        if name is None:
            raise NetcapError('%s: the header names record type %d%s, which this reader does not know '
                              "(a newer schema? use the netcap module of the netcap that wrote it)"
                              % (path, hdr.type, ' ("%s")' % tn[:40] if tn else ""))
        if hdr.schema_version > SCHEMA_VERSION:
            raise NetcapError("%s: schema v%d is newer than this reader's (v%d): use a newer netcap"
                              % (path, hdr.schema_version, SCHEMA_VERSION))
        return s, hdr, name
    except BaseException:
        s.close()
        raise


def _converter(full):
    """A function message -> dict for message type full, as dump -json writes it."""
    sch = schema()
    cache = _converters
    if full in cache:
        return cache[full]
    steps = []
    cache[full] = None  # recursive types resolve through the cache at call time
    for f in sch.fields[full]:
        steps.append((f.name, _value_fn(f)))

    def convert(m):
        return {name: fn(m, name) for name, fn in steps}

    cache[full] = convert
    return convert


_converters = {}


def _value_fn(f):
    k = f.kind
    if k == K_MESSAGE:
        full = f.message
        if f.repeated:
            return lambda m, n: [(_converters.get(full) or _converter(full))(x) for x in getattr(m, n)]
        return lambda m, n: (_converters.get(full) or _converter(full))(getattr(m, n)) if m.HasField(n) else None
    if k == K_STRING:
        if f.repeated:
            return lambda m, n: [_utf8(x) for x in getattr(m, n)]
        return lambda m, n: _utf8(getattr(m, n))
    if k == K_BYTES:
        if f.repeated:
            return lambda m, n: [x.hex() for x in getattr(m, n)]
        return lambda m, n: getattr(m, n).hex()
    if f.repeated:
        return lambda m, n: list(getattr(m, n))
    return getattr


def header(path):
    """The header of a record file as a dict: created (ns), input_source,
    type (number), version, options, schema_version, type_name."""
    s, hdr, _ = _open(path)
    s.close()
    return _converter("netcap.Header")(hdr)


def messages(path, type=None):
    """The records of a file as protobuf messages (string fields are bytes).
    A directory reads its <type>.ncap.* file."""
    path = _resolve(path, type)
    s, hdr, name = _open(path)
    try:
        if type is not None and type != name:
            raise NetcapError("%s: holds %s records, not %s" % (path, name, type))
        cls = schema().message_class(name)
        index = 0
        while True:
            index += 1
            try:
                raw = s.frame(RECORD_MAX)
            except ValueError as e:
                raise NetcapError("%s: record %d: %s" % (path, index, e)) from None
            if raw is None:
                return
            m = cls()
            try:
                m.ParseFromString(raw)
            except Exception:
                raise NetcapError("%s: record %d: not a valid %s message (%d bytes)"
                                  % (path, index, name, len(raw))) from None
            yield m
    finally:
        s.close()


def record_type(path):
    """The record type name ("DNS") a file's header names."""
    s, _, name = _open(path)
    s.close()
    return name


def find(directory, type):
    """The record file of type in directory: <type>.ncap, .ncap.zst or .ncap.gz."""
    sch = schema()
    if type not in sch.by_name:
        raise NetcapError("unknown record type %r (record types: %s)" % (type, ", ".join(sch.record_types())))
    found = [os.path.join(directory, type + ext) for ext in (".ncap.zst", ".ncap.gz", ".ncap")
             if os.path.isfile(os.path.join(directory, type + ext))]
    if not found:
        raise NetcapError("%s: no %s.ncap.* file (netcap capture writes one per record type seen)"
                          % (directory, type))
    if len(found) > 1:
        raise NetcapError("%s: several files of type %s: %s" % (directory, type, ", ".join(found)))
    return found[0]


def files(directory):
    """{type name: path} of the record files (<Type>.ncap*) in directory."""
    sch = schema()
    out = {}
    for entry in sorted(os.listdir(directory)):
        t, dot, ext = entry.partition(".")
        if dot and t in sch.by_name and ext in ("ncap", "ncap.zst", "ncap.gz"):
            out.setdefault(t, os.path.join(directory, entry))
    return out


def _resolve(path, type):
    if os.path.isdir(path):
        if type is None:
            present = files(path)
            if len(present) == 1:
                return next(iter(present.values()))
            raise NetcapError("%s: a directory: name the record type (one of: %s)"
                              % (path, ", ".join(present) or "none present"))
        return find(path, type)
    return path


def read(path, type=None):
    """Yield the records of a record file as dicts: the schema's field names
    in schema order, as `netcap dump -json` prints them (enums and named
    numbers as numbers, times as int ns, bytes as lowercase hex, nested
    messages as dicts or None when unset, repeated fields as lists), except
    that NaN and infinities stay floats. path may be a directory: then the
    file <type>.ncap.* in it is read."""
    convert = None
    for m in messages(path, type):
        if convert is None:
            convert = _converter(m.DESCRIPTOR.full_name)
        yield convert(m)
