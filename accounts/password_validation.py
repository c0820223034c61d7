"""A password must not be the person's name or their email address in disguise.

Django's ``UserAttributeSimilarityValidator`` compares the whole password with each part of
the email address (and, here, the name) by the letters they share. It catches "jo.bloggs" for
jo.bloggs@northshire.gov.uk, but a password with a little added, "JoBloggs2024" or
"Bloggs!Bloggs", shares too few letters overall to trip it, and the model's ``name`` is not
among Django's default attributes at all. ``NotLikeYouValidator`` keeps Django's check, in
plain English, and adds what it misses: a password that contains the name or the email
address's first part, once case, punctuation, digits and look-alike digits ("J0 B1oggs") are
set aside.
"""

import re
import unicodedata
from typing import Any

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError

_LIKE_EMAIL = (
    "Your password is too like your email address. Choose one that does not contain your "
    "name or any part of your email address."
)
_LIKE_NAME = "Your password is too like your name. Choose one that does not contain your name."
_MESSAGES = {"email": _LIKE_EMAIL, "name": _LIKE_NAME}

# Digits and symbols people put in place of letters. "1" stands for "i" or "l", so the
# password is read both ways.
_SWAPS = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
_LOOKALIKES = [
    str.maketrans({**_SWAPS, "1": "i", "!": "i"}),
    str.maketrans({**_SWAPS, "1": "l", "!": "l"}),
]

# A single word of the name counts from this length: "Priya" or "Bloggs" in a password is
# the name, but refusing every password with "jo" or "lee" in it would refuse "majority".
_SHORTEST_WORD = 4
# The whole name or first part run together ("jobloggs") counts from this length.
_SHORTEST_WHOLE = 3


def _plain(text: str) -> str:
    """Lower case, accents removed: "Siân" is "sian"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def _readings(password: str) -> set[str]:
    """The password's letters as written and with look-alike digits read as letters."""
    plain = _plain(password)
    return {_letters(plain)} | {_letters(plain.translate(table)) for table in _LOOKALIKES}


def _giveaways(value: str) -> set[str]:
    """The strings a password must not contain: the words run together, and each long word."""
    words = [_letters(word) for word in re.split(r"[\W\d_]+", _plain(value))]
    words = [word for word in words if word]
    whole = "".join(words)
    found = {word for word in words if len(word) >= _SHORTEST_WORD}
    if len(whole) >= _SHORTEST_WHOLE:
        found.add(whole)
    return found


def _email_local_part(user: Any) -> str:
    email = getattr(user, "email", "") or ""
    return email.rsplit("@", 1)[0] if isinstance(email, str) else ""


class NotLikeYouValidator(UserAttributeSimilarityValidator):
    """Refuses a password like the person's email address or name, saying which and why."""

    DEFAULT_USER_ATTRIBUTES = ("email", "name")

    def __init__(
        self,
        user_attributes: tuple[str, ...] = DEFAULT_USER_ATTRIBUTES,
        max_similarity: float = 0.7,
    ) -> None:
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password: str, user: Any = None) -> None:
        if not user:
            return
        try:
            super().validate(password, user)
        except ValidationError as error:
            # Django's check, with words that say what to do instead.
            attribute = self._similar_attribute(password, user)
            raise ValidationError(
                _MESSAGES.get(attribute, _LIKE_NAME), code="password_too_similar"
            ) from error
        readings = _readings(password)
        sources = {"email": _email_local_part(user), "name": getattr(user, "name", "") or ""}
        for attribute, value in sources.items():
            if not isinstance(value, str) or attribute not in self.user_attributes:
                continue
            if any(giveaway in reading for giveaway in _giveaways(value) for reading in readings):
                raise ValidationError(_MESSAGES[attribute], code="password_contains_name")

    def _similar_attribute(self, password: str, user: Any) -> str:
        """Which attribute Django's check found the password too similar to."""
        for attribute in self.user_attributes:
            try:
                UserAttributeSimilarityValidator(
                    user_attributes=(attribute,), max_similarity=self.max_similarity
                ).validate(password, user)
            except ValidationError:
                return attribute
        return "name"

    def get_help_text(self) -> str:
        return "Your password cannot contain your name or the first part of your email address."
