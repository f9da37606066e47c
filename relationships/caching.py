"""Cache versions that follow the data they cover.

Every cached entry built from the database is stored under a key that includes
the versions of what it depends on, so a change makes the old entries unreachable
(they expire on their own) and leaves everything else in place:

- **a relationship's version** (`relationship_key`, `relationships_key`) moves on
  when any watched row of that relationship is saved or deleted: its dashboard,
  its register rows, its portfolio grid row;
- **an organisation's version** moves on when a relationship it takes part in
  changes, or its own people or partnerships do. Whatever spans a user's whole
  set of relationships (the portfolio's counters, a list's sorted ids) is keyed by
  the versions of the user's organisations (`portfolio_key`), so a save in one
  tenant's relationship re-renders nothing of another tenant;
- **the catalogue's version** (stages, principles, maturity levels) is part of
  every key: those names are on every page.

A version moves at the save and again after the commit, so that a request that
read the old rows in between cannot keep them cached. bulk_create() and queryset
update() send no signals: their callers call `relationships_changed()` themselves.

Caching is an optimisation: `DASHBOARD_CACHE_SECONDS=0` turns it off, and the
cache backend (config/cache.py) treats an unreachable cache server as a miss.
"""

import hashlib
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

CATALOGUE_VERSION_KEY = "partnerplan:v:catalogue"


def cache_seconds() -> int:
    """How long a cached entry lives at most; 0 turns the caching off."""
    return getattr(settings, "DASHBOARD_CACHE_SECONDS", 60)


def _relationship_version_key(relationship_id: int) -> str:
    return f"partnerplan:v:r:{relationship_id}"


def _organisation_version_key(organisation_id: int) -> str:
    return f"partnerplan:v:o:{organisation_id}"


def _versions(keys: list[str]) -> list[int]:
    """The current versions under these keys, in one round trip; a missing one
    (never set, evicted, or the cache emptied) starts anew."""
    found = cache.get_many(keys) if keys else {}
    missing = {key: time.time_ns() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    return [found[key] for key in keys]


def _key(ids: list[int], versions: list[int], parts: tuple) -> str:
    """The ids with their versions, the catalogue's (versions[0]) and the parts."""
    versioned = tuple(zip(ids, versions[1:], strict=True))
    return hashlib.sha256(repr((versioned, versions[0], parts)).encode()).hexdigest()


def relationship_key(relationship_id: int, *parts: object) -> str:
    """A key for an entry of one relationship (its dashboard, say) that also
    depends on `parts` (the day, the viewer's audience)."""
    return relationships_key([relationship_id], *parts)


def relationships_key(relationship_ids: Iterable[int], *parts: object) -> str:
    """A key for an entry built from rows of these relationships (one page of a
    list): a save in any of them gives another key, a save elsewhere does not.
    Caching off, no key ("") and no round trip to read the versions."""
    if cache_seconds() <= 0:
        return ""
    ids = sorted(set(relationship_ids))
    versions = _versions(
        [CATALOGUE_VERSION_KEY, *(_relationship_version_key(pk) for pk in ids)]
    )
    return f"r:{_key(ids, versions, parts)[:32]}"


def portfolio_key(organisation_ids: Iterable[int], *parts: object) -> str:
    """A key for an entry that spans every relationship of these organisations (a
    user's portfolio counters, a list's sorted ids): it changes when any of those
    relationships changes, and only then. Caching off, no key ("")."""
    if cache_seconds() <= 0:
        return ""
    ids = sorted(set(organisation_ids))
    versions = _versions(
        [CATALOGUE_VERSION_KEY, *(_organisation_version_key(pk) for pk in ids)]
    )
    return f"o:{_key(ids, versions, parts)[:32]}"


def _move_on(keys: list[str]) -> None:
    if keys:
        now = time.time_ns()
        cache.set_many(dict.fromkeys(keys, now), None)


def organisations_changed(organisation_ids: Iterable[int]) -> None:
    _move_on([_organisation_version_key(pk) for pk in set(organisation_ids)])


def relationships_changed(relationship_ids: Iterable[int]) -> None:
    """Move on the versions of these relationships and of their partners."""
    from relationships.models import Partnership

    ids = set(relationship_ids)
    if not ids:
        return
    partners = Partnership.objects.filter(relationship_id__in=ids).values_list(
        "organisation_id", flat=True
    )
    _move_on(
        [_relationship_version_key(pk) for pk in ids]
        + [_organisation_version_key(pk) for pk in set(partners)]
    )


def catalogue_changed() -> None:
    _move_on([CATALOGUE_VERSION_KEY])


def _now_and_after_commit(change: Callable[[], None], using: str | None) -> None:
    change()
    transaction.on_commit(change, using=using)


def relationship_of(instance: Model) -> int | None:
    """The relationship a watched row belongs to."""
    from relationships.models import Relationship

    if isinstance(instance, Relationship):
        return instance.pk
    relationship_id = getattr(instance, "relationship_id", None)
    if relationship_id is not None:
        return relationship_id
    for parent in ("assessment", "plan_version", "plan"):
        if getattr(instance, f"{parent}_id", None) is not None:
            # One small query for a rating, a decision or a plan version.
            try:
                return relationship_of(getattr(instance, parent))
            except ObjectDoesNotExist:  # deleted with its parent
                return None
    return None


def relationship_row_changed(sender: type[Model], instance: Model, **kwargs) -> None:
    """Receiver for rows of one relationship (registers, assessments, plans...).
    A partnership's organisation also moves on: its set of relationships changed."""
    relationship_id = relationship_of(instance)
    organisation_id = getattr(instance, "organisation_id", None)

    def change() -> None:
        if relationship_id is not None:
            relationships_changed([relationship_id])
        if organisation_id is not None:
            organisations_changed([organisation_id])

    _now_and_after_commit(change, kwargs.get("using"))


def organisation_row_changed(sender: type[Model], instance: Model, **kwargs) -> None:
    """Receiver for an organisation or one of its memberships: every relationship
    it takes part in shows its name or its people."""
    from relationships.models import Organisation, Partnership

    organisation_id = (
        instance.pk
        if isinstance(instance, Organisation)
        else getattr(instance, "organisation_id", None)
    )
    if organisation_id is None:
        return

    def change() -> None:
        organisations_changed([organisation_id])
        relationships_changed(
            Partnership.objects.filter(organisation_id=organisation_id).values_list(
                "relationship_id", flat=True
            )
        )

    _now_and_after_commit(change, kwargs.get("using"))


def catalogue_row_changed(sender: type[Model], **kwargs: object) -> None:
    _now_and_after_commit(catalogue_changed, kwargs.get("using"))


def watch(
    models: Iterable[type[Model]],
    receiver: Callable[..., None] = relationship_row_changed,
) -> None:
    """Call `receiver` whenever a row of these models is saved or deleted."""
    name = f"{receiver.__module__}.{receiver.__qualname__}"
    for model in models:
        label = model._meta.label_lower
        post_save.connect(receiver, sender=model, dispatch_uid=f"{name}-save-{label}")
        post_delete.connect(
            receiver, sender=model, dispatch_uid=f"{name}-delete-{label}"
        )
