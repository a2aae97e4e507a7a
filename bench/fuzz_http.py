"""A bounded fuzzer for a running helpline: N hostile requests to the public JSON API, counting 5xx.

    python -m bench.fuzz_http --url http://127.0.0.1:8000 --requests 2000

Bodies: deep nesting, integers over 4,300 digits, lone surrogates, NUL, wrong types, and random
well-formed JSON; 'after' values too long for the database. Seeded, so a run can be repeated.
"""

from __future__ import annotations

import argparse
import json
import random

import httpx


def nasty_body(rng: random.Random) -> bytes:
    session = rng.choice(["abcdefgh12", "x", "abcdefgh12\n", "a" * 65, 5, None, "fuzz" + str(rng.randrange(10**6))])
    text = rng.choice(["hi", "\ud800", "a\x00b", 12345, None, [], {"a": 1}, "İ" * 10, "x" * 20_001])
    kind = rng.randrange(5)
    if kind == 0:
        depth = rng.choice([10, 1000, 5000])
        return b'{"session": "abcdefgh12", "text": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == 1:
        return b'{"session": "abcdefgh12", "text": "hi", "n": ' + b"7" * rng.choice([10, 4301, 9000]) + b"}"
    if kind == 2:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    return json.dumps(
        {"session": session, "text": text, "language_hint": rng.choice([None, 5, "ru", "x" * 40])}
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counts = {"requests": 0, "5xx": 0, "errors": 0}
    with httpx.Client(base_url=args.url, timeout=30) as client:
        for _ in range(args.requests):
            try:
                if rng.random() < 0.2:
                    after = rng.choice(["1", "9" * 25, "abc", "²", "-1", "9223372036854775808"])
                    response = client.get("/api/chat/updates", params={"session": "abcdefgh12", "after": after})
                else:
                    response = client.post("/api/chat", content=nasty_body(rng))
            except httpx.HTTPError:
                counts["errors"] += 1
                continue
            counts["requests"] += 1
            counts["5xx"] += response.status_code >= 500
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
