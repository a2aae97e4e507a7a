"""The one way a console user reaches a resource: one function per resource, each condition on its own
line. Views ask here and nowhere else.

Partner organisations share the installation: everyone but an admin sees only their own organisation's
queue and cases. Within it, supervisors see every case; a lawyer sees the cases they hold, and a
waiting case only in a language they serve (a lawyer with no languages listed serves all), and the
earlier cases of a migrant whose case they hold. Editors and
anyone else see no case, no queue and no case events."""

from __future__ import annotations

from bot.cases.reading import EVERY_ORGANIZATION, CaseDetail
from bot.console.users import Account

OVERSEERS = ("supervisor", "admin")
CASE_WORKERS = ("lawyer", *OVERSEERS)
EDITORS = ("editor", "admin")
CASE_ACTIONS = ("view", "act")


def serves_language(account: Account, language: str | None) -> bool:
    if not account.languages:
        return True
    return language in account.languages


def same_organization(account: Account, organization: str | None) -> bool:
    return account.role == "admin" or account.organization == organization


def queue_scope(account: Account) -> str | None:
    """Whose queue the account sees: its organisation's, or every one for an admin."""
    return EVERY_ORGANIZATION if account.role == "admin" else account.organization


def access_queue(account: Account) -> bool:
    """The queue, its summaries, its events and "take next"."""
    return account.role in CASE_WORKERS


def access_case(account: Account, case: CaseDetail, action: str) -> bool:
    """``view``: read the case and its transcript; ``act``: reply, note, transfer, release, close."""
    if action not in CASE_ACTIONS:
        return False
    if account.role not in CASE_WORKERS:
        return False
    if not same_organization(account, case.row.organization):
        return False
    if account.role in OVERSEERS:
        return action == "view" or case.row.status != "closed"
    if case.lawyer_id == account.id:
        return action == "view" or case.row.status == "assigned"
    if action != "view":
        return False
    if account.id in case.holders:
        return True  # the migrant's earlier cases, for the lawyer handling their case now
    if case.row.status != "waiting":
        return False
    return serves_language(account, case.row.language)


def access_statistics(account: Account) -> bool:
    return account.role in OVERSEERS


def access_content(account: Account) -> bool:
    return account.role in EDITORS


def access_users(account: Account) -> bool:
    return account.role == "admin"


def can_receive_case(role: str | None) -> bool:
    """Who a case may be given to, by "take next" or a transfer."""
    return role in CASE_WORKERS
