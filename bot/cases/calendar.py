"""Days of the helpline's calendar, as search forms and the statistics give them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo


def day_param(params: Mapping[str, str], name: str) -> dt.date | None:
    """A YYYY-MM-DD form value; None for anything else (never an error)."""
    try:
        return dt.date.fromisoformat(params.get(name, "")[:10])
    except ValueError:
        return None


def day_start(day: dt.date, timezone: ZoneInfo) -> dt.datetime:
    """Midnight at the start of ``day`` in the helpline's zone."""
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone)
