"""Hypothesis strategies for hostile input, shared by the filter fuzzing (tests/kam/test_fuzz_filters.py)
and the form fuzzing (tests/test_fuzz_forms.py).

A value is a ``str`` (sent as UTF-8, lone surrogates as their raw bytes, which are no valid UTF-8)
or ``bytes`` (sent as they are: broken UTF-8 of other kinds). ``wire`` puts either into a URL or a
form body; ``as_django_reads_it`` is what a view then sees.
"""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st

# Single characters worth trying anywhere: NUL and other controls, lone surrogates, non-characters,
# bidirectional overrides, right-to-left letters, emoji (with joiners), a combining accent, a BOM.
ODD_CHARACTERS = [
    "\x00", "\x0b", "\x1b", "\x7f", "\r", "\t", "\n",
    "\ud800", "\udfff", "\ud83d",
    "\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\U0010ffff",
    "\u202e", "\u202d", "\u200f", "\u05e9", "\u0645", "😀", "\u200d", "\u0301", "\ufeff", "²", "١",
]  # fmt: skip
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "\"><script>alert('kam')</script>",
    "' OR 1=1 --",
    "'; DROP TABLE accounts_account; --",
    "1 UNION SELECT password FROM kam_user",
    "%' OR name ILIKE '%",
    "=1+1",
    "X;=1+1;Y",
    "+A1",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "שלום עולם",
    "👩\u200d⚕️ Dr. 😀",
    "\u202egpj.exe",
    "\u202dLRO\u202c",
    "{{ 7*7 }}{% debug %}",
    "99999999999999999999",
    "-1",
    "1e309",
    "NaN",
    "\\ud800",  # the escape as text, as a JSON or JavaScript client might send it
    # Text that looks like patient data (kam.patient_data), hostile as well: the warning shown
    # instead of a save must escape it too.
    'Herr <b>Müller</b>, geb. 12.03.1958 "><script>alert(1)</script>',
    "Fall-Nr. 4711<img src=x onerror=alert(1)> A123456789",
]
# Bytes that are no UTF-8: a lone surrogate, an overlong NUL, a stray continuation byte, a BOM
# of the wrong encoding, a cut-off sequence.
BROKEN_BYTES = [b"\xed\xa0\x80", b"\xc0\x80", b"\x80", b"\xff\xfe", b"\xf0\x9f\x98", b"abc\xffdef"]

CHARACTER = st.one_of(st.characters(), st.sampled_from(ODD_CHARACTERS))
FUZZ = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=CHARACTER, max_size=30),
    st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text(alphabet=CHARACTER, max_size=8)), min_size=2, max_size=4).map(
        "".join
    ),
    # Very long: up to what a front server lets through in a request line (gunicorn: 4,094 bytes).
    st.tuples(st.sampled_from(PAYLOADS + ODD_CHARACTERS), st.integers(300, 1500)).map(lambda t: (t[0] * t[1])[: t[1]]),
)
# Very long text for a form body: 10,000 characters to a million (a body has no line limit;
# Django refuses one over DATA_UPLOAD_MAX_MEMORY_SIZE with a 400).
LONG = st.tuples(st.sampled_from(PAYLOADS + ODD_CHARACTERS + ["a"]), st.integers(10_000, 1_000_000)).map(
    lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]]
)
# One example in twenty very long (they cost a second each), one in twenty broken bytes.
FORM_FUZZ = st.integers(0, 19).flatmap(lambda i: LONG if i == 0 else st.sampled_from(BROKEN_BYTES) if i == 1 else FUZZ)


def wire(value: str | bytes) -> str:
    """``value`` percent-encoded for a URL or a form body. Lone surrogates cannot be encoded as
    UTF-8 text; a client would send their bytes anyway."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote(raw, safe="")


def as_django_reads_it(value: str | bytes) -> str:
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")
