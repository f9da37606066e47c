"""`{% url %}` as Django's, reversing each URL name once per process.

Loaded in a template (`{% load fast_urls %}`), this `url` tag takes the place
of the built-in one there. Django's reverse() costs about 0.1 ms, and a register
list or dashboard asks for dozens of links (the navigation, two or three a row).
Here the first request for a name reverses it with placeholder arguments, and
later ones put their arguments' text in the placeholders' places: one reverse
per name, argument types and script prefix, string formatting after that.

Only where that gives exactly reverse()'s answer: positional arguments that are
non-negative integers or ASCII slugs (`<int:…>`, `<slug:…>`, `<str:…>` and
`<path:…>` accept them as they are and quote nothing in them). Anything else
(keyword arguments, other text, a pattern that refuses the placeholders) goes
to Django's own tag, errors and all.
"""

import re
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
# Placeholders no real argument contains: an int one of 15 digits, a slug one
# with upper and lower case, digits, "_" and "-" (a converter that takes it takes
# any ASCII slug).
_INT_PLACEHOLDER = "918273645500{}"
_SLUG_PLACEHOLDER = "Pp_Zq-{}x"


def _kind(value: object) -> str | None:
    if type(value) is int:
        return "i" if value >= 0 else None
    if type(value) is str or isinstance(value, str):
        return "s" if _SLUG.match(value) else None
    return None


@lru_cache(maxsize=1024)
def _pattern(
    view_name: str,
    kinds: tuple[str, ...],
    current_app: str | None,
    prefix: str,
    urlconf: str | None,
) -> tuple[str, tuple[str, ...]] | None:
    """The URL with a placeholder per argument, and the placeholders; None when
    the pattern refuses them (then Django's tag answers)."""
    placeholders = tuple(
        (_INT_PLACEHOLDER if kind == "i" else _SLUG_PLACEHOLDER).format(index)
        for index, kind in enumerate(kinds)
    )
    try:
        url = reverse(
            view_name,
            args=[
                int(p) if k == "i" else p
                for p, k in zip(placeholders, kinds, strict=True)
            ],
            current_app=current_app,
            urlconf=urlconf,
        )
    except NoReverseMatch:
        return None
    # Each placeholder once, so that replacing it is unambiguous.
    if any(url.count(placeholder) != 1 for placeholder in placeholders):
        return None
    return url, placeholders


class FastURLNode(URLNode):
    def render(self, context: template.Context) -> str:
        if self.kwargs:
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        kinds = tuple(_kind(arg) for arg in args)
        view_name = self.view_name.resolve(context)
        if None in kinds or not isinstance(view_name, str):
            return super().render(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        # The URLconf by name, so that a test's override of ROOT_URLCONF (which
        # empties Django's URL caches) gets patterns of its own.
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        found = _pattern(view_name, kinds, current_app, get_script_prefix(), urlconf)
        if found is None:
            return super().render(context)
        url, placeholders = found
        for placeholder, arg in zip(placeholders, args, strict=True):
            url = url.replace(placeholder, str(arg), 1)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> URLNode:
    """Django's `{% url %}` syntax and answers (see the module's docstring)."""
    node = django_url(parser, token)
    node.__class__ = FastURLNode
    return node
