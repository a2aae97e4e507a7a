"""The queue's arithmetic, without I/O: order, tickets, positions and honest waits."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

URGENT, NORMAL = 0, 1
# Until there is history, a consultation is assumed to take this long.
DEFAULT_HANDLING_MINUTES = 12


@dataclass(frozen=True)
class CaseView:
    id: int
    ticket: str
    status: str
    priority: int
    position: int  # 1 = next; 0 when not waiting
    created_at: dt.datetime


def ticket_for(prefix: str, case_id: int) -> str:
    """A number a migrant can quote on the phone: '1899-000042'."""
    return f"{prefix}-{case_id:06d}"


def estimated_wait_minutes(position: int, lawyers_on_duty: int, handling_minutes: float) -> int:
    """Cases ahead of this one, shared among the lawyers on duty, at the recent handling time."""
    if position <= 0:
        return 0
    lawyers = max(1, lawyers_on_duty)
    return max(1, math.ceil(position / lawyers * handling_minutes))
