from collections.abc import Callable, Iterator, Sequence
from functools import cached_property

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from relationships.caching import cache_seconds


class LazyRows(Sequence):
    """A page's rows, read from the database only when first used: a list page
    whose rendered rows are in the cache never reads them. True when the page has
    ids, without reading them."""

    def __init__(self, ids: list[int], read: Callable[[list[int]], list]) -> None:
        self.ids = ids
        self._read = read

    @cached_property
    def rows(self) -> list:
        return self._read(self.ids)

    def __bool__(self) -> bool:
        return bool(self.ids)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def __iter__(self) -> Iterator:
        return iter(self.rows)


class IdsFirstPaginator(Paginator):
    """Pages a sorted queryset in two steps: the ids in order, then one page's rows.

    A register list sorted across a large portfolio (objectives by relationship
    title, say) makes the database join and sort every visible row, which at a
    thousand relationships cost most of the page's time. Here that sort asks for
    ids alone, and, given a `cache_key` (the user's portfolio and the filters: see
    relationships/caching.py), the sorted ids are kept in the cache until one of
    the user's relationships changes: paging, or coming back
    to the list, then reads just the page's rows. `ids_check(ids)` (ids_visible_to)
    re-checks a page's ids on every request; `rows_for(ids)` reads their rows
    with the same access rules (rows_visible_to), and only if the page uses them
    (LazyRows).
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *args: object,
        cache_key: str,
        rows_for: Callable[[list[int]], list],
        ids_check: Callable[[list[int]], list[int]],
        **kwargs: object,
    ) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cache_key = cache_key
        self.rows_for = rows_for
        self.ids_check = ids_check

    @cached_property
    def ids(self) -> list[int]:
        seconds = cache_seconds()
        if seconds <= 0:
            return list(self.object_list.values_list("pk", flat=True))
        key = f"lists:{self.cache_key}"
        ids = cache.get(key)
        if ids is None:
            ids = list(self.object_list.values_list("pk", flat=True))
            cache.set(key, ids, seconds)
        return ids

    @cached_property
    def count(self) -> int:
        return len(self.ids)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        page_ids = self.ids_check(self.ids[bottom:top])  # the ids may be cached
        return self._get_page(LazyRows(page_ids, self.rows_for), number, self)
