"""One version number for everything that is cached from the database.

The dashboards' counters, the rendered relationship dashboards and the sorted ids
of the register lists are kept in the cache under keys that include
`data_version()`. Any save or delete of a model passed to `watch()` changes that
version (at once, and again after the commit, so that a request that read the
old rows in between cannot keep them cached): every such entry is then out of
date at the same moment, in every process that shares the cache. Production
shares it through Redis (CACHE_URL); with a per-process cache, another process
may show old figures for up to `cache_seconds()`.

bulk_create() and queryset update() send no signals: code that uses them on a
watched model calls data_changed() itself (generate_portfolio does).
"""

import hashlib
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "partnerplan:data-version"


def cache_seconds() -> int:
    """How long a cached entry lives at most; 0 turns the caching off."""
    return getattr(settings, "DASHBOARD_CACHE_SECONDS", 60)


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def data_changed() -> None:
    cache.set(VERSION_KEY, time.time_ns(), None)


def versioned_key(*parts: object) -> str:
    """A cache key for an entry that depends on these parts (user, filters, ids,
    day...) and on the data: the same parts give another key once data changed."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{data_version()}:{digest}"


def _model_changed(sender: type[Model], **kwargs: object) -> None:
    data_changed()
    transaction.on_commit(data_changed, using=kwargs.get("using"))


def watch(
    models: Iterable[type[Model]],
    receiver: Callable[..., None] = _model_changed,
) -> None:
    """Change the data version whenever a row of these models is saved or deleted
    (or call another `receiver`)."""
    name = f"{receiver.__module__}.{receiver.__qualname__}"
    for model in models:
        label = model._meta.label_lower
        post_save.connect(receiver, sender=model, dispatch_uid=f"{name}-save-{label}")
        post_delete.connect(
            receiver, sender=model, dispatch_uid=f"{name}-delete-{label}"
        )
