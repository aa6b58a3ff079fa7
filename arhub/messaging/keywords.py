"""What an inbound text asks for: STOP, START or HELP.

The keyword sets follow the CTIA guidelines and Twilio's default opt-out handling:

* stop: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPT OUT (also OPTOUT, OPT-OUT).
* start: START, UNSTOP, and YES. YES counts only as the whole message ("Yes!"), never as the
  first word: "Yes I'll pay Friday" is a reply to the business, not a request to be texted again.
* help: HELP, INFO.

A keyword counts in any case, with any surrounding spaces or punctuation, or as the first word
of a longer text ("stop please", "  Stop."). Matching the first word is wider than the carriers'
exact match, so "End of the month is fine" stops texts too: a false stop only narrows what we
send and the customer can text START, while a missed stop is a compliance breach.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from enum import StrEnum


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    NONE = "none"


# Leading words (as a tuple of one or two words) and what they ask for.
_FIRST_WORDS: dict[tuple[str, ...], Keyword] = {
    ("stop",): Keyword.STOP,
    ("stopall",): Keyword.STOP,
    ("unsubscribe",): Keyword.STOP,
    ("cancel",): Keyword.STOP,
    ("end",): Keyword.STOP,
    ("quit",): Keyword.STOP,
    ("revoke",): Keyword.STOP,
    ("optout",): Keyword.STOP,
    ("opt", "out"): Keyword.STOP,
    ("start",): Keyword.START,
    ("unstop",): Keyword.START,
    ("help",): Keyword.HELP,
    ("info",): Keyword.HELP,
}
# Words that count only when they are the whole message.
_WHOLE_MESSAGE: dict[tuple[str, ...], Keyword] = {("yes",): Keyword.START}

# A word is a run of letters or digits: punctuation, emoji and spaces separate words, so
# "Stop.", "opt-out" and "STOP🛑" all read as the keyword.
_WORD = re.compile(r"[^\W_]+")


def keyword_classify(body: str) -> Keyword:
    # NFKC folds full-width and compatibility letters (full-width STOP) to plain ones; casefold is
    # the Unicode-correct lower-casing.
    text = unicodedata.normalize("NFKC", body).casefold()
    # Only the first three words matter (two for OPT OUT, a third to tell YES alone from
    # "yes I ..."), so a long body is never split in full.
    words = tuple(match.group() for match in itertools.islice(_WORD.finditer(text), 3))
    if words in _WHOLE_MESSAGE:
        return _WHOLE_MESSAGE[words]
    for length in (2, 1):
        keyword = _FIRST_WORDS.get(words[:length]) if len(words) >= length else None
        if keyword is not None:
            return keyword
    return Keyword.NONE
