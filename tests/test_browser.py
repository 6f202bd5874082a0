"""One question end to end in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from tests.test_ui import KA210, running_app

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_question_answer_sources_and_feedback_in_a_browser(
    small_index: Settings, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            "No browser: /usr/bin/chromium is missing (apt-get install chromium; "
            "scripts/test.sh installs it). `playwright install` cannot download one offline."
        )
    from gradio_client import Client
    from playwright.sync_api import expect, sync_playwright

    settings = small_index.model_copy(update={"feedback_db": tmp_path / "feedback.sqlite3"})
    with running_app(settings, tmp_path) as url, sync_playwright() as playwright:
        expected = Client(url, verbose=False).predict(KA210, "[]", api_name="/ask")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            # Gradio keeps a stream open, so "networkidle" never comes:
            # wait for "load", then for the elements.
            page.goto(url, wait_until="load")
            question = page.locator("#question textarea")
            expect(question).to_be_visible(timeout=30_000)
            question.fill(KA210)
            page.locator("#send").click()

            chat = page.locator("#chat")
            expect(chat).to_contain_text(KA210, timeout=30_000)
            expect(chat).to_contain_text(expected["answer"][:40], timeout=30_000)
            sources = page.locator("#sources")
            expect(sources).to_contain_text(expected["citations"][0]["title"])
            expect(sources).to_contain_text("erasmus-ka210-kleinschalige-partnerschappen.txt")
            expect(sources.locator("mark").first).to_be_visible()

            page.locator("#thumbs-up").click()
            expect(page.locator("#feedback-status")).to_contain_text("Bedankt")
            page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
        finally:
            browser.close()
    (record,) = FeedbackStore(settings.feedback_db).recent(5)
    assert record["verdict"] == "up"
    assert record["question"] == KA210
    assert record["sources"] == [c["file"] for c in expected["citations"]]


def test_two_browser_sessions_keep_their_own_conversation(
    small_index: Settings, tmp_path: Path
) -> None:
    """Gradio shares module state between users: each session's follow-up must still be
    answered about its own conversation."""
    if not CHROMIUM.exists():
        pytest.skip("No browser: /usr/bin/chromium is missing (scripts/test.sh installs it).")
    from playwright.sync_api import expect, sync_playwright

    openers = {
        "cerv-stedenbanden-2024.md": "Wat zijn stedenbanden tussen gemeenten in CERV?",
        "erasmus-jeugd-ka152-groepsuitwisselingen.html": (
            "Vanaf welke leeftijd mogen jongeren mee op een jeugduitwisseling?"
        ),
    }
    follow_up = "en tot wanneer kan ik indienen?"
    with running_app(small_index, tmp_path) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pages = {}
            for source, opener in openers.items():
                page = browser.new_context().new_page()
                page.goto(url, wait_until="load")
                box = page.locator("#question textarea")
                expect(box).to_be_visible(timeout=30_000)
                box.fill(opener)
                page.locator("#send").click()
                expect(page.locator("#sources")).to_contain_text(source, timeout=30_000)
                pages[source] = page
            for source, page in pages.items():
                page.locator("#question textarea").fill(follow_up)
                page.locator("#send").click()
                expect(page.locator("#chat")).to_contain_text(follow_up, timeout=30_000)
                expect(page.locator("#sources")).to_contain_text(source, timeout=30_000)
                other = next(s for s in openers if s != source)
                expect(page.locator("#sources")).not_to_contain_text(other)
        finally:
            browser.close()


def test_triage_tab_in_a_browser(small_index: Settings, tmp_path: Path) -> None:
    """Paste a question in the Triage tab: the table shows its organisation and a CSV comes."""
    if not CHROMIUM.exists():
        pytest.skip("No browser: /usr/bin/chromium is missing (scripts/test.sh installs it).")
    from playwright.sync_api import expect, sync_playwright

    with running_app(small_index, tmp_path) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url, wait_until="load")
            page.get_by_role("tab", name="Triage").click()
            box = page.locator("#triage-question textarea")
            expect(box).to_be_visible(timeout=30_000)
            box.fill("Bij wie kan ik terecht met vragen over de MSCA Postdoctoral Fellowships?")
            page.locator("#triage-run").click()
            expect(page.locator("#triage-table")).to_contain_text("NCP Flanders", timeout=30_000)
            expect(page.locator("#triage-message")).to_contain_text("1 vragen getrieerd")
            link = page.locator('#triage-csv a[download="triage.csv"]')
            expect(link).to_be_visible(timeout=30_000)
            download = page.request.get(str(link.get_attribute("href")))
            assert download.text().lstrip("\ufeff").startswith("id,question,")
            assert "NCP Flanders" in download.text()
            page.screenshot(path=str(tmp_path / "triage.png"), full_page=True)
        finally:
            browser.close()
