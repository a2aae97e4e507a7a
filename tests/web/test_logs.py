"""An access log record of a request carrying secrets in its query holds none of them."""

import contextlib
import logging

from bot.web.app import create_app


def access_record(path: str) -> logging.LogRecord:
    # the shape of uvicorn's access records: '%s - "%s %s HTTP/%s" %d'
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", path, "1.1", 200),
        None,
    )


def test_access_log_records_hold_no_verify_token_and_no_session():
    create_app(contextlib.nullcontext)  # installs the filter
    access = logging.getLogger("uvicorn.access")
    verify = access_record("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=TOPSECRET&hub.challenge=1")
    updates = access_record("/api/chat/updates?session=SESSIONSECRET1&after=3")
    for record in (verify, updates):
        assert access.filter(record)
    lines = [verify.getMessage(), updates.getMessage()]
    assert not any("TOPSECRET" in line or "SESSIONSECRET1" in line for line in lines)
    assert "hub.mode=subscribe" in lines[0] and "after=3" in lines[1]
