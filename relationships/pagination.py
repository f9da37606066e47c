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
    """Pages a sorted queryset of register rows in two steps: one page's ids, then
    that page's rows, and only if the page uses them (LazyRows).

    The database sorts and pages: one query returns the page's ids, with their
    relationships' ids (which key the rendered rows, relationships_key), and a
    second the number of rows in all, unless `kept_count()` knows it (the
    unfiltered list of a user whose organisation's totals are kept). Given a
    `cache_key` (the user's organisations and the filters: see
    relationships/caching.py), a page's ids and the count are cached until one
    of those organisations' relationships changes. Ids from the cache are
    checked for the user again on every request, `ids_check(ids)`
    (ids_visible_to); `rows_for(ids)` then reads the rows of ids that were read
    or checked for the user on this request.
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *args: object,
        cache_key: str,
        rows_for: Callable[[list[int]], list],
        ids_check: Callable[[list[int]], list[int]],
        kept_count: Callable[[], int | None] = lambda: None,
        **kwargs: object,
    ) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cache_key = cache_key
        self.rows_for = rows_for
        self.ids_check = ids_check
        self.kept_count = kept_count
        self.relationship_ids: list[int] = []

    def _read_page(self, number: int) -> tuple[int, list[tuple[int, int]]]:
        """The count of all rows and this page's (id, relationship id) pairs, in
        two queries: the page alone can stop after its rows (PostgreSQL walks
        the relationships by title, relationships_title_idx), which a count over
        the same query would not let it do."""
        bottom = (number - 1) * self.per_page
        pairs = list(
            self.object_list.values_list("pk", "relationship_id")[
                bottom : bottom + self.per_page
            ]
        )
        if not pairs and number == 1:
            return 0, []
        kept = self.kept_count()
        return (self.object_list.count() if kept is None else kept), pairs

    def page(self, number: int | str) -> Page:
        # The number's form now, its range once the count is known.
        number = self._validate_number(number, float("inf"))
        seconds = cache_seconds()
        key = f"lists:{self.cache_key}:{number}"
        cached = cache.get(key) if seconds > 0 else None
        if cached is None:
            count, pairs = self._read_page(number)
            if seconds > 0:
                cache.set(key, (count, pairs), seconds)
            page_ids = [pk for pk, _ in pairs]
        else:
            count, pairs = cached
            page_ids = self.ids_check([pk for pk, _ in pairs])
        self.count = count  # came with the page: Paginator would count again
        self.validate_number(number)
        kept = set(page_ids)
        self.relationship_ids = sorted({rel for pk, rel in pairs if pk in kept})
        return self._get_page(LazyRows(page_ids, self.rows_for), number, self)
