"""Password hashing with Argon2id (argon2-cffi's recommended parameters) and the password policy.

The policy (:func:`check_strength`): at least ``PASSWORD_MIN_LENGTH`` characters (12 by default), no
spaces around it, not one of the common passwords shipped in ``common-passwords.txt`` (Django's list of
20,000, BSD licence: see ``common-passwords-LICENSE.txt`` beside it), not a common password with digits
or symbols around it, not a repeated pattern (``abcabcabcabc``) or a run (``123456789012``, ``qwertyuiop``),
and not containing the user's own name or e-mail address. A shipped list rather than ``zxcvbn``: no new
dependency, and a rule a user can be told in one sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

DEFAULT_MIN_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 5
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")
# Walks along a keyboard (rows, rows run together, columns) and the alphabet.
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertyuiopasdfghjklzxcvbnm",
                  "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "abcdefghijklmnopqrstuvwxyz")
_SEPARATORS = re.compile(r"[\s._\-]+")
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")

# A hash to verify against when the account does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("chair-dummy-password-for-timing")


class WeakPassword(ValueError):
    """A password the policy refuses; the message says why, in English and Chinese."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    return frozenset(line.strip().lower() for line in COMMON_PASSWORDS.read_text("utf-8").splitlines()
                     if line.strip())


def _is_repeated(text: str) -> bool:
    """Whether ``text`` is one short unit said again and again (``aaaa``, ``abab``, ``123123``)."""
    return any(len(text) % n == 0 and text[:n] * (len(text) // n) == text for n in range(1, len(text) // 2 + 1))


def _is_run(text: str) -> bool:
    """Whether ``text`` is a run of neighbouring characters (``abcdef``, ``987654``, ``qwerty``)."""
    for row in _KEYBOARD_ROWS:
        doubled = row * 3
        if text in doubled or text in doubled[::-1]:
            return True
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1}


def check_strength(password: str, *, min_length: int = DEFAULT_MIN_LENGTH, username: str = "",
                   email: str = "") -> None:
    """Raise :class:`WeakPassword` (a ValueError) for a password the policy refuses."""
    if len(password) < min_length:
        raise WeakPassword(f"the password needs at least {min_length} characters 密码至少需要 {min_length} 个字符")
    if password.strip() != password:
        raise WeakPassword("the password must not start or end with spaces 密码首尾不能有空格")
    lowered = password.lower()
    squeezed = _SEPARATORS.sub("", lowered)
    if len(set(squeezed)) < MIN_DISTINCT_CHARACTERS or _is_repeated(squeezed) or _is_run(squeezed):
        raise WeakPassword("the password is a repeated or sequential pattern: choose another 密码为重复或连续字符，请另选")
    common = common_passwords()
    core = _AROUND.sub("", squeezed)
    if lowered in common or squeezed in common or (len(core) >= 4 and core in common):
        raise WeakPassword("the password is too common: choose another 密码过于常见，请另选")
    own = {username.lower(), email.lower(), email.lower().split("@", 1)[0]}
    if any(len(part) >= 3 and (part in lowered or part in squeezed) for part in own):
        raise WeakPassword("the password must not contain your user name or e-mail address 密码不能包含用户名或电子邮件地址")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted; the parameters are in the hash string)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a missing hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
