"""Optimistic concurrency for every form that edits shared data.

Each edited row carries a `revision` (`Revisioned`). A form carries the revision
it was read at (`relationships.forms.RevisionFormMixin`), and the service claims
it with `revision_claim` before saving: one conditional UPDATE on the row itself,
`... WHERE id = %s AND revision = %s`. PostgreSQL re-checks that condition on the
newest row version when a concurrent writer held the row, so of two saves from the
same revision exactly one claims it; the other gets `StaleEdit` with the row as it
is now. (A filter through a join compiles to `WHERE id IN (subquery)`, which
PostgreSQL does not re-check: that is why the statement is written out here.)

The claim writes no history row; the service's `save()` afterwards writes the one
history row of the change. Other conditions (a plan version still a draft, an
assessment not final) are checked under `select_for_update` of the parent row.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router


class Revisioned(models.Model):
    """A row that forms edit from a revision, so stale saves can be refused."""

    revision = models.PositiveIntegerField(
        default=1, help_text="Bumped on every save, to refuse concurrent overwrites."
    )

    class Meta:
        abstract = True


class StaleEdit(Exception):
    """Someone else saved the record since the user opened it.

    `current` is the record as it is now, or None when it was removed meanwhile.
    """

    def __init__(self, *, current: models.Model | None) -> None:
        super().__init__("The record changed since it was opened.")
        self.current = current


def revision_claim(instance: models.Model, *, expected_revision: int | None) -> None:
    """Take the row from `expected_revision` to the next one, or raise StaleEdit.

    Call it first thing inside the service's transaction, then apply the changes
    and `save()`: the claimed row stays locked until the transaction ends.
    """
    model = type(instance)
    database = router.db_for_write(model, instance=instance)
    connection = connections[database]
    if not connection.in_atomic_block:
        raise RuntimeError("revision_claim must run inside the saving transaction.")
    if expected_revision is None or instance.pk is None:
        raise StaleEdit(current=_current(model, instance.pk))
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(model._meta.get_field("revision").column)
    key = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = {column} + 1 "
            f"WHERE {key} = %s AND {column} = %s",
            [instance.pk, expected_revision],
        )
        claimed = cursor.rowcount
    if claimed != 1:
        raise StaleEdit(current=_current(model, instance.pk))
    instance.revision = expected_revision + 1


def revision_claim_or_new[ModelT: models.Model](
    found: ModelT | None,
    *,
    expected_revision: int | None,
    new: Callable[[], ModelT],
) -> ModelT:
    """For a record made on its first save (one per parent, such as a schedule):
    claim the row found, or make a new one if the form was opened while there was
    none (revision 0). The caller locks the parent row first, so two first saves
    take turns and the second sees the first's row."""
    if found is not None:
        revision_claim(found, expected_revision=expected_revision)
        return found
    if expected_revision != 0:
        raise StaleEdit(current=None)
    return new()


def _current(model: type[models.Model], pk: Any) -> models.Model | None:
    if pk is None:
        return None
    return model._base_manager.filter(pk=pk).first()


# --- telling the person what changed ---------------------------------------------


@dataclass(frozen=True)
class StaleField:
    """One field where a refused save differs from what someone else saved."""

    label: str
    before: str | None  # None when the opened revision is not on record
    theirs: str
    yours: str
    they_changed: bool
    same: bool


@dataclass(frozen=True)
class StaleNotice:
    """What the shared partial shows after a refused save."""

    noun: str
    who: str
    when: datetime.datetime | None
    fields: list[StaleField]
    reload_url: str
    removed: bool = False


@dataclass(frozen=True)
class FieldValues:
    """A field's label and its value as shown, in each of the three copies."""

    label: str
    theirs: Any
    yours: Any
    before: Any = None
    theirs_shown: str = ""
    yours_shown: str = ""
    before_shown: str = ""


def stale_fields(
    values: Iterable[FieldValues], *, has_before: bool
) -> list[StaleField]:
    """The fields worth showing: where the user's value differs from theirs, or
    where they changed it since the user opened the record."""
    rows = []
    for field in values:
        they_changed = has_before and field.before != field.theirs
        same = field.theirs == field.yours
        if same and not they_changed:
            continue
        rows.append(
            StaleField(
                label=field.label,
                before=field.before_shown if has_before else None,
                theirs=field.theirs_shown,
                yours=field.yours_shown,
                they_changed=they_changed,
                same=same,
            )
        )
    return rows


def record_at_revision(record: models.Model, revision: int | None) -> Any | None:
    """The record as it was saved at a revision, from its history if it keeps one."""
    history = getattr(type(record), "history", None)
    if history is None or revision is None or record.pk is None:
        return None
    return (
        history.filter(id=record.pk, revision=revision).order_by("-history_id").first()
    )


def last_change(record: models.Model) -> tuple[str, datetime.datetime | None]:
    """Who saved the record last and when: from its history, else its own stamps."""
    history = getattr(type(record), "history", None)
    if history is not None:
        latest = (
            history.filter(id=record.pk)
            .select_related("history_user")
            .order_by("-history_id")
            .first()
        )
        if latest is not None:
            return person_label(latest.history_user), latest.history_date
    who = next(
        (
            getattr(record, name)
            for name in ("updated_by", "last_edited_by", "recorded_by", "uploaded_by")
            if getattr(record, name, None) is not None
        ),
        None,
    )
    when = next(
        (
            getattr(record, name)
            for name in ("updated_at", "recorded_at", "uploaded_at")
            if getattr(record, name, None) is not None
        ),
        None,
    )
    return person_label(who), when


def person_label(user: Any) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def stale_notice(
    stale: StaleEdit,
    *,
    noun: str,
    fields: list[StaleField],
    reload_url: str,
) -> StaleNotice:
    if stale.current is None:
        return StaleNotice(
            noun=noun,
            who="someone",
            when=None,
            fields=fields,
            reload_url=reload_url,
            removed=True,
        )
    who, when = last_change(stale.current)
    return StaleNotice(
        noun=noun, who=who, when=when, fields=fields, reload_url=reload_url
    )
