"""What makes a password acceptable: long enough, and not one everybody tries first.

The list of common passwords ships beside this module (composed by scripts/compose_common_passwords.py).
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from hazards.domain.errors import N_, TranslatableValueError

MIN_LENGTH = 10
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


class WeakPassword(TranslatableValueError):
    """A new password refused by the rules above."""


@cache
def _common() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    return password.strip().lower() in _common()


def check_new_password(password: str) -> None:
    """Raise WeakPassword when `password` may not be set."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(N_("The password must have at least %(n)s characters."), {"n": MIN_LENGTH})
    if is_common(password):
        raise WeakPassword(N_("This password is among the most common ones and easy to guess; choose another."))


# No 0/O, 1/l/I: a generated password is read off a sheet and typed in by hand.
_GENERATED_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 14


def generate_password() -> str:
    """A random password for a new account, within the rules above (14 characters: about 81 bits)."""
    while True:
        password = "".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(GENERATED_LENGTH))
        if not is_common(password):
            return password
