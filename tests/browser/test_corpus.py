"""Hardening, point 1 in a real browser: every file of the bad-input corpus chosen on the upload page.

``tests/hardening/test_corpus.py`` sends the corpus (``tests/hardening/corpus.py``) through the command
line and through the upload route with Flask's test client. Here each file goes the way a person sends
it: Chromium's file chooser on ``/upload``, ``assets/upload.js``, gunicorn with 2 workers. Within a
bounded time the page must either open the dataset (its name and the data check shown, with the case's
row and column counts) or show the case's specific refusal, and in both cases:

* the progress bar is gone (not left spinning);
* no console error, uncaught error or 5xx answer, and no 4xx answer but the refusal itself (a 400 or
  413 from ``POST /api/upload``; the size limit is enforced in the browser first, without a request);
* nothing from the file ran or became markup: the corpus holds ``<script>``, ``<img onerror>``,
  ``<svg onload>`` and ``<details ontoggle>`` payloads in names and cells, which call ``alert`` or set
  ``window.__pwned``. A script added to every document first (``add_init_script``) turns ``alert``,
  ``confirm`` and ``prompt`` into recorders, and the page's dialogs are recorded too.

The server is the suite's 1 MB one (``small_upload_server``): the limits ``Case.upload_refuse`` encodes
(1 MB, 500 columns) are those of the dashboard tests. The browser context bypasses the app's
Content-Security-Policy, which would block inline script anyway: what is tested is that the page never
turns the file's text into markup, the line of defence before the CSP. One context serves every case
(its HTTP cache keeps the Dash bundles), each case in a new tab.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Response, expect

from dashboard import ids

from tests.hardening.corpus import Case, build_cases
from tests.support import Server

from .flow import expect_dataset, query, upload
from .watch import JOB_TIMEOUT_MS, BrowserErrors

pytestmark = pytest.mark.browser

#: Unpickling any pickle case, even in a server worker, would create this file.
_MARKER_DIR = tempfile.mkdtemp(prefix="segments-browser-corpus-")
atexit.register(shutil.rmtree, _MARKER_DIR, ignore_errors=True)
PICKLE_MARKER = Path(_MARKER_DIR) / "pickle-was-unpickled"
CASES = build_cases(PICKLE_MARKER)

#: Runs in every document before the page's own scripts: what a corpus payload would call is recorded.
SCRIPT_TRAP = """(() => {
    const ran = [];
    Object.defineProperty(window, "__corpusScriptsRan", {value: ran});
    for (const name of ["alert", "confirm", "prompt"]) {
        window[name] = (...args) => { ran.push(`${name}(${args.map(String).join(", ")})`); };
    }
})();"""
#: What ran in the page: trapped calls and ``window.__pwned``.
RAN_IN_PAGE = "() => ({calls: window.__corpusScriptsRan || null, pwned: window.__pwned ?? null})"
#: Markup that can run script, found in the app's part of the page (the file's text must stay text).
ACTIVE_MARKUP = ("#react-entry-point script, #react-entry-point svg[onload], #react-entry-point img[onerror], "
                 "#react-entry-point details[ontoggle], #react-entry-point [onerror], #react-entry-point [onload]")
REFUSAL_CONSOLE = r"Failed to load resource: the server responded with a status of (400|413)\b"


@dataclass
class Tab:
    """A tab of the corpus context, with what it saw besides the watched errors."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    client_errors: list[tuple[int, str, str]] = field(default_factory=list)

    def dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def response(self, response: Response) -> None:
        if 400 <= response.status < 500:
            self.client_errors.append((response.status, response.request.method, response.url))


@pytest.fixture(scope="module")
def corpus_context(browser: Browser, small_upload_server: Server) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=small_upload_server.url, bypass_csp=True)
    context.set_default_timeout(JOB_TIMEOUT_MS)
    context.add_init_script(SCRIPT_TRAP)
    yield context
    context.close()


@pytest.fixture
def tab(corpus_context: BrowserContext, browser_errors: BrowserErrors) -> Iterator[Tab]:
    """A new tab, watched for errors (checked when the test ends, after the tab is closed)."""
    tab = Tab(browser_errors.watch(corpus_context.new_page()))
    tab.page.on("dialog", tab.dialog)
    tab.page.on("response", tab.response)
    yield tab
    tab.page.close()


def assert_nothing_ran(tab: Tab) -> None:
    assert tab.page.evaluate(RAN_IN_PAGE) == {"calls": [], "pwned": None}
    assert tab.dialogs == []
    expect(tab.page.locator(ACTIVE_MARKUP)).to_have_count(0)
    assert not PICKLE_MARKER.exists(), "an uploaded pickle was unpickled"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_file_chosen_on_the_upload_page(case: Case, tab: Tab, browser_errors: BrowserErrors) -> None:
    page, refusal = tab.page, case.dashboard_refuse
    if refusal:
        browser_errors.allow(REFUSAL_CONSOLE)  # Chromium logs the refusal's 4xx answer as a console error
    page.goto("/upload")
    upload(page, case.filename, case.data)
    status, name = page.locator(f"#{ids.Upload.STATUS}"), page.locator(".segments-file-name")
    expect(status.or_(name).filter(visible=True).first).to_be_visible(timeout=JOB_TIMEOUT_MS)  # either outcome

    if refusal:
        expect(status).to_contain_text(refusal)
        expect(status).to_have_class(re.compile(r"\balert-danger\b"))
        expect(name).to_have_count(0)
        assert "ds" not in query(page)
        assert all(code in (400, 413) and method == "POST" and url.endswith("/api/upload")
                   for code, method, url in tab.client_errors), tab.client_errors
    else:
        expect_dataset(page, case.filename)
        expect(status).to_be_hidden()
        expect(page.locator(".segments-findings")).to_be_visible()
        rows = f"{case.rows:,}" if case.rows is not None else r"[\d,]+"
        columns = f"{case.columns:,}" if case.columns is not None else r"[\d,]+"
        expect(page.locator(f"#{ids.Upload.RESULT} strong").first).to_have_text(
            re.compile(rf"^{rows} rows × {columns} columns$"))
        assert tab.client_errors == []
    expect(page.locator(f"#{ids.Upload.PROGRESS}")).to_be_hidden()
    assert_nothing_ran(tab)


def test_the_script_trap_sees_every_payload_that_runs(tab: Tab, browser_errors: BrowserErrors) -> None:
    """The checks above can fail: each script payload of the corpus, made markup on purpose, is caught."""
    browser_errors.allow(r"status of 404")  # <img src=x> asks the server for /x
    page = tab.page
    page.goto("/upload")
    expect(page.locator(f"#{ids.Upload.DROPZONE}")).to_be_visible()
    assert_nothing_ran(tab)
    payloads = {c.name: c.data.decode() for c in CASES if c.name in ("script in cells", "html and script column names")}
    assert len(payloads) == 2
    cells = {cell for text in payloads.values() for line in text.splitlines() for cell in line.split(",")
             if cell.startswith("<") and ("alert" in cell or "__pwned" in cell)}
    for cell in sorted(cells):
        page.evaluate("""cell => {
            const box = document.createElement("div");
            document.querySelector("#react-entry-point").appendChild(box);
            if (cell.startsWith("<script>")) {  // innerHTML never runs a <script>: insert it as a page would
                const script = document.createElement("script");
                script.textContent = cell.slice(8, -9);
                box.appendChild(script);
            } else {
                box.innerHTML = cell;
            }
        }""", cell)
    page.wait_for_function("() => window.__pwned !== undefined && window.__corpusScriptsRan.length >= 2")
    ran = page.evaluate(RAN_IN_PAGE)
    assert any(call.startswith("alert(") for call in ran["calls"]), ran
    assert ran["pwned"] is not None
    expect(page.locator(ACTIVE_MARKUP)).not_to_have_count(0)
    with pytest.raises(AssertionError):
        assert_nothing_ran(tab)
