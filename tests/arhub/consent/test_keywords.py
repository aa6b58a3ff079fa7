from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arhub.messaging.keywords import Keyword, keyword_classify

CASES = [
    # Every opt-out word, in any case, alone or first.
    ("STOP", Keyword.STOP),
    ("stop", Keyword.STOP),
    ("  Stop.", Keyword.STOP),
    ("stop please", Keyword.STOP),
    ("Stop!!!", Keyword.STOP),
    ("STOPALL", Keyword.STOP),
    ("Unsubscribe", Keyword.STOP),
    ("cancel", Keyword.STOP),
    ("END", Keyword.STOP),
    ("quit.", Keyword.STOP),
    ("Revoke", Keyword.STOP),
    ("OPT OUT", Keyword.STOP),
    ("opt-out", Keyword.STOP),
    ("Optout", Keyword.STOP),
    ("opt   out now", Keyword.STOP),
    ("\n\tstop\n", Keyword.STOP),
    ('"STOP"', Keyword.STOP),
    ("stop🛑", Keyword.STOP),
    ("\uff33\uff34\uff2f\uff30", Keyword.STOP),  # full-width STOP, from some keyboards
    ("Stop, I paid already", Keyword.STOP),
    # Back in.
    ("START", Keyword.START),
    ("start.", Keyword.START),
    ("Unstop", Keyword.START),
    ("YES", Keyword.START),
    ("Yes!", Keyword.START),
    # Help.
    ("HELP", Keyword.HELP),
    ("help?", Keyword.HELP),
    ("Info", Keyword.HELP),
    ("help me understand this bill", Keyword.HELP),
    # Not keywords.
    ("", Keyword.NONE),
    ("   ", Keyword.NONE),
    ("...", Keyword.NONE),
    ("Thanks, paid today", Keyword.NONE),
    ("please stop", Keyword.NONE),  # only the first word counts
    ("Yes I will pay on Friday", Keyword.NONE),  # YES only on its own
    ("stopped by the bank", Keyword.NONE),  # a longer word is not the keyword
    ("STOP2", Keyword.NONE),
    ("opt in", Keyword.NONE),
    ("unsubscribed?", Keyword.NONE),
    ("helpful, thanks", Keyword.NONE),
    ("🛑", Keyword.NONE),
]


@pytest.mark.parametrize(("body", "expected"), CASES)
def test_keyword_classify(body: str, expected: Keyword) -> None:
    assert keyword_classify(body) == expected


@given(st.text())
def test_any_text_gets_a_keyword_and_never_raises(body: str) -> None:
    assert keyword_classify(body) in set(Keyword)


@given(
    st.sampled_from(["stop", "STOP", "Cancel", "end", "quit", "opt out", "UNSUBSCRIBE"]),
    st.text(alphabet=" .,!?-\t\n", max_size=5),
    st.text(alphabet=" .,!?\t\n", max_size=5),
    st.one_of(st.just(""), st.text(min_size=1).map(lambda rest: " " + rest)),
)
def test_an_opt_out_word_stops_whatever_surrounds_it(
    word: str, before: str, after: str, rest: str
) -> None:
    assert keyword_classify(before + word + after + rest) == Keyword.STOP
