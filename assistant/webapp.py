"""The Gradio web app: chat, sources panel, programme filter, feedback, and the /ask API.

Wiring only: every handler calls the `Assistant` façade. Nothing mutable lives at module level
(Gradio shares module globals between all users); each browser session keeps its own history
in `gr.State`. Gradio is imported inside `build_app`, so importing this module is cheap.
"""

# No `from __future__ import annotations` here: gr.api reads the /ask endpoint's schema from
# the real (evaluated) type hints of its function.

import html
import json
import logging
import os
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from assistant import prompts
from assistant.errors import AssistantError, IndexNotBuiltError
from assistant.settings import Settings
from assistant.types import Answer, Citation, Turn

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service import Assistant
    from assistant.triage import Triage

log = logging.getLogger(__name__)

LANGUAGE = "nl"  # the language of the web page itself; answers follow the question's language
MAX_QUESTION_CHARS = 2000
SNIPPET_CONTEXT_CHARS = 220  # passage text shown on either side of the quoted sentence
_JOINER = re.compile(r"[\s,;.:·\-–—]*")
_SENTENCE_START = re.compile(r"(?<=[.!?])\s+|\n+")


def open_assistant(settings: Settings, notify: Callable[[str], None] = log.info) -> "Assistant":
    """Open the index, building it from the corpus first when there is none (says so via notify).

    Raises AssistantError subclasses (no corpus, another embedding model, …).
    """
    from assistant.service import Assistant

    try:
        return Assistant.open(settings)
    except IndexNotBuiltError:
        notify(
            f"No index yet in {settings.index_dir}: building it from {settings.corpus_dir} "
            "(this takes a minute or two the first time)…"
        )
        return Assistant.open(settings, build_if_missing=True)


def answer_safely(
    assistant: "Assistant",
    question: str,
    history: Sequence[Turn] = (),
    programme: str | None = None,
) -> Answer:
    """The assistant's answer, or an answer that carries a friendly error message: never raises."""
    if not isinstance(question, str):
        question = ""
    if len(question) > MAX_QUESTION_CHARS:
        limit = prompts.text(
            "question_too_long", LANGUAGE, length=len(question), limit=MAX_QUESTION_CHARS
        )
        return _error_answer(limit)
    try:
        return assistant.ask(question, history, programme)
    except AssistantError as exc:
        return _error_answer(str(exc))
    except Exception:
        # Whatever went wrong inside, the user gets a sentence, the log gets the traceback.
        log.exception("Answering %r failed", question)
        return _error_answer(prompts.text("unexpected_error", LANGUAGE))


def _error_answer(message: str) -> Answer:
    return Answer(
        prompts.text("error", LANGUAGE, message=message), (), True, None, "error", LANGUAGE
    )


def history_items(history: Any) -> list[Any]:
    """A conversation given as a JSON string or a list; anything unreadable is an empty one."""
    if isinstance(history, str):
        try:
            history = json.loads(history) if history.strip() else []
        except ValueError:
            return []
    return history if isinstance(history, list) else []


def remembered(history: Sequence[dict[str, Any]], question: str, answer: Answer) -> list[Any]:
    """The session's history after a question and its answer: the answer keeps the files it
    cited ("sources", first cited first), so a follow-up stays on its document."""
    cited = list(dict.fromkeys(c.source for c in answer.citations))
    return [
        *history,
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer.text, "sources": cited},
    ]


def sources_html(citations: Sequence[Citation], language: str = LANGUAGE) -> str:
    """The sources panel: per citation [n], title, section, file, the passage with the quoted
    sentence marked, and a link to the source. Every text from the documents is escaped."""
    if not citations:
        return _panel(f"<p>{_e(prompts.text('ui_no_sources', language))}</p>", language)
    items = []
    for c in citations:
        details = [f"{_e(prompts.text('ui_file', language))}: <code>{_e(c.source)}</code>"]
        if c.section:
            details.insert(0, f"{_e(prompts.text('ui_section', language))}: {_e(c.section)}")
        link = ""
        if c.url and re.match(r"https?://", c.url, re.IGNORECASE):
            link = (
                f'<div><a href="{_e(c.url)}" target="_blank" rel="noopener noreferrer">'
                f"{_e(prompts.text('ui_open_source', language))} ↗</a></div>"
            )
        items.append(
            f'<li id="bron-{c.n}" class="source" style="margin:0 0 1em 0; padding:0.6em 0.8em; '
            'border:1px solid var(--border-color-primary, #ddd); border-radius:8px;">'
            f'<div class="source-title"><strong>[{c.n}] {_e(c.title)}</strong></div>'
            f'<div class="source-meta" style="font-size:0.85em; opacity:0.8;">'
            f"{' · '.join(details)}</div>"
            '<blockquote class="source-passage" style="white-space:pre-line; margin:0.5em 0; '
            'padding-left:0.7em; border-left:3px solid var(--color-accent, #f97316);">'
            f"{highlighted_snippet(c.passage, c.quote)}</blockquote>{link}</li>"
        )
    return _panel(
        f'<ol style="list-style:none; padding:0; margin:0;">{"".join(items)}</ol>', language
    )


def waiting_html(language: str = LANGUAGE) -> str:
    """The sources panel before the first answer."""
    return _panel(f"<p>{_e(prompts.text('ui_sources_waiting', language))}</p>", language)


def _panel(body: str, language: str) -> str:
    heading = _e(prompts.text("sources", language))
    return f'<div class="sources-panel"><h3 style="margin-top:0;">{heading}</h3>{body}</div>'


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def highlighted_snippet(passage: str, quote: str, context: int = SNIPPET_CONTEXT_CHARS) -> str:
    """The passage around the quote, HTML-escaped, with the quote (or its parts) in <mark>."""
    spans = _quote_spans(passage, quote)
    if not spans:
        # The quote is not verbatim in the passage: show it marked, then the passage's start.
        return f"<mark>{_e(quote)}</mark>\n{_e(_clip(passage, 0, 2 * context))}"
    start = max(0, spans[0][0] - context)
    end = min(len(passage), spans[-1][1] + context)
    if start > 0:  # start at a sentence or line if one begins in the context, else at a word
        sentence = _SENTENCE_START.search(passage, start, spans[0][0])
        space = passage.find(" ", start, spans[0][0])
        if sentence:
            start = sentence.end()
        elif space != -1:
            start = space + 1
    if end < len(passage):
        space = passage.rfind(" ", spans[-1][1], end)
        end = space if space != -1 else end
    parts = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        parts.append(_e(passage[cursor:s]))
        parts.append(f"<mark>{_e(passage[s:e])}</mark>")
        cursor = e
    parts.append(_e(passage[cursor:end]))
    parts.append("…" if end < len(passage) else "")
    return "".join(parts)


def _quote_spans(passage: str, quote: str) -> list[tuple[int, int]]:
    """Where the quote stands in the passage, whitespace-insensitive; failing that, where each
    of its parts stands (a quoted field joins a label and its value with ', ')."""
    whole = _find_words(passage, quote, 0)
    if whole:
        return [whole]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for part in re.split(r"[,;]\s+|\n+", quote):
        if len(part.strip()) < 3:
            continue
        span = _find_words(passage, part, cursor)
        if span:
            # Parts separated only by punctuation and white space are marked as one.
            if spans and _JOINER.fullmatch(passage, spans[-1][1], span[0]):
                spans[-1] = (spans[-1][0], span[1])
            else:
                spans.append(span)
            cursor = span[1]
    return spans


def _find_words(passage: str, text: str, start: int) -> tuple[int, int] | None:
    words = text.split()
    if not words:
        return None
    found = re.compile(r"\s+".join(re.escape(w) for w in words)).search(passage, start)
    return found.span() if found else None


def _clip(text: str, start: int, end: int) -> str:
    return text[start:end] + ("…" if end < len(text) else "")


def triage_safely(
    assistant: "Assistant",
    settings: Settings,
    text: str | None,
    files: Sequence[str] | None,
    workdir: str,
) -> tuple[list[list[str]], str | None, str | None, str]:
    """Triage a pasted question and/or uploaded CSV and .eml files: the table rows, the CSV and
    chart paths (in `workdir`), and a Markdown message. Never raises: a file that cannot be
    read is reported and skipped, an unexpected error becomes a sentence."""
    from pathlib import Path

    from assistant.intake import Incoming, read_incoming, write_csv
    from assistant.triage import (
        SUMMARY_FIELDS,
        summarise,
        summary_markdown,
        triage_all,
        write_summary_chart,
    )

    try:
        items, problems = read_incoming([Path(f) for f in files or []])
        if isinstance(text, str) and text.strip():
            # the pasted question comes first: "1" alone, "0" before files numbered from 1
            pasted_id = "0" if items else "1"
            items.insert(0, Incoming(pasted_id, text.strip()[:MAX_QUESTION_CHARS]))
        if not items and not problems:
            return [], None, None, prompts.text("ui_triage_nothing", LANGUAGE)
        results = triage_all(assistant, settings, ((i.id, i.question, i.history) for i in items))
        csv_path = Path(workdir) / "triage.csv"
        write_csv(results, csv_path)
        summary = summarise(results)
        chart_path = Path(workdir) / "triage-summary.png"
        if results:
            write_summary_chart(summary, chart_path)
        lines = [prompts.text("ui_triage_done", LANGUAGE, count=len(results))]
        lines += [
            "- " + prompts.text("ui_triage_skipped", LANGUAGE, where=p.where, reason=p.reason)
            for p in problems
        ]
        names = prompts.text("ui_triage_summary", LANGUAGE).split("|")
        labels = dict(zip((*SUMMARY_FIELDS, "count"), names, strict=True))
        message = "\n".join(lines) + "\n\n" + summary_markdown(summary, labels)
        chart = str(chart_path) if results else None
        return [_triage_row(r) for r in results], str(csv_path), chart, message
    except AssistantError as exc:
        return [], None, None, prompts.text("error", LANGUAGE, message=str(exc))
    except Exception:
        log.exception("Triage failed")
        message = prompts.text("unexpected_error", LANGUAGE)
        return [], None, None, prompts.text("error", LANGUAGE, message=message)


def _triage_row(result: "Triage") -> list[str]:
    routing = result.routing
    yes_no = ("ja", "nee") if LANGUAGE == "nl" else ("yes", "no")
    return [
        result.id,
        result.question,
        result.programme or "",
        result.category,
        routing.organisation or "",
        yes_no[0] if routing.handled_by_helpdesk else yes_no[1],
        result.urgency,
        result.deadline.isoformat() if result.deadline else "",
        f"{result.confidence:.2f}",
        "; ".join(result.candidates),
        result.answer.text,
    ]


def build_app(settings: Settings, assistant: "Assistant | None" = None) -> "gr.Blocks":
    """The web app over the configured index (opened, or built when missing, unless given)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no outside connections, ever
    import gradio as gr

    from assistant.feedback import FeedbackStore
    from assistant.service import answer_payload, turns_from

    helpdesk = assistant or open_assistant(settings)
    all_programmes = prompts.text("ui_all_programmes", LANGUAGE)

    def t(key: str) -> str:
        return prompts.text(key, LANGUAGE)

    def programme_of(choice: str | None) -> str | None:
        return None if not choice or choice == all_programmes else choice

    def respond(
        message: str,
        chat: list[dict[str, Any]],
        history: list[dict[str, Any]],
        programme_choice: str,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str, str, dict[str, Any] | None, str]:
        """One question: the answer joins the chat and the history; the panel shows its sources."""
        question = (message or "").strip()
        answer = answer_safely(
            helpdesk, question, turns_from(history), programme_of(programme_choice)
        )
        chat = list(chat or [])
        if question:
            chat.append({"role": "user", "content": _e(question)})
        chat.append({"role": "assistant", "content": _e(answer.text)})
        if not question or answer.kind == "error":
            # Nothing to remember: the next question should not build on a failed turn.
            return chat, history, sources_html(answer.citations), message, None, ""
        history = remembered(history, question, answer)
        last = {
            "question": question,
            "answer": answer.text,
            "sources": [c.source for c in answer.citations],
        }
        return chat, history, sources_html(answer.citations, answer.language), "", last, ""

    def feedback(verdict: str, last: dict[str, Any] | None, comment: str) -> tuple[str, str]:
        """Store a verdict on the last answer; returns the confirmation and the cleared comment."""
        if not last:
            return t("feedback_nothing"), comment
        try:
            FeedbackStore(settings.feedback_db).record(
                last["question"], last["answer"], last["sources"], verdict, comment
            )
        except Exception:
            log.exception("Storing feedback in %s failed", settings.feedback_db)
            return t("feedback_failed"), comment
        return t("feedback_thanks"), ""

    def new_conversation() -> tuple[list[Any], list[Any], str, None, str, str]:
        return [], [], waiting_html(), None, "", ""

    def ask(
        question: str, history: str | list[dict[str, Any]] = "[]", programme: str = ""
    ) -> dict[str, Any]:
        """Answer a question in its conversation.

        history: the earlier turns as a list of {"role": "user"|"assistant", "content": ...}, or
        that list as a JSON string (unreadable JSON counts as no history); an assistant turn may
        add "sources", the files its answer cited (its citations' "file"), which keeps a
        follow-up on that answer's document. programme: only documents of this programme
        (empty: all). Returns {answer, citations, abstained, programme, kind, language};
        citations carry n, file, title, section, url, passage, quote.
        """
        turns = turns_from(history_items(history))
        return answer_payload(answer_safely(helpdesk, question, turns, programme or None))

    def run_triage(
        text: str, files: list[str] | None
    ) -> tuple[list[list[str]], str | None, str | None, str]:
        import tempfile

        return triage_safely(helpdesk, settings, text, files, tempfile.mkdtemp(prefix="triage-"))

    def triage_api(question: str) -> dict[str, Any]:
        """Triage one incoming question: programme, action, category, organisation and its
        contact details, whether the help desk handles it itself, urgency, confidence,
        candidates when ambiguous, and the draft reply with its citations."""
        from assistant.triage import triage, triage_payload

        text = question if isinstance(question, str) else ""
        return triage_payload(triage(helpdesk, settings, text[:MAX_QUESTION_CHARS]))

    with gr.Blocks(title=t("ui_title")) as app:
        history = gr.State([])  # this session's conversation, as the core reads it
        last = gr.State(None)  # this session's last answer, for feedback
        gr.Markdown(f"# {t('ui_title')}\n{t('ui_intro')}")
        with gr.Tab(t("ui_tab_chat")), gr.Row():
            with gr.Column(scale=3):
                programme = gr.Dropdown(
                    [all_programmes, *helpdesk.programmes()],
                    value=all_programmes,
                    label=t("ui_programme_label"),
                )
                chat = gr.Chatbot(
                    label=t("ui_chat_label"),
                    height=460,
                    buttons=["copy", "copy_all"],  # no "share": it would post to a hub
                    elem_id="chat",
                )
                with gr.Row():
                    question = gr.Textbox(
                        label=t("ui_question_label"),
                        placeholder=t("ui_question_placeholder"),
                        scale=5,
                        elem_id="question",
                    )
                    send = gr.Button(t("ui_send"), variant="primary", scale=1, elem_id="send")
                examples = gr.Examples(
                    [[q] for q in prompts.EXAMPLE_QUESTIONS[LANGUAGE]],
                    inputs=[question],
                    label=t("ui_examples"),
                    api_visibility="private",
                )
                with gr.Group():
                    comment = gr.Textbox(label=t("ui_comment_label"), lines=1)
                    with gr.Row():
                        thumbs_up = gr.Button(t("ui_thumbs_up"), size="sm", elem_id="thumbs-up")
                        thumbs_down = gr.Button(
                            t("ui_thumbs_down"), size="sm", elem_id="thumbs-down"
                        )
                        restart = gr.Button(t("ui_new_chat"), size="sm")
                status = gr.Markdown(elem_id="feedback-status")
            with gr.Column(scale=2):
                sources = gr.HTML(waiting_html(), elem_id="sources")
        with gr.Tab(t("ui_tab_triage"), elem_id="triage-tab"):
            gr.Markdown(t("ui_triage_intro"))
            with gr.Row():
                triage_text = gr.Textbox(
                    label=t("ui_triage_question"), lines=4, scale=3, elem_id="triage-question"
                )
                triage_files = gr.File(
                    label=t("ui_triage_files"),
                    file_count="multiple",
                    file_types=[".csv", ".eml"],
                    type="filepath",
                    scale=2,
                )
            triage_button = gr.Button(t("ui_triage_run"), variant="primary", elem_id="triage-run")
            triage_message = gr.Markdown(elem_id="triage-message")
            triage_table = gr.Dataframe(
                headers=t("ui_triage_columns").split("|"),
                label=t("ui_triage_table"),
                wrap=True,
                interactive=False,
                column_widths=[
                    "5%",
                    "20%",
                    "10%",
                    "7%",
                    "12%",
                    "6%",
                    "6%",
                    "7%",
                    "5%",
                    "8%",
                    "14%",
                ],
                elem_id="triage-table",
            )
            with gr.Row():
                triage_csv = gr.File(
                    label=t("ui_triage_download"), interactive=False, elem_id="triage-csv"
                )
                triage_chart = gr.Image(
                    label=t("ui_triage_chart"),
                    type="filepath",
                    buttons=["download", "fullscreen"],  # no "share": it would post to a hub
                )

        # Send, Enter, or a click on an example question (which fills the box, then asks it).
        for trigger in (send.click, question.submit, examples.load_input_event.then):
            trigger(
                respond,
                [question, chat, history, programme],
                [chat, history, sources, question, last, status],
                api_visibility="private",  # the documented API is /ask below
            )
        thumbs_up.click(
            lambda last, comment: feedback("up", last, comment),
            [last, comment],
            [status, comment],
            api_visibility="private",
        )
        thumbs_down.click(
            lambda last, comment: feedback("down", last, comment),
            [last, comment],
            [status, comment],
            api_visibility="private",
        )
        restart.click(
            new_conversation,
            None,
            [chat, history, sources, last, status, comment],
            api_visibility="private",
        )
        chat.clear(  # the chat's own bin button starts a new conversation too
            lambda: new_conversation()[1:],
            None,
            [history, sources, last, status, comment],
            api_visibility="private",
        )
        triage_button.click(
            run_triage,
            [triage_text, triage_files],
            [triage_table, triage_csv, triage_chart, triage_message],
            api_visibility="private",
        )
        gr.api(ask, api_name="ask")
        gr.api(triage_api, api_name="triage")
    return app


def serve(settings: Settings, assistant: "Assistant | None" = None) -> None:
    """Build the app and serve it on settings.server_host:server_port until interrupted."""
    app = build_app(settings, assistant)
    app.launch(server_name=settings.server_host, server_port=settings.server_port)


def main() -> None:
    """`python ui.py`: read the settings, build the index on first run, serve the app."""
    import sys

    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)  # our own notices (building the index), not every HTTP request
    try:
        settings = Settings()  # type: ignore[call-arg]  # fields come from ASSISTANT_* variables
        serve(settings, open_assistant(settings))
    except (AssistantError, ValueError) as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise SystemExit(1) from None
