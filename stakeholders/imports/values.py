"""Turning a cell's text into a field's value, as CRMs and Excel in Germany write them:
dates as 31.12.2026 or 2026-12-31, decimal commas, choices in English or German."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


class BadValue(ValueError):
    """A cell that cannot become the field's value; the message is the rejection's reason."""


def normalise(text: str) -> str:
    """Lower case, umlauts folded (ä -> ae, ß -> ss), punctuation as single spaces: "E-Mail-Adresse"
    and "email adresse" come out the same."""
    text = text.strip().lower().replace("ß", "ss")
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y", "%Y/%m/%d")


def parse_date(text: str) -> date:
    text = text.strip()
    candidate = text.split("T")[0].split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    raise BadValue(_("“%(value)s” is not a date (write 31.12.2026 or 2026-12-31).") % {"value": text[:40]})


def parse_decimal(text: str) -> Decimal:
    """1.234,56 and 1,234.56 and 1234,56 and 12 % all read as numbers: where both separators occur the
    last is the decimal one; a lone comma is a decimal comma (Excel in Germany writes it)."""
    raw = text
    text = text.replace("\u00a0", "").replace(" ", "").replace("%", "").replace("€", "").replace("'", "")
    if "," in text and "." in text and text.rfind(",") < text.rfind("."):
        text = text.replace(",", "")
    else:
        text = text.replace(".", "").replace(",", ".") if "," in text else text
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise BadValue(_("“%(value)s” is not a number.") % {"value": raw[:40]}) from exc
    if not value.is_finite():
        raise BadValue(_("“%(value)s” is not a number.") % {"value": raw[:40]})
    return value


def parse_int(text: str, low: int | None = None, high: int | None = None) -> int:
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise BadValue(_("“%(value)s” is not a whole number.") % {"value": text[:40]})
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise BadValue(_("%(value)s is outside %(low)s to %(high)s.") % {"value": number, "low": low, "high": high})
    return number


def parse_bool(text: str) -> bool:
    value = normalise(text)
    if value in {"1", "yes", "y", "true", "ja", "j", "x", "wahr"}:
        return True
    if value in {"0", "no", "n", "false", "nein", "falsch"}:
        return False
    raise BadValue(_("“%(value)s” is neither yes nor no.") % {"value": text[:40]})


def parse_choice(text: str, synonyms: dict[str, str], label: str) -> str:
    """The choice whose value or synonym is the cell, or is contained in it ("Hospital_vod" is a
    hospital). ``synonyms`` maps normalised words to values, tried in their order."""
    value = normalise(text.replace("_vod", ""))
    if value in synonyms:
        return synonyms[value]
    for word, choice in synonyms.items():
        if len(word) > 3 and word in value:
            return choice
    raise BadValue(_("“%(value)s” is not a known %(label)s.") % {"value": text[:40], "label": label})
