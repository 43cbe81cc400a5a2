"""Chat ids in logs: a keyed hash, so a log reader without LOG_HASH_KEY cannot get the id back
by hashing every possible Telegram id (there are only about 2^33 of them)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from bot.redaction import chat_hash

REPO = Path(__file__).resolve().parents[1]
CHAT = 5_123_456_789  # a 33-bit Telegram id


def hash_in_a_new_process(**env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", f"from bot.redaction import chat_hash; print(chat_hash({CHAT}))"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), **env},
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def hash_with_key_in_a_new_process(key: str) -> str:
    code = (
        "from bot.redaction import chat_hash, set_hash_key; "
        f"set_hash_key({key!r}); print(chat_hash({CHAT}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO)},
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_two_keys_give_different_hashes_and_one_key_the_same_hash() -> None:
    assert chat_hash(CHAT, b"key-one") != chat_hash(CHAT, b"key-two")
    assert chat_hash(CHAT, b"key-one") == chat_hash(str(CHAT), b"key-one")
    assert chat_hash(CHAT, b"key-one") != chat_hash(CHAT + 1, b"key-one")
    assert str(CHAT) not in chat_hash(CHAT)


def test_without_log_hash_key_each_process_has_its_own_random_key() -> None:
    assert hash_in_a_new_process() != hash_in_a_new_process()


def test_log_hash_key_makes_the_hash_the_same_across_processes() -> None:
    key = "a-log-hash-key-shared-by-the-workers"
    assert hash_with_key_in_a_new_process(key) == hash_with_key_in_a_new_process(key)
    assert hash_with_key_in_a_new_process(key) == chat_hash(CHAT, key.encode())


def test_enumerating_ids_without_the_key_does_not_find_the_chat() -> None:
    """The attack on an unkeyed hash: hash every id and look the logged value up. Here the
    200,000 ids around the real one stand in for all 2^33; the attacker tries the unkeyed
    hashes and an empty key, and the logged hash matches none of them."""
    logged = chat_hash(CHAT, b"the-operators-secret-log-hash-key")
    candidates = range(CHAT - 100_000, CHAT + 100_000)
    unkeyed = {hashlib.sha256(str(i).encode()).hexdigest()[:12] for i in candidates}
    empty_key = {chat_hash(i, b"") for i in candidates}
    assert logged not in unkeyed
    assert logged not in empty_key
    # ...while with the key the same enumeration finds it: the key is the only protection.
    assert chat_hash(CHAT, b"the-operators-secret-log-hash-key") == logged
