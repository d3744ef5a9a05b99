"""Secret scrubbing by pattern: each match is replaced by a placeholder naming its kind.

Kinds: private keys (PEM blocks), AWS access key ids, GitHub, Slack, Google API, Stripe and
OpenAI-style tokens, assignments of long literal values to names like `password` or `api_key`,
and e-mail addresses. Replacing keeps the surrounding code usable for training; the file stays.
"""

import re
from collections import Counter
from typing import Tuple

TLDS = ("com|org|net|edu|gov|mil|int|io|dev|ai|app|info|biz|co|us|uk|de|fr|jp|cn|ru|nl|se|ch|it|es"
        "|eu|ca|au|in|br|pl|cz|at|be|dk|fi|no|kr|me|tech|xyz|local|test|example|invalid")

PATTERNS = [
    ("private_key", re.compile(
        r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----.*?-----END (?:[A-Z]+ )*PRIVATE KEY-----", re.DOTALL),
     "<PRIVATE_KEY>"),
    ("aws_key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "<AWS_KEY>"),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"), "<TOKEN>"),
    ("slack_token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), "<TOKEN>"),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), "<TOKEN>"),
    ("stripe_key", re.compile(r"\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,}\b"), "<TOKEN>"),
    ("openai_key", re.compile(r"\bsk-[A-Za-z0-9_\-]{32,}\b"), "<TOKEN>"),
    # password = "…", API_KEY: '…', secret_token="…": the literal goes, the name stays.
    ("assigned_secret", re.compile(
        r"(?i)((?:password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|secret[_-]?key|token)"
        r"[\"']?\s*[:=]\s*[\"'])([^\"'\s]{12,})([\"'])"), None),
    # A known top-level domain keeps `x@self.weight` (Python's matrix product) out.
    ("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:" + TLDS + r")\b(?![(\[]|\.\w)"),
     "<EMAIL>"),
]


def scrub(text: str) -> Tuple[str, Counter]:
    """The text with secrets replaced, and how many of each kind were replaced."""
    found = Counter()
    for kind, pattern, placeholder in PATTERNS:
        if placeholder is None:
            text, n = pattern.subn(lambda m: m.group(1) + "<SECRET>" + m.group(3), text)
        else:
            text, n = pattern.subn(placeholder, text)
        if n:
            found[kind] += n
    return text, found
