"""The one way a console user reaches a case."""

from __future__ import annotations

from bot.cases.reading import CaseDetail
from bot.console.users import Account

OVERSEERS = ("supervisor", "admin")


def can_view_case(account: Account, case: CaseDetail) -> bool:
    if account.role in OVERSEERS:
        return True
    if account.role != "lawyer":
        return False
    if case.lawyer_id == account.id:
        return True
    return case.row.status == "waiting"


def can_act_on_case(account: Account, case: CaseDetail) -> bool:
    """Reply, transfer or close: the lawyer holding the case, or a supervisor."""
    if account.role in OVERSEERS:
        return case.row.status != "closed"
    return case.lawyer_id == account.id and case.row.status == "assigned"
