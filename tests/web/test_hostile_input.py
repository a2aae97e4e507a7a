"""Hostile bodies on the public API: a clear 4xx or a stored message, never a 500."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.store.models import Message


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000 + b"]" * 5000,
        b'{"session": "abcdefgh12", "text": ' + b'{"a":' * 1500 + b"1" + b"}" * 1500 + b"}",
        b'{"session": "abcdefgh12", "text": "hi", "n": ' + b"9" * 5000 + b"}",
        b'{"session": "abcdefgh12\\n", "text": "hi"}',
    ],
)
async def test_malformed_bodies_are_refused_with_4xx(client, body):
    response = await client.post("/api/chat", content=body)
    assert 400 <= response.status_code < 500


async def test_surrogates_and_nul_are_cleaned_and_stored(client, sessions):
    body = b'{"session": "abcdefgh12", "text": "wages \\ud800 not paid \\u0000"}'
    response = await client.post("/api/chat", content=body)
    assert response.status_code == 200
    with sessions() as db:
        texts = db.scalars(select(Message.text).where(Message.direction == "in")).all()
    assert texts == ["wages \ufffd not paid "]


@pytest.mark.parametrize("after", ["9" * 25, "9223372036854775808", "²", "-1"])
async def test_updates_with_an_impossible_after_get_422(client, after):
    response = await client.get("/api/chat/updates", params={"session": "abcdefgh12", "after": after})
    assert response.status_code == 422


async def test_every_response_carries_the_security_headers(client):
    for response in (await client.get("/"), await client.post("/api/chat", content=b"x")):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_inline_scripts_run_only_with_the_responses_own_nonce(client):
    nonces = []
    for _ in range(2):
        page = await client.get("/")
        policy = page.headers["content-security-policy"]
        script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]{16,})'", script_src).group(1)
        assert f'<script nonce="{nonce}">' in page.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1]  # a new one per response: an injected script cannot guess it


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(session=st.one_of(st.text(max_size=70), JSON), text=st.one_of(st.text(max_size=50), JSON), extra=JSON)
async def test_fuzzed_chat_requests_never_answer_5xx(client, session, text, extra):
    payload = json.dumps({"session": session, "text": text, "language_hint": extra}).encode()
    response = await client.post("/api/chat", content=payload)
    assert response.status_code < 500


HEADER = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=70)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    session=HEADER,
    hint=HEADER,
    data=st.binary(max_size=2048),
    declared=st.one_of(HEADER, st.sampled_from(["image/png", "audio/webm", "application/pdf", "video/webm"])),
    name=st.text(max_size=40).filter(lambda n: "\x00" not in n),
)
async def test_fuzzed_uploads_and_history_requests_never_answer_5xx(client, session, hint, data, declared, name):
    headers = {"X-Chat-Session": session, "X-Language-Hint": hint}
    upload = await client.post(
        "/api/chat/upload", headers=headers, files={"file": (name or "f", data, declared or "x/y")}
    )
    assert upload.status_code < 500
    history = await client.get("/api/chat/history", headers={"X-Chat-Session": session})
    assert history.status_code < 500
