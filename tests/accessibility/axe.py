"""axe-core in a real page: inject the vendored script, run it, and say what failed readably."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_VERSION = (VENDOR / "VERSION").read_text().strip()

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe tags 2.2's new A and AA rules as wcag22a/aa).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# axe's best practices cover what WCAG leaves to judgement and the brief asks for: landmarks,
# one h1, headings in order, all content inside a landmark.
BEST_PRACTICE = ["best-practice"]


def run_axe(page: Page, *, tags: list[str]) -> dict[str, Any]:
    # Run through the DevTools protocol, not added as a <script>: the site's
    # Content-Security-Policy runs no inline script, and the test must not weaken it.
    page.evaluate((VENDOR / "axe.min.js").read_text())
    result: dict[str, Any] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations', 'incomplete'],
            });
            return {
                version: axe.version,
                violations: results.violations,
                incomplete: results.incomplete,
                passes: results.passes.length,
            };
        }""",
        tags,
    )
    return result


def describe(violations: list[dict[str, Any]]) -> str:
    """One paragraph per rule: what it is, how bad, and each offending element with why."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{', '.join(t for t in violation['tags'] if t.startswith('wcag'))}] "
            f"{violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:400]}")
    return "\n".join(lines)


def assert_no_violations(page: Page, *, tags: list[str]) -> dict[str, Any]:
    result = run_axe(page, tags=tags)
    assert result["version"] == AXE_VERSION, "the vendored axe-core is not the pinned version"
    # A page where axe checked nothing would pass vacuously.
    assert result["passes"] > 0, "axe-core checked nothing on this page"
    violations = result["violations"]
    assert not violations, f"axe-core found on {page.url}:\n{describe(violations)}"
    return result
