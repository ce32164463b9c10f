"""How lewsim words what it tells a user: suggestions, values, counts and refusals.

Every layer words its messages with these few functions, so that a refusal reads the same
wherever it is raised (``path = value: must be what is allowed``), a misspelt name gets
the same "did you mean", and the strict checks of a value (an integer is never a bool, a
string never a number) are one rule. The core is the lowest layer, so every layer can
import this module; it imports nothing of lewsim.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from pydantic import ValidationError
from pydantic_core import ErrorDetails

#: How long a value may be in a message before it is shortened.
VALUE_LIMIT = 80


# ---- strict values -------------------------------------------------------------------------


def is_integer(value: Any) -> bool:
    """Whether ``value`` is an integer: an ``int`` or NumPy integer, never a bool.

    Args:
        value: Anything.

    Returns:
        True for ``3`` or ``np.int64(3)``; False for ``True``, ``3.0`` or ``"3"``.
    """
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def is_number(value: Any) -> bool:
    """Whether ``value`` is a real number: an integer or a float (NumPy's too), never a bool.

    Args:
        value: Anything.

    Returns:
        True for ``3``, ``2.5`` or ``np.float64(nan)``; False for ``True`` or ``"2.5"``.
    """
    return is_integer(value) or isinstance(value, float | np.floating)


def is_boolean(value: Any) -> bool:
    """Whether ``value`` is ``True`` or ``False`` (NumPy's too), never ``1`` or ``"true"``.

    Args:
        value: Anything.

    Returns:
        True for a bool.
    """
    return isinstance(value, bool | np.bool_)


def is_count(value: Any, minimum: int = 1) -> bool:
    """Whether ``value`` is an integer of at least ``minimum`` (workers, steps, seeds).

    Args:
        value: Anything.
        minimum: The smallest count allowed.

    Returns:
        True for an integer (never a bool) that is ``minimum`` or more.
    """
    return is_integer(value) and value >= minimum


# ---- names and values ----------------------------------------------------------------------


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices spelt most like ``word``, closest first (difflib's ratio, at least 0.6).

    Args:
        word: What the user wrote.
        choices: The names allowed.
        n: At most this many.

    Returns:
        Up to ``n`` choices.
    """
    return difflib.get_close_matches(word, list(choices), n=n)


def either(names: Sequence[str], quote: Callable[[str], str] = repr) -> str:
    """Names joined as alternatives: ``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``.

    Args:
        names: The names.
        quote: How a name is written (``repr`` by default).

    Returns:
        The quoted names, the last after ``or``.
    """
    quoted = [quote(name) for name in names]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


def suggestion(names: Sequence[str], quote: Callable[[str], str] = repr) -> str:
    """``"did you mean 'a' or 'b'? "`` for the names a user may have meant, or ``""``.

    Args:
        names: Suggestions, the likeliest first (none: no suggestion).
        quote: How a name is written.

    Returns:
        The question with its trailing space, to go before the list of what is allowed.
    """
    return f"did you mean {either(names, quote)}? " if names else ""


def did_you_mean(
    word: str, choices: Iterable[str], *, n: int = 3, quote: Callable[[str], str] = repr
) -> str:
    """A "did you mean" for a misspelt name, or nothing if no choice is close.

    Args:
        word: What the user wrote.
        choices: The names allowed.
        n: At most this many suggestions.
        quote: How a suggestion is written (``repr`` by default: ``'pay_parity'``).

    Returns:
        ``"did you mean 'pay_parity'? "`` (with its trailing space, to go before the list of
        what is allowed), or ``""``.
    """
    return suggestion(close_matches(word, choices, n), quote)


def shorten(text: str, limit: int = VALUE_LIMIT) -> str:
    """``text``, cut to ``limit`` characters with ``...`` if it is longer.

    Args:
        text: A name or value as written.
        limit: The most characters kept, the ``...`` included.

    Returns:
        The text, at most ``limit`` characters long.
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(value: Any, limit: int = VALUE_LIMIT) -> str:
    """A value as a message shows it: its ``repr``, shortened to ``limit`` characters.

    Args:
        value: What the user gave.
        limit: The most characters shown.

    Returns:
        E.g. ``'1'`` for the string ``"1"``, ``[1.7]`` for a list.
    """
    return shorten(repr(value), limit)


def quoted(text: str, limit: int = 60) -> str:
    """A text the user gave, quoted for a message and cut to ``limit`` characters.

    Args:
        text: What the user wrote.
        limit: The most characters of it shown.

    Returns:
        ``'abc'``, or ``'abcdef'...`` for a longer text (the quotes stay whole).
    """
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "..."


def count(number: int, noun: str) -> str:
    """A number of things: ``"1 champion"``, ``"2 champions"``, ``"0 champions"``.

    Args:
        number: How many.
        noun: The thing, in the singular (its plural adds an ``s``).

    Returns:
        The number and the noun.
    """
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def join_words(items: Sequence[str]) -> str:
    """Words joined as prose: ``a``, ``a and b``, ``a, b and c``.

    Args:
        items: The words.

    Returns:
        The words joined with commas and a final ``and``.
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# ---- refusals ------------------------------------------------------------------------------


def error_reason(item: ErrorDetails) -> str:
    """Pydantic's reason for one error, as the rest of a sentence (lower case, no prefix).

    Args:
        item: One of ``ValidationError.errors()``.

    Returns:
        E.g. ``"input should be a valid integer"``.
    """
    message = item["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def refusal(
    path: str,
    value: Any,
    reason: str,
    *,
    missing: bool = False,
    show: Callable[[Any], str] = shown,
) -> str:
    """One refused value as one sentence: ``path = value: reason`` (``path: missing; ...``).

    Args:
        path: Where the value is (``events[2].coverage``, ``parameter 'n_orgs'``).
        value: The value given.
        reason: What is wrong or what is allowed (``"must be a number between 0 and 1"``).
        missing: No value was given (``value`` is then not shown).
        show: How the value is written.

    Returns:
        The sentence.
    """
    if missing:
        return f"{path}: missing; {reason}"
    return f"{path} = {show(value)}: {reason}"


def describe_errors(
    error: ValidationError,
    *,
    allowed: Callable[[str], str | None] = lambda field: None,
    unknown: Callable[[str], str] = lambda path: f"{path}: unknown field",
    show: Callable[[Any], str] = shown,
    own_reasons: Sequence[str] = (),
) -> list[str]:
    """Every error of a pydantic validation as one sentence each.

    Args:
        error: The validation error.
        allowed: What a field (its last name in the path) allows, in words, or ``None``
            to use pydantic's own reason.
        unknown: The sentence for a field the model does not have, given its path.
        show: How a value is written.
        own_reasons: Error types whose message is already lewsim's own sentence (used as
            it is, instead of ``allowed``).

    Returns:
        One sentence per error, in pydantic's order.
    """
    sentences = []
    for item in error.errors():
        path = ".".join(map(str, item["loc"]))
        field = str(item["loc"][-1]) if item["loc"] else ""
        if item["type"] == "extra_forbidden":
            sentences.append(unknown(path))
            continue
        words = allowed(field)
        if item["type"] in own_reasons:
            reason = item["msg"]
        elif words is not None:
            reason = f"must be {words}"
        elif item["type"] == "missing":
            reason = "it is required"
        else:
            reason = error_reason(item)
        missing = item["type"] == "missing"
        sentences.append(refusal(path, item.get("input"), reason, missing=missing, show=show))
    return sentences
