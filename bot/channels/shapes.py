"""The last check before a platform's message is stored: the database's column limits.

Platforms send what their documentation promises, but a webhook is reachable by anyone holding
the secret and a bug on either side can send anything: an id the column cannot hold or a number
where text belongs must be refused here rather than fail inside the database.
"""

from __future__ import annotations

import dataclasses

from bot.helpline import Inbound
from bot.store.actions import UNSTORABLE

MAX_ID_CHARS = 128  # conversations.sender, messages.external_id
MAX_MEDIA_REF_CHARS = 512  # messages.media_ref
MAX_HINT_CHARS = 16
MAX_TEXT_CHARS = 20_000


def clean_text(text: str) -> str:
    # a lone UTF-16 surrogate cannot be encoded as UTF-8 (the database would refuse it), and
    # PostgreSQL text cannot hold NUL: both are cleaned from every string at the boundary
    return UNSTORABLE.sub("\ufffd", text.replace("\x00", ""))


def storable(inbound: Inbound) -> Inbound | None:
    """``inbound`` with its text cleaned, or None when its ids cannot be stored as they are."""
    ids = (inbound.sender, inbound.external_id)
    if not isinstance(inbound.sender, str) or not all(i is None or isinstance(i, str) for i in ids):
        return None
    if any(i is not None and (not i or len(clean_text(i)) != len(i) or len(i) > MAX_ID_CHARS) for i in ids):
        return None  # an id is never shortened or altered: two senders must not merge
    if not isinstance(inbound.text, str):
        return None
    media_ref = inbound.media_ref
    if media_ref is not None and (not isinstance(media_ref, str) or len(media_ref) > MAX_MEDIA_REF_CHARS):
        return None
    hint = inbound.language_hint
    if not isinstance(hint, str) or len(hint) > MAX_HINT_CHARS:
        hint = None
    return dataclasses.replace(
        inbound,
        text=clean_text(inbound.text)[:MAX_TEXT_CHARS],
        language_hint=hint,
        media_ref=clean_text(media_ref) if media_ref is not None else None,
    )
