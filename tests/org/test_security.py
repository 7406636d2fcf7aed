"""Password hashing profiles and token digests."""

from __future__ import annotations

from zhishui.org import security


def test_strong_profile_is_argon2id_with_64_mib():
    h = security.PROFILES["strong"].hash("Secret-123")
    assert h.startswith("$argon2id$") and "m=65536,t=3" in h


def test_hash_made_with_cheaper_parameters_is_flagged_for_rehash():
    cheap = security.PROFILES["fast"].hash("Secret-123")
    assert security.PROFILES["strong"].check_needs_rehash(cheap)
    assert security.verify_password(cheap, "Secret-123")
    assert not security.verify_password(cheap, "secret-123")
    assert not security.verify_password(None, "Secret-123")


def test_token_digest_is_stable_and_not_the_token():
    token = security.new_token("zs_")
    assert token.startswith("zs_") and len(token) > 40
    assert security.token_digest(token) == security.token_digest(token) != token


def test_password_rules():
    assert security.password_problem("short1") is not None
    assert security.password_problem("abcdefghij") is not None
    assert security.password_problem("12345678") is not None
    assert security.password_problem("abcd-1234") is None
