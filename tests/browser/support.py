"""Browser test aids: the axe-core accessibility check, signing in through the real form, artifacts."""

import json
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}

# WCAG 2.1 A and AA: the accessibility standard for EU public sector websites (EN 301 549).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def artifact_path(filename, directory=None):
    directory = Path(directory or ARTIFACTS)
    directory.mkdir(parents=True, exist_ok=True)
    return str(directory / re.sub(r"[^A-Za-z0-9._-]+", "_", filename))


def _load_axe(page):
    if page.evaluate("typeof window.axe === 'object'"):
        return
    # Through the DevTools protocol, so the page's Content-Security-Policy
    # (script-src 'self') does not apply; add_script_tag's inline <script> is blocked by it.
    page.evaluate("source => { (0, eval)(source); }", AXE_SCRIPT.read_text(encoding="utf-8"))
    assert page.evaluate("typeof window.axe === 'object'"), "axe-core did not load into the page"


def axe_violations(page):
    """Every WCAG 2.1 A/AA violation axe-core finds on the page as it is now."""
    _load_axe(page)
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
                 .then(r => r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                     nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
                 })))""",
        WCAG_TAGS,
    )
    return result


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(".".join(part) if isinstance(part, list) else part for part in node["target"])
            lines.append(f"    {target}: {node['html'][:200]}")
    return "\n".join(lines)


def assert_accessible(page, name, artifacts=None):
    """Fail listing every WCAG 2.1 AA violation on the page; a screenshot and the violations go to test-artifacts/."""
    violations = axe_violations(page)
    if not violations:
        return
    page.screenshot(path=artifact_path(f"axe-{name}.png", artifacts), full_page=True)
    Path(artifact_path(f"axe-{name}.json", artifacts)).write_text(
        json.dumps({"url": page.url, "violations": violations}, indent=2), encoding="utf-8"
    )
    raise AssertionError(f"{len(violations)} accessibility violation(s) (WCAG 2.1 AA) on {page.url} [{name}]:\n{describe(violations)}")


# --- signing in and out through the real pages -------------------------------------------


def sign_in(page, email, password=None):
    from tests.factories import PASSWORD

    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password or PASSWORD)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign in").click()
    assert "/login" not in page.url, f"sign-in as {email} failed: {page.locator('main').inner_text()[:500]}"


def sign_out(page):
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="Sign out").click()
    assert page.locator("header").get_by_role("link", name="Sign in").is_visible()
