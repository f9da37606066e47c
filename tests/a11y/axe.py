"""Running axe-core (tests/a11y/node_modules, installed by `make test` from the
lock file) in a Playwright page, and listing what it finds."""

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA; axe files each rule under the
# version that introduced it, so all five tags together are "WCAG 2.2 AA".
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@dataclass(frozen=True)
class Violation:
    page: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        elements = "; ".join(self.targets[:5])
        more = f" (+{len(self.targets) - 5} more)" if len(self.targets) > 5 else ""
        return f"{self.page}: {self.rule} ({self.impact}) {self.help}: {elements}{more}"


def axe_script_path() -> Path:
    assert AXE_SCRIPT.exists(), (
        f"{AXE_SCRIPT} is missing: `make test` installs axe-core "
        "(cd tests/a11y && npm ci)"
    )
    return AXE_SCRIPT


def axe_into_every_page(context: BrowserContext) -> None:
    """Have axe in every page the context opens: given as an init script, the
    browser compiles it once, where add_script_tag on each page cost 0.3-0.8 s
    a page (three quarters of the check's time)."""
    context.add_init_script(path=str(axe_script_path()))


def axe_violations(page: Page, label: str) -> list[Violation]:
    """The WCAG 2.2 A/AA violations axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script_path()))
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            });
            return results.violations.map((violation) => ({
                rule: violation.id,
                impact: violation.impact || '',
                help: violation.help,
                targets: violation.nodes.map((node) => node.target.join(' ')),
            }));
        }""",
        WCAG_AA_TAGS,
    )
    return [
        Violation(
            page=label,
            rule=result["rule"],
            impact=result["impact"],
            help=result["help"],
            targets=tuple(result["targets"]),
        )
        for result in results
    ]


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (WCAG 1.4.10
    Reflow: none at 320 px)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth"
        " - document.documentElement.clientWidth"
    )
