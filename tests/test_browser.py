"""The app end to end in a real browser: Debian's chromium driven by Playwright.

With ASSISTANT_SCREENSHOTS=docs the chat and triage tests save the README's screenshots
(docs/chat.png, docs/triage.png); otherwise they go to the test's tmp folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from tests.test_ui import KA210, running_app

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
PROJECT = Path(__file__).resolve().parent.parent
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


def screenshot_path(name: str, tmp_path: Path) -> Path:
    """Where a screenshot goes: the folder ASSISTANT_SCREENSHOTS names (relative to the project),
    else the test's tmp folder."""
    folder = os.environ.get("ASSISTANT_SCREENSHOTS")
    target = (PROJECT / folder) if folder else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target / name


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
            # the quoted passage is marked once, not shown a second time below its mark
            quote = expected["citations"][0]["quote"]
            first_words = " ".join(quote.split()[:4])
            assert sources.locator("li").first.inner_text().count(first_words) <= 1

            # without an emoji font the buttons still read as words
            expect(page.locator("#thumbs-up")).to_have_text("Nuttig")
            expect(page.locator("#thumbs-down")).to_have_text("Niet nuttig")
            page.locator("#thumbs-up").click()
            expect(page.locator("#feedback-status")).to_contain_text("Bedankt")
            page.screenshot(path=str(screenshot_path("chat.png", tmp_path)), full_page=True)

            # the source's link opens the document: a .txt file is shown as its text (the
            # answer may cite several passages of it, each listed with its own link)
            link = sources.locator("li", has_text="erasmus-ka210").first.locator("a.source-link")
            expect(link).to_have_text("Bekijk het document")
            with page.expect_popup() as opened:
                link.click()
            document = opened.value
            document.wait_for_load_state("load")
            assert document.url.endswith("/bron/erasmus-ka210-kleinschalige-partnerschappen.txt")
            corpus_text = (
                settings.corpus_dir / "erasmus-ka210-kleinschalige-partnerschappen.txt"
            ).read_text(encoding="utf-8")
            shown = document.locator("body").inner_text()
            assert corpus_text.splitlines()[0].strip() in shown
            assert " ".join(quote.split()[:6]) in " ".join(shown.split())
            outside = document.request.get(url + "bron/..%2F..%2Fcorpus%2F..%2Fetc%2Fpasswd")
            assert outside.status in (403, 404)

            # a deadline question: the reply opens with its own sentence around the date as
            # the document writes it, its marker before the full stop
            question.fill("Tot wanneer kon je een MSCA Postdoctoral Fellowship aanvragen?")
            page.locator("#send").click()
            expect(chat).to_contain_text("De deadline was 11 september 2024", timeout=30_000)
            expect(chat).to_contain_text("die is verstreken [1].")
            expect(sources).to_contain_text("horizon-msca-postdoctoral-fellowships-2024.txt")
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
    """Paste a question and upload a CSV in the Triage tab: a compact Dutch table, a row's
    detail (question, draft reply with sources, contact) opens when it is selected, a CSV."""
    if not CHROMIUM.exists():
        pytest.skip("No browser: /usr/bin/chromium is missing (scripts/test.sh installs it).")
    from playwright.sync_api import expect, sync_playwright

    upload = tmp_path / "vragen.csv"
    upload.write_text(
        "id,vraag\n"
        "stad,Wie mag stedenbanden aanvragen bij CERV?\n"
        "jeugd,Tot wanneer kan ik een jeugduitwisseling indienen?\n",
        encoding="utf-8",
    )
    with running_app(small_index, tmp_path) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url, wait_until="load")
            page.get_by_role("tab", name="Triage").click()
            box = page.locator("#triage-question textarea")
            expect(box).to_be_visible(timeout=30_000)
            box.fill("Bij wie kan ik terecht met vragen over de MSCA Postdoctoral Fellowships?")
            page.locator("#triage-files input[type=file]").set_input_files(str(upload))
            # (Gradio shows the name and its extension in separate spans: "vragen" ".csv")
            expect(page.locator("#triage-files")).to_contain_text("vragen", timeout=30_000)
            page.locator("#triage-run").click()

            table = page.locator("#triage-table")
            expect(table).to_contain_text("NCP Flanders", timeout=60_000)
            expect(page.locator("#triage-message")).to_contain_text("3 vragen getrieerd")
            # Dutch headers and values; no draft reply, no English category or urgency
            for label in ("programma", "soort vraag", "organisatie", "urgentie", "gesloten"):
                expect(table).to_contain_text(label)
            expect(table).to_contain_text("wie mag aanvragen")
            text = table.inner_text()
            for english in ("eligibility", "closed", "application", "Bronnen", "[1]"):
                assert english not in text, english
            # Gradio's table is a grid of divs: a row's cells are "cell-<row>-<column>"
            rows = table.locator("[role='row'][data-index]")
            expect(rows).to_have_count(3)
            for index in range(3):  # compact rows: the key fields stay in view
                row_box = rows.nth(index).bounding_box()
                assert row_box and row_box["height"] < 130, row_box
                cell_box = table.locator(f"[data-testid='cell-{index}-4'] span").bounding_box()
                assert cell_box and cell_box["y"] - row_box["y"] < 20  # at the top, not centred

            detail = page.locator("#triage-detail")
            expect(detail).to_contain_text("Kies een rij")
            table.locator("[data-testid='cell-1-2']").click()
            expect(detail).to_contain_text("Vraag stad", timeout=30_000)
            expect(detail).to_contain_text("Wie mag stedenbanden aanvragen bij CERV?")
            expect(detail).to_contain_text("Ontwerp-antwoord")
            expect(detail).to_contain_text("Bischoffsheimlaan 1-8")  # the contact, as written

            table.locator("[data-testid='cell-0-1']").click()
            expect(detail).to_contain_text("Vraag 0", timeout=30_000)
            expect(detail).to_contain_text("Leuvenseweg 38")
            expect(detail).not_to_contain_text("Bischoffsheimlaan")
            # the draft reply's sources, each with a link to its document
            expect(detail.locator(".source").first).to_be_visible()
            expect(detail.locator("a.source-link").first).to_be_visible()
            expect(page.locator("#triage-chart img")).to_be_visible()
            page.screenshot(path=str(screenshot_path("triage.png", tmp_path)), full_page=True)

            link = page.locator('#triage-csv a[download="triage.csv"]')
            expect(link).to_be_visible(timeout=30_000)
            download = page.request.get(str(link.get_attribute("href")))
            assert download.text().lstrip("\ufeff").startswith("id,question,")
            assert "NCP Flanders" in download.text()
        finally:
            browser.close()
