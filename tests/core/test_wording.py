"""The one wording module: suggestions, values, counts, strict checks and refusals."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulation.core.errors import InputError, LewsimError, SettingsFileError
from simulation.core.wording import (
    count,
    describe_errors,
    did_you_mean,
    either,
    is_boolean,
    is_count,
    is_integer,
    is_number,
    join_words,
    quoted,
    shorten,
    shown,
)


@pytest.mark.parametrize(
    ("value", "integer", "number", "boolean"),
    [
        (3, True, True, False),
        (np.int64(3), True, True, False),
        (2.5, False, True, False),
        (np.float64("nan"), False, True, False),
        (True, False, False, True),
        (np.True_, False, False, True),
        ("3", False, False, False),
        (None, False, False, False),
    ],
)
def test_one_strict_rule_for_integers_numbers_and_booleans(value, integer, number, boolean):
    assert (is_integer(value), is_number(value), is_boolean(value)) == (integer, number, boolean)


def test_a_count_is_an_integer_of_at_least_its_minimum():
    assert is_count(1) and is_count(np.int32(5)) and is_count(0, minimum=0)
    assert not is_count(0) and not is_count(True) and not is_count(2.0) and not is_count(-1, 0)


def test_did_you_mean_suggests_close_names_or_nothing():
    names = ["pay_parity", "role_clarity", "board_support"]
    assert did_you_mean("pay_parrity", names) == "did you mean 'pay_parity'? "
    assert did_you_mean("pay_parrity", names, quote=str) == "did you mean pay_parity? "
    assert did_you_mean("zzz", names) == ""
    assert did_you_mean("parity", ["pay_parity", "parity_pay"]) == (
        "did you mean 'pay_parity' or 'parity_pay'? "
    )
    assert either(["a", "b", "c"]) == "'a', 'b' or 'c'" and either([]) == ""


def test_long_values_are_shortened_to_the_limit():
    assert shorten("abc", 5) == "abc"
    assert shorten("abcdefgh", 5) == "ab..."
    assert len(shown("x" * 500)) == 80 and shown("x" * 500).endswith("...")
    assert shown([1.7]) == "[1.7]"
    assert quoted("abc") == "'abc'" and quoted("abcdef", 3) == "'abc'..."


def test_counts_and_lists_read_as_prose():
    assert [count(n, "champion") for n in (0, 1, 2)] == ["0 champions", "1 champion", "2 champions"]
    assert join_words([]) == "" and join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b" and join_words(("a", "b", "c")) == "a, b and c"


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: int = Field(ge=1)
    name: str = "x"


def _error(**data) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Settings(**data)
    return caught.value


def test_each_pydantic_error_becomes_one_sentence_naming_field_value_and_what_is_allowed():
    sentences = describe_errors(
        _error(steps=0, colour="red"), allowed={"steps": "an integer >= 1"}.get
    )
    assert sentences == ["steps = 0: must be an integer >= 1", "colour: unknown field"]
    assert describe_errors(_error()) == ["steps: missing; it is required"]
    assert describe_errors(_error(steps="many")) == [
        "steps = 'many': input should be a valid integer, unable to parse string as an integer"
    ]


def test_a_settings_file_error_is_a_lewsim_input_error():
    assert issubclass(SettingsFileError, InputError) and issubclass(SettingsFileError, LewsimError)
