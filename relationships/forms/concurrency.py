"""The hidden revision every editing form carries, and the comparison it shows
when its save is refused (see relationships.concurrency)."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.utils.formats import date_format

from config.forms import Form, ModelForm
from relationships.concurrency import (
    FieldValues,
    StaleEdit,
    StaleField,
    record_at_revision,
    revision_claim,
    stale_fields,
)


def shown_value(field: forms.Field, value: Any) -> str:
    """A value as the person reads it: choice labels, names, dates, Yes/No."""
    if value is None or value == "":
        return ""
    if isinstance(value, list | tuple | models.QuerySet):
        return ", ".join(sorted(shown_value(field, item) for item in value))
    if isinstance(value, models.Model):
        if isinstance(field, forms.ModelChoiceField):
            return str(field.label_from_instance(value))
        return str(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): label for key, label in field.choices}
        return str(labels.get(str(value), value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


class RevisionFormMixin(Form):
    """Adds the hidden `revision` the record had when the form was opened.

    A ModelForm takes it from its instance; other forms are given it as initial
    data (0 for a record that does not exist yet). After a refused save,
    `stale_fields` compares the record as it is now with the user's input and
    `keep_input_at` moves the form to the current revision, so that saving again,
    knowingly, keeps the user's values.
    """

    revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": "The form lost track of the version it was opened at; "
            "reload the page.",
            "invalid": "The form lost track of the version it was opened at; "
            "reload the page.",
        },
    )
    # Fields that are not the record's own (a revision's reason, an upload).
    stale_excluded_fields: tuple[str, ...] = ()
    # A record made on its first save (a schedule) is guarded from revision 0;
    # a form that only ever creates new records needs no revision.
    revision_on_create = False
    # Set when a save from this form was refused as stale.
    stale_refusal: StaleEdit | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is None:
            return
        if instance.pk is None and not self.revision_on_create:
            del self.fields["revision"]
        elif "revision" not in self.initial:
            self.initial["revision"] = instance.revision if instance.pk else 0

    def full_clean(self) -> None:
        super().full_clean()
        # A hidden field's error would show nowhere: show it above the form.
        if self.is_bound and "revision" in self._errors:
            self._errors.setdefault(
                NON_FIELD_ERRORS, self.error_class(error_class="nonfield")
            ).extend(self._errors.pop("revision"))

    @property
    def expected_revision(self) -> int:
        return self.cleaned_data["revision"]

    def record_changes(self) -> dict[str, Any]:
        """The record's fields the user changed, for the service to apply."""
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name != "revision"
            and name not in self.stale_excluded_fields
            and name in self.cleaned_data
        }

    def keep_input_at(self, revision: int) -> None:
        """Show the user's input again, now based on `revision`."""
        self.data = self.data.copy()
        self.data[self.add_prefix("revision")] = str(revision)

    def stale_fields(self, current: models.Model | None) -> list[StaleField]:
        """The record's fields where it now differs from the user's input."""
        if current is None:
            return []
        before = record_at_revision(current, self.cleaned_data.get("revision"))
        return stale_fields(
            (
                self._field_values(name, current=current, before=before)
                for name in self.fields
                if name != "revision" and name not in self.stale_excluded_fields
            ),
            has_before=before is not None,
        )

    def stale_refused(self, stale: StaleEdit) -> list[StaleField]:
        """Compare, then carry the current revision; returns the comparison."""
        self.stale_refusal = stale
        rows = self.stale_fields(stale.current)
        self.keep_input_at(stale.current.revision if stale.current else 0)
        return rows

    def _field_values(
        self, name: str, *, current: models.Model, before: Any
    ) -> FieldValues:
        field = self.fields[name]
        theirs = self.stored_value(current, name)
        yours = self.cleaned_data.get(name)
        # History keeps the record's own columns, not its many-to-many links:
        # where it does not know, the field is not marked as changed by them.
        earlier = (
            self.stored_value(before, name)
            if before is not None and hasattr(before, name)
            else theirs
        )
        return FieldValues(
            label=str(field.label or name.replace("_", " ").capitalize()),
            theirs=_comparable(theirs),
            yours=_comparable(yours),
            before=_comparable(earlier),
            theirs_shown=shown_value(field, theirs),
            yours_shown=shown_value(field, yours),
            before_shown=shown_value(field, earlier),
        )

    def stored_value(self, record: Any, name: str) -> Any:
        """A field's value in the record (or its historical copy)."""
        value = getattr(record, name, None)
        if isinstance(value, models.Manager):  # a many-to-many field
            return list(value.all()) if record.pk else []
        return value


def _comparable(value: Any) -> Any:
    if isinstance(value, list | tuple | models.QuerySet):
        return frozenset(_comparable(item) for item in value)
    if isinstance(value, models.Model):
        return (type(value).__name__, value.pk)
    if value is None:
        return ""
    return value


class RevisionModelForm(RevisionFormMixin, ModelForm):
    """A ModelForm that refuses to save over a newer copy of its record: the one
    form class the admin uses for edited shared records (team seats, partners).

    The admin lays out its pages from the form class, so the field stays on add
    forms too (at 0, and unused: a new record starts at revision 1).
    """

    revision_on_create = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["revision"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if self.instance.pk is None or "revision" not in cleaned_data:
            return cleaned_data
        current = type(self.instance)._base_manager.filter(pk=self.instance.pk).first()
        if current is None or current.revision != cleaned_data["revision"]:
            rows = self.stale_refused(StaleEdit(current=current))
            details = "; ".join(
                f"{row.label}: theirs “{row.theirs or '—'}”, yours “{row.yours or '—'}”"
                for row in rows
            )
            raise forms.ValidationError(
                "Not saved: someone else changed this record while you were editing "
                "it. Your input is kept below; save again to replace their version "
                "with yours." + (f" Differences: {details}." if details else "")
            )
        return cleaned_data

    def save(self, commit: bool = True) -> Any:
        if self.instance.pk is None:
            self.instance.revision = 1
        elif commit:
            self.claim_revision()
        # With commit=False the caller saves later, or not at all (the admin
        # builds the object before it knows its inlines are valid): it calls
        # claim_revision() right before its own save.
        return super().save(commit=commit)

    def claim_revision(self) -> None:
        """clean() compared without a lock; the claim is the check that holds
        under concurrency (the admin saves inside one transaction)."""
        revision_claim(self.instance, expected_revision=self.cleaned_data["revision"])


class RevisionOnlyForm(RevisionFormMixin):
    """A confirmation (mark an action done, clear a record) that carries only the
    revision of the record the person looked at."""
