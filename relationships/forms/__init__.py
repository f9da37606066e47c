"""Forms, one module per area: relationships, plans, registers, lifecycle."""

from django import forms

# A browser's date picker reads and sends ISO dates only: without this format an
# existing date renders in the locale's format, the picker shows it empty, and an
# unchanged form saves the date away.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
