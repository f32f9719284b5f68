"""The shape of an invite code: what the bot prints, what a person types back, and how both compare.

It is vocabulary (a channel builds a deep link from a code; the registration flow checks one), so it lives
on the ground floor; issuing and redeeming invites is handlers/invites.py.
"""

from __future__ import annotations

import secrets

# Crockford's base32: no I, L, O, U, so a code read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 × 5 bits = 80 bits
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """The code as stored: upper case, no separators, confusable letters mapped to digits."""
    return "".join(c for c in text.upper() if c.isalnum()).translate(_CONFUSABLE)
