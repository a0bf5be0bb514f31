"""Record files as pandas DataFrames."""

import os

from .reader import _converter, _resolve, files, messages, record_type
from .schema import (
    DURATION, K_BOOL, K_DOUBLE, K_ENUM, K_FLOAT, K_INT, K_UINT, TIME, NetcapError, schema,
)


def _dtype(f):
    """The numpy dtype of a top-level field, or None for object columns."""
    if f.repeated:
        return None
    if f.role == TIME:
        return "datetime64[ns, UTC]"
    if f.role == DURATION:
        return "timedelta64[ns]"
    if f.kind == K_INT:
        return "int%d" % f.bits
    if f.kind == K_UINT:
        return "uint%d" % f.bits
    if f.kind == K_ENUM:
        return "int32"
    if f.kind == K_BOOL:
        return "bool"
    if f.kind == K_FLOAT:
        return "float32"
    if f.kind == K_DOUBLE:
        return "float64"
    return None  # string, bytes (hex), nested message


def dtypes(type):
    """{column: dtype} of the DataFrame of a record type ("object" for text,
    nested and repeated fields)."""
    return {f.name: _dtype(f) or "object" for f in schema().fields["netcap." + type]}


def _frame(path, type):
    import numpy as np
    import pandas as pd

    name = type or record_type(path)
    fields = schema().fields["netcap." + name]
    convert = _converter("netcap." + name)
    cols = {f.name: [] for f in fields}
    appends = [(f.name, cols[f.name].append) for f in fields]
    for m in messages(path, name):
        d = convert(m)
        for n, add in appends:
            add(d[n])
    data = {}
    for f in fields:
        v = cols[f.name]
        dt = _dtype(f)
        if dt is None:
            arr = np.empty(len(v), dtype=object)
            arr[:] = v
            data[f.name] = pd.Series(arr, dtype=object)
        elif f.role == TIME:
            data[f.name] = pd.Series(pd.to_datetime(np.array(v, dtype="int64"), unit="ns", utc=True))
        elif f.role == DURATION:
            data[f.name] = pd.Series(pd.to_timedelta(np.array(v, dtype="int64"), unit="ns"))
        else:
            data[f.name] = pd.Series(np.array(v, dtype=dt))
    df = pd.DataFrame(data, columns=[f.name for f in fields])
    df.attrs["netcap_type"] = name
    df.attrs["netcap_path"] = path
    return df


def to_dataframe(path, type=None):
    """A pandas DataFrame of the records of a file, one column per top-level
    field in schema order. Times (timestamp, timestamp_*, *_timestamp) are
    datetime64[ns, UTC], durations (duration, *_duration, *_after)
    timedelta64[ns], integers and enums their exact width (int32, uint64...),
    bool bool, double float64; strings, bytes (lowercase hex), nested messages
    (dicts) and repeated fields (lists) are object columns.

    path may be a directory written by netcap capture: with type, its
    <type>.ncap.* file is read; without, a dict {type name: DataFrame} of
    every record file in it."""
    if os.path.isdir(path) and type is None:
        present = files(path)
        if not present:
            raise NetcapError("%s: no record files (<Type>.ncap, .ncap.zst, .ncap.gz)" % path)
        return {t: _frame(p, t) for t, p in present.items()}
    return _frame(_resolve(path, type), type)
