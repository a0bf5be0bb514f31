"""netcap: read netcap record files (<Type>.ncap.zst, .ncap.gz, .ncap) in Python.

    import netcap
    netcap.header("records/DNS.ncap.zst")        # the file header, a dict
    for r in netcap.read("records/DNS.ncap.zst"):  # records as dicts
        print(r["timestamp"], r["questions"])
    conns = netcap.to_dataframe("records", "Connection")   # pandas

Needs python3-protobuf, and python3-zstandard or the zstd command for .zst
files; to_dataframe needs python3-pandas. docs/PYTHON.md has the details.
"""

from .schema import SCHEMA_VERSION, NetcapError
from .reader import files, find, header, messages, read, record_type


def to_dataframe(path, type=None):
    from .dataframe import to_dataframe as _to_dataframe  # pandas only when asked for

    return _to_dataframe(path, type)


to_dataframe.__doc__ = """A pandas DataFrame of a record file (or of <type>.ncap.* in a
directory; a directory without type gives {type: DataFrame}). See
netcap.dataframe.to_dataframe."""


def record_types():
    """The record type names of the schema (Connection, Ethernet, ...)."""
    from .schema import schema

    return schema().record_types()


__all__ = [
    "NetcapError", "SCHEMA_VERSION", "files", "find", "header", "messages", "read",
    "record_type", "record_types", "to_dataframe",
]
