"""Text that every file format can hold, and the one rule that keeps unusable characters out of
the database.

XML 1.0, and so XLSX, PPTX and the XHTML the PDF is made from, cannot hold C0 control characters
other than tab, newline and carriage return, lone surrogates, or U+FFFE/U+FFFF; lxml refuses
them and one such character in one account name made every export that lists it fail with a 500.
The same characters, and the other Unicode non-characters, mean nothing to a reader: they come
from pasting (Word writes a manual line break as \\x0b) or from broken encodings.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

# C0 controls but tab, LF and CR; DEL; lone surrogates; the non-characters U+FDD0..U+FDEF and the
# last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE, ... U+10FFFF).
_PLANE_ENDS = "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
UNUSABLE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef{_PLANE_ENDS}]")


def xml_safe(value: Any) -> str:
    """``value`` as text with every character removed that XML cannot hold or that means nothing
    (see ``UNUSABLE``). Every spreadsheet and document writer passes stored text through this, so a
    file is written whatever the database holds."""
    return UNUSABLE.sub("", "" if value is None else str(value))


class CleanTextMixin:
    """For forms: drops unusable characters (``UNUSABLE``) from every text value before it is saved.

    Stripped, not refused: these characters are invisible, so a message saying the text holds one
    would ask the user to find what they cannot see, and the characters carry no meaning to keep
    (a pasted \\x0b line break, a U+FFFF from a broken conversion). Everything visible that was typed
    is kept. NUL alone is still refused, by Django's own validator on every ``CharField``, before
    this runs. A required field left empty by the stripping gets the field's usual "required" error.

    Works in ``clean()``, after the fields' and ``clean_<field>`` cleaning and before a model form
    builds its instance, so it sees fields that a form adds in its ``__init__`` too. Put it first
    among the bases: ``class AccountForm(CleanTextMixin, forms.ModelForm)``.
    """

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        for name, value in list(data.items()):
            if not isinstance(value, str) or not UNUSABLE.search(value):
                continue
            field = self.fields.get(name)  # type: ignore[attr-defined]
            cleaned = xml_safe(value)
            if field is not None and getattr(field, "strip", False):
                cleaned = cleaned.strip()
            data[name] = cleaned
            if not cleaned and field is not None and field.required:
                self.add_error(name, forms.ValidationError(field.error_messages["required"], code="required"))  # type: ignore[attr-defined]
        return data
