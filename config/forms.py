"""The base of every form of the apps: text input loses control characters.

Terminal escapes (ESC) and other C0/C1 controls have no place in a title or a
note, and bidirectional controls (RLO and its kin) make a title read differently
from what it holds ("Trojan Source"), in the app, in e-mails and in PDFs. One-line
fields lose them all (a tab or line break becomes a space); multi-line fields
(a Textarea) keep their line breaks and tabs and lose the rest. Passwords are
left as typed.
"""

import re
from collections.abc import Mapping
from typing import Any

from django import forms

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# C0 and C1 controls except tab, line feed and carriage return, DEL, and the
# bidirectional controls.
CONTROL_CHARACTERS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
LINE_BREAKS_AND_TABS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")


def text_without_controls(value: str, *, multiline: bool) -> str:
    if not multiline:
        value = LINE_BREAKS_AND_TABS.sub(" ", value)
    return CONTROL_CHARACTERS.sub("", value)


class ControlCharactersStrippedMixin:
    """Strips control characters from the submitted text of every CharField
    (and its kin: e-mail, URL, slug) before the form validates, so that the
    length checks, clean_<field>() methods, the saved row and the re-shown form
    all see the cleaned text."""

    def full_clean(self) -> None:
        if self.is_bound:
            self.data = self._data_without_controls(self.data)
        super().full_clean()

    def _data_without_controls(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        cleaned = data.copy()
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or isinstance(
                field.widget, forms.PasswordInput
            ):
                continue
            key = self.add_prefix(name)
            if key not in cleaned:
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            if hasattr(cleaned, "setlist"):  # a QueryDict: every value of the key
                cleaned.setlist(
                    key,
                    [
                        text_without_controls(value, multiline=multiline)
                        if isinstance(value, str)
                        else value
                        for value in cleaned.getlist(key)
                    ],
                )
            elif isinstance(cleaned[key], str):
                cleaned[key] = text_without_controls(cleaned[key], multiline=multiline)
        return cleaned


class Form(ControlCharactersStrippedMixin, forms.Form):
    pass


class ModelForm(ControlCharactersStrippedMixin, forms.ModelForm):
    pass
