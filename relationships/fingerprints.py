"""SHA-256 fingerprints of what a person signs or confirms.

A sign-off counts only for the exact content it was given on: the fingerprint is
stored with the decision and compared with the content's fingerprint now.
"""

import hashlib
import json
from typing import Any


def content_sha256(content: Any) -> str:
    """The SHA-256 (hex) of `content` in a canonical JSON form: keys sorted, no
    insignificant spaces, dates and decimals as strings, so equal content always
    gives the same fingerprint whatever order it was built in."""
    canonical = json.dumps(
        content,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
