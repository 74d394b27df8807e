"""Datetimes and timedeltas as float64 ticks of their unit, and back.

Map
---
- :func:`to_ticks`, :func:`from_ticks` -- datetimes and timedeltas as float64 ticks of
  their unit and back (truncated toward zero, unit and time zone kept, as pandas): the
  ``mean`` of datetimes and timedeltas and their ``std`` (a timedelta) are computed on
  ticks (by :mod:`~tessera.dataframe.reductions` and
  :mod:`~tessera.dataframe.groupby_aggs`).
- :func:`time_unit` -- the unit of a datetime or timedelta dtype.

>>> import pandas as pd
>>> t = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-03"]).as_unit("s"))
>>> from_ticks(to_ticks(t).mean(keepdims=True), t.dtype)[0]
Timestamp('2024-01-02 00:00:00')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["from_ticks", "time_unit", "to_ticks"]

_NAT = np.iinfo("int64").min


def to_ticks(values: pd.Series) -> np.ndarray:
    """Datetimes or timedeltas as float64 ticks of their unit (since the epoch, in UTC for
    time-zone aware datetimes); ``NaT`` is ``NaN``.

    >>> to_ticks(pd.Series(pd.to_datetime(["1970-01-02", None]).as_unit("s"))).tolist()
    [86400.0, nan]
    """
    ticks = np.asarray(values.array.view("i8"), dtype="float64")
    return np.where(values.isna().to_numpy(), np.nan, ticks)


def time_unit(dtype: Any) -> str:
    """The unit of a datetime or timedelta dtype (``"ns"``, ``"us"``...).

    >>> time_unit(pd.DatetimeTZDtype("ms", "UTC")), time_unit(np.dtype("m8[s]"))
    ('ms', 's')
    """
    return str(dtype.unit) if isinstance(dtype, pd.DatetimeTZDtype) else np.datetime_data(dtype)[0]


def from_ticks(ticks: np.ndarray, dtype: Any) -> Any:
    """The inverse of :func:`to_ticks`: ticks truncated toward zero (as pandas does) into an
    array of ``dtype`` (unit and time zone kept); ``NaN`` is ``NaT``.

    >>> from_ticks(np.array([1.5, np.nan]), pd.DatetimeTZDtype("s", "Europe/Paris"))
    <DatetimeArray>
    ['1970-01-01 01:00:01+01:00', 'NaT']
    Length: 2, dtype: datetime64[s, Europe/Paris]
    """
    i8 = np.where(np.isnan(ticks), _NAT, ticks).astype("int64")
    arr = pd.array(i8.view(f"{dtype.kind}8[{time_unit(dtype)}]"))
    tz = getattr(dtype, "tz", None)
    return arr if tz is None else arr.tz_localize("UTC").tz_convert(tz)
