"""Watching browser pages for errors: console errors, uncaught exceptions and 5xx answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, Response

#: Playwright's default timeout in the suite's contexts, also used for background jobs (ms). Every wait
#: ends as soon as its condition holds; this is only how long a loaded machine may take (the suite once
#: failed at 30 s with load 8 on 2 cores), so it is generous.
JOB_TIMEOUT_MS = 120_000
#: Console noise that is not an error of the app: Chromium's software WebGL performance notes.
IGNORED_CONSOLE = (re.compile(r"GPU stall due to ReadPixels"),)
#: Chromium does not always log a Content-Security-Policy violation as a console error (Plotly's WebGL
#: check catches the blocked ``eval`` and shows "WebGL is not supported" instead): every violation the
#: page reports is written to the console as an error, so the watcher fails the test on it.
CSP_REPORTER = """document.addEventListener("securitypolicyviolation", (e) => console.error(
    `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"} (${e.sourceFile}:${e.lineNumber})`));"""


@dataclass
class BrowserErrors:
    """What went wrong in the watched pages: console errors, uncaught errors, 5xx answers."""

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    _pages: set[int] = field(default_factory=set)
    _contexts: list[BrowserContext] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Accept console errors matching ``pattern`` (a regular expression) in this test."""
        self.allowed.append(re.compile(pattern))

    def watch_context(self, context: BrowserContext) -> BrowserContext:
        context.set_default_timeout(JOB_TIMEOUT_MS)
        context.add_init_script(CSP_REPORTER)
        self._contexts.append(context)
        context.on("page", self.watch)
        for page in context.pages:
            self.watch(page)
        return context

    def watch(self, page: Page) -> Page:
        if id(page) in self._pages:
            return page
        self._pages.add(id(page))
        if page.context not in self._contexts:  # a page of a context not watched as a whole
            page.add_init_script(CSP_REPORTER)
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self._page_error(page, error))
        page.on("response", lambda response: self._response(page, response))
        return page

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        text = message.text
        if message.type != "error" or any(p.search(text) for p in IGNORED_CONSOLE):
            return
        if any(p.search(text) for p in self.allowed):
            return
        self.problems.append(f"console error on {page.url}: {text}")

    def _page_error(self, page: Page, error: Error) -> None:
        self.problems.append(f"uncaught error on {page.url}: {error.message}\n{error.stack or ''}")

    def _response(self, page: Page, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.request.method} {response.url}")

    def check(self) -> None:
        """Fail if anything went wrong so far."""
        problems, self.problems = self.problems, []
        assert not problems, "the browser reported errors:\n" + "\n".join(problems)
