import datetime
import hashlib
from decimal import Decimal

from relationships.fingerprints import content_sha256


def test_equal_content_gives_the_same_fingerprint_whatever_the_key_order() -> None:
    assert content_sha256({"a": 1, "b": [1, 2]}) == content_sha256(
        {"b": [1, 2], "a": 1}
    )


def test_any_change_of_content_changes_the_fingerprint() -> None:
    signed = {"governance": {"cadence": "monthly"}}
    changed = {"governance": {"cadence": "monthly "}}

    assert content_sha256(signed) != content_sha256(changed)


def test_fingerprint_is_the_sha256_of_canonical_json() -> None:
    content = {"when": datetime.date(2026, 1, 31), "kpi": Decimal("1.50"), "é": "ü"}

    expected = hashlib.sha256(
        '{"kpi":"1.50","when":"2026-01-31","é":"ü"}'.encode()
    ).hexdigest()
    assert content_sha256(content) == expected
