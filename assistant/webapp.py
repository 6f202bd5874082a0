"""The Gradio web app: chat, sources panel, programme filter, feedback, the Triage screen, the
/ask and /triage API, and the corpus documents the sources link to (read-only, under /bron/).

Wiring only: every handler calls the `Assistant` façade, and what it shows is rendered by
`assistant.webviews`. Nothing mutable lives at module level (Gradio shares module globals
between all users); each browser session keeps its own history in `gr.State`. Gradio is
imported inside `build_app`, so importing this module is cheap.
"""

# No `from __future__ import annotations` here: gr.api reads the /ask endpoint's schema from
# the real (evaluated) type hints of its function.

import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote as url_quote

from assistant import prompts
from assistant.errors import AssistantError, IndexNotBuiltError
from assistant.limits import (
    History,
    Limits,
    Refusal,
    check_comment,
    check_programme,
    check_question,
    clean_text,
    language_of,
    parse_history_json,
    read_history,
)
from assistant.settings import Settings
from assistant.types import Answer
from assistant.webviews import (
    DOCUMENT_ROUTE,
    LANGUAGE,
    escaped,
    labelled_summary,
    md_code,
    md_text,
    shortened,
    sources_html,
    triage_detail_html,
    triage_row,
    triage_waiting_html,
    triaged_message,
    waiting_html,
)

if TYPE_CHECKING:
    import gradio as gr
    from fastapi import FastAPI
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from assistant.service import Assistant

log = logging.getLogger(__name__)

# The handlers that answer or triage share one concurrency group: at most
# `Settings.server_workers` of them run at once, the rest wait in the queue.
_WORK = "answers"

# The feedback buttons' marks, drawn as SVG masks in the text colour (Feather's thumbs-up and
# thumbs-down, MIT licence): an emoji is an empty box in a browser without an emoji font. The
# words "Nuttig" / "Niet nuttig" carry the meaning on their own.
_THUMB_UP = (
    "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3z"
    "M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3"
)
_THUMB_DOWN = (
    "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3z"
    "m7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17"
)


def _mark_css(elem_id: str, path: str) -> str:
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='black' "
        f"stroke-width='2' stroke-linecap='round' stroke-linejoin='round'><path d='{path}'/></svg>"
    )
    mask = f'url("data:image/svg+xml,{url_quote(svg)}") center / contain no-repeat'
    return (
        f"#{elem_id}::before {{ content: ''; display: inline-block; width: 1.05em; "
        "height: 1.05em; margin-right: 0.4em; vertical-align: -0.15em; "
        f"background-color: currentColor; -webkit-mask: {mask}; mask: {mask}; }}"
    )


APP_CSS = "\n".join(
    (
        _mark_css("thumbs-up", _THUMB_UP),
        _mark_css("thumbs-down", _THUMB_DOWN),
        # Compact triage rows in the page's own font, each cell's text at the top of its row
        # (not centred out of view); a row is clicked to open its detail.
        "#triage-table .cell-wrap { align-items: flex-start; }",
        "#triage-table [role='gridcell'] span, #triage-table [role='columnheader'] span "
        "{ font-family: var(--font); }",
        "#triage-table [role='gridcell'] { cursor: pointer; }",
    )
)


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


@dataclass(frozen=True)
class Reply:
    """An answer as an entry point gives it: the answer (a refusal or an error message where it
    could not be answered), notes for the user (e.g. that old turns were left out), and the
    history it was answered in."""

    answer: Answer
    notes: tuple[str, ...] = ()
    history: History = field(default_factory=History)


def answer_safely(
    assistant: "Assistant",
    question: Any,
    history: Any = (),
    programme: Any = None,
    limits: Limits | None = None,
) -> Reply:
    """The assistant's answer within the limits (`assistant.limits`), or a refusal or friendly
    error message in its place: never raises. `history` is a list of turns ({"role", "content",
    "sources"?}), or that list as JSON text."""
    *_, reply = stream_safely(assistant, question, history, programme, limits)
    assert isinstance(reply, Reply)
    return reply


def stream_safely(
    assistant: "Assistant",
    question: Any,
    history: Any = (),
    programme: Any = None,
    limits: Limits | None = None,
) -> Iterator[str | Reply]:
    """As `answer_safely`, with a language model's reply yielded piece by piece as it arrives
    (nothing without a model) before the Reply to show."""
    limits = limits or Limits()
    language = language_of(clean_text(question))
    try:
        text = check_question(question, limits)
        turns = read_history(history, limits, language)
        notes = tuple(turns.notes(language))
        if turns.dropped or turns.unreadable:
            log.info(
                "History bounded: %d oldest turns left out, unreadable=%s",
                turns.dropped,
                turns.unreadable,
            )
        for part in assistant.stream(text, turns.turns, None, check_programme(programme)):
            if isinstance(part, str):
                yield part
            else:
                yield Reply(part[0], notes, turns)
    except Refusal as exc:
        log.info("Refused a request: %s", exc.key)
        yield Reply(_refusal_answer(str(exc), exc.language))
    except AssistantError as exc:
        yield Reply(_error_answer(str(exc), language))
    except Exception:
        # Whatever went wrong inside, the user gets a sentence, the log gets the traceback.
        log.exception("Answering %r failed", clean_text(question)[:200])
        yield Reply(_error_answer(prompts.text("unexpected_error", language), language))


def _error_answer(message: str, language: str = LANGUAGE) -> Answer:
    return Answer(
        prompts.text("error", language, message=message), (), True, None, "error", language
    )


def _refusal_answer(message: str, language: str) -> Answer:
    return Answer(message, (), True, None, "refused", language)


def history_items(history: Any, limits: Limits | None = None) -> list[Any]:
    """A conversation given as a JSON string or a list; anything unreadable (or too large or
    deep to read) is an empty one."""
    if isinstance(history, str):
        try:
            history = parse_history_json(history, limits or Limits())
        except (ValueError, Refusal):
            return []
    return history if isinstance(history, list) else []


def history_state(history: History) -> list[dict[str, Any]]:
    """A bounded history as the web app keeps it in the session (and /ask takes it)."""
    items: list[dict[str, Any]] = []
    for turn in history.turns:
        item: dict[str, Any] = {"role": turn.role, "content": turn.content}
        if turn.role == "assistant":
            item["sources"] = list(turn.sources)
        items.append(item)
    return items


def remembered(history: Sequence[dict[str, Any]], question: str, answer: Answer) -> list[Any]:
    """The session's history after a question and its answer: the answer keeps the files it
    cited ("sources", first cited first), so a follow-up stays on its document."""
    cited = list(dict.fromkeys(c.source for c in answer.citations))
    return [
        *history,
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer.text, "sources": cited},
    ]


# --- the sources panel ------------------------------------------------------------------------


# --- the corpus documents, served read-only ---------------------------------------------------


def corpus_file(corpus_dir: Path, name: str) -> Path | None:
    """The corpus document `name` (a path relative to the corpus folder), or None when it names
    anything else: a path that leads outside the corpus folder (`..`, an absolute path, a
    symlink that points out), a hidden file, a folder, a missing file, a file type the corpus
    does not hold."""
    from assistant.loaders import SUPPORTED_SUFFIXES

    if not name or "\x00" in name or any(p.startswith(".") for p in Path(name).parts):
        return None
    root = corpus_dir.resolve()
    try:
        path = (root / name).resolve(strict=True)  # follows symlinks: their target counts
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path if path.suffix.lower() in SUPPORTED_SUFFIXES else None


def document_response(corpus_dir: Path, name: str) -> "Response":
    """A corpus document as the browser should show it: text files as text/plain, a web page
    as it was saved (sandboxed: its scripts do not run, it cannot reach the app), a PDF as a
    PDF; 404 for anything `corpus_file` refuses."""
    from starlette.responses import Response

    path = corpus_file(corpus_dir, name)
    if path is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    suffix = path.suffix.lower()
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    if suffix == ".pdf":
        return Response(path.read_bytes(), media_type="application/pdf", headers=headers)
    headers["Content-Security-Policy"] = "sandbox"
    media = "text/html" if suffix in (".html", ".htm") else "text/plain"
    # The corpus is UTF-8 (the loader refuses anything else); Starlette declares it.
    return Response(path.read_bytes(), media_type=media, headers=headers)


def document_route(corpus_dir: Path) -> "Route":
    """The route /bron/{name} that serves the corpus documents (GET and HEAD, nothing else)."""
    from starlette.routing import Route

    def serve_document(request: "Request") -> "Response":
        return document_response(corpus_dir, str(request.path_params["name"]))

    # A plain function: Starlette runs it in a worker thread, so reading a file never blocks.
    return Route(f"/{DOCUMENT_ROUTE}/{{name:path}}", serve_document, methods=["GET", "HEAD"])


# --- the Triage screen ------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageView:
    """What the Triage screen shows for one batch."""

    rows: list[list[str]]  # the table: the key fields of each question, compact
    details: list[str]  # per row, its detail (HTML), shown when the row is selected
    csv_path: str | None
    chart_path: str | None
    message: str  # how many questions were triaged and what was skipped (Markdown)
    summary: str  # the counts per programme, organisation, kind and urgency (Markdown tables)


def triage_safely(
    assistant: "Assistant",
    settings: Settings,
    text: str | None,
    files: Sequence[str] | None,
    workdir: str,
) -> TriageView:
    """Triage a pasted question and/or uploaded CSV and .eml files: the table, each row's
    detail, the CSV and chart (written in `workdir`), the message and the summary. Never
    raises: a file that cannot be read or is beyond a limit (`Settings.max_*`) and a pasted
    question that is too long are reported and skipped, an unexpected error becomes a
    sentence. The screen is Dutch; the CSV keeps its machine-readable English values."""
    from dataclasses import replace

    from assistant.intake import Incoming, Problem, read_incoming, triage_each, write_csv
    from assistant.triage import SUMMARY_FIELDS, summarise, summary_markdown, write_summary_chart

    def names(key: str, fields: Sequence[str]) -> dict[str, str]:
        return dict(zip(fields, prompts.text(key, LANGUAGE).split("|"), strict=True))

    try:
        limits = Limits.from_settings(settings)
        pasted = clean_text(text).strip()
        if pasted:  # the pasted question counts towards the batch
            limits = replace(limits, batch_questions=max(1, limits.batch_questions - 1))
        items, problems = read_incoming([Path(f) for f in files or []], limits, LANGUAGE)
        if pasted:
            # the pasted question comes first: "1" alone, "0" before files numbered from 1
            pasted_id = "0" if items else "1"
            try:
                items.insert(0, Incoming(pasted_id, check_question(pasted, limits)))
            except Refusal as exc:
                problems.insert(0, Problem(prompts.text("ui_triage_pasted", LANGUAGE), str(exc)))
        if not items and not problems:
            return _triage_note(prompts.text("ui_triage_nothing", LANGUAGE))
        results, failed = triage_each(assistant, settings, items)
        problems += failed
        csv_path = Path(workdir) / "triage.csv"
        write_csv(results, csv_path)
        summary = labelled_summary(summarise(results))
        chart_path = Path(workdir) / "triage-summary.png" if results else None
        if chart_path:
            titles = names("ui_triage_chart_titles", SUMMARY_FIELDS)
            axis = prompts.text("ui_triage_chart_axis", LANGUAGE)
            write_summary_chart(summary, chart_path, titles, axis)
        lines = [triaged_message(len(results))]
        lines += [
            "- "
            + prompts.text(
                "ui_triage_skipped", LANGUAGE, where=md_code(p.where), reason=md_text(p.reason)
            )
            for p in problems
        ]
        tables = summary_markdown(summary, names("ui_triage_summary", (*SUMMARY_FIELDS, "count")))
        return TriageView(
            rows=[triage_row(r) for r in results],
            details=[triage_detail_html(r) for r in results],
            csv_path=str(csv_path),
            chart_path=str(chart_path) if chart_path else None,
            message="\n".join(lines),
            summary=tables if results else "",
        )
    except AssistantError as exc:
        return _triage_note(prompts.text("error", LANGUAGE, message=md_text(str(exc))))
    except Exception:
        log.exception("Triage failed")
        message = prompts.text("unexpected_error", LANGUAGE)
        return _triage_note(prompts.text("error", LANGUAGE, message=message))


def _triage_note(message: str) -> TriageView:
    return TriageView([], [], None, None, message, "")


def selected_detail(
    views: Sequence[Mapping[str, Any]], row: Sequence[Any] | None, position: int | None
) -> str:
    """The detail of a selected table row: the view whose row has these cells (a table the
    reader sorted keeps them), else the one at its position, else the waiting text."""
    cells = [str(cell) for cell in row or ()]
    for view in views:
        if cells and view["row"] == cells:
            return str(view["html"])
    if position is not None and 0 <= position < len(views):
        return str(views[position]["html"])
    return triage_waiting_html()


# --- the app ----------------------------------------------------------------------------------


def _blocks(title: str, corpus_dir: Path, upload_bytes: int) -> "gr.Blocks":
    """An empty app whose launch, however it is called (`assistant serve`, `python ui.py`, a
    test), also serves the corpus documents (`document_route`) and the app's CSS, and refuses
    uploads larger than `upload_bytes`."""
    import gradio as gr

    class HelpdeskBlocks(gr.Blocks):
        def launch(self, *args: Any, **kwargs: Any) -> Any:
            return super().launch(*args, **_served(kwargs, corpus_dir, upload_bytes))

    return HelpdeskBlocks(title=title)


def _served(kwargs: dict[str, Any], corpus_dir: Path, upload_bytes: int) -> dict[str, Any]:
    """Gradio's launch or mount arguments with what the app needs wherever it is served: the
    corpus documents' route, its CSS, the upload limit."""
    kwargs = dict(kwargs)
    app_kwargs = dict(kwargs.pop("app_kwargs", None) or {})
    app_kwargs["routes"] = [*app_kwargs.get("routes", ()), document_route(corpus_dir)]
    kwargs["app_kwargs"] = app_kwargs
    kwargs["css"] = "\n".join(filter(None, (APP_CSS, kwargs.get("css"))))
    kwargs.setdefault("max_file_size", upload_bytes)
    # The handlers never raise: what reaches Gradio's error path is its own check of a
    # malformed request ("didn't receive enough input values"), worth saying, not null.
    kwargs.setdefault("show_error", True)
    return kwargs


def mount(
    app: "FastAPI", settings: Settings, path: str, assistant: "Assistant | None" = None
) -> "FastAPI":
    """The web app mounted at `path` of an existing FastAPI app (a larger site behind one
    server), serving what `serve` serves: the corpus documents under `path`/bron/ (the sources
    link to them relatively), the app's CSS and the upload limit."""
    import gradio as gr

    blocks = build_app(settings, assistant)
    upload_bytes = Limits.from_settings(settings).upload_bytes
    return gr.mount_gradio_app(app, blocks, path, **_served({}, settings.corpus_dir, upload_bytes))


def build_app(settings: Settings, assistant: "Assistant | None" = None) -> "gr.Blocks":
    """The web app over the configured index (opened, or built when missing, unless given)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no outside connections, ever
    import gradio as gr

    from assistant.feedback import FeedbackStore
    from assistant.service import answer_payload

    helpdesk = assistant or open_assistant(settings)
    limits = Limits.from_settings(settings)
    # Answering and triage share one group of `server_workers` threads: one slow request
    # never holds up the rest, and the machine is not asked for more than it has.
    work: dict[str, Any] = {"concurrency_id": _WORK, "concurrency_limit": settings.server_workers}
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
    ) -> Iterator[
        tuple[list[dict[str, Any]], list[dict[str, Any]], str, str, dict[str, Any] | None, str]
    ]:
        """One question: a language model's reply shows as it arrives; the answer then joins
        the chat and the (bounded) history, and the panel shows its sources (a reply that
        failed its check is replaced, visibly, by the offline answer); the status line says
        when old turns were left out."""
        chat = list(chat or [])
        try:
            question = clean_text(message).strip()
            if question:
                shown = shortened(question, limits.question_chars + 1)
                chat.append({"role": "user", "content": escaped(shown)})
            programme = programme_of(programme_choice)
            streamed = ""
            reply: Reply | None = None
            for part in stream_safely(helpdesk, question, history or [], programme, limits):
                if isinstance(part, Reply):
                    reply = part
                    break
                streamed += part
                partial = [*chat, {"role": "assistant", "content": escaped(streamed)}]
                yield partial, history, waiting_html(), "", None, ""
            assert reply is not None
            answer = reply.answer
            status = " ".join(reply.notes)  # our own sentences
            text = answer.text
            if answer.fallback:
                replaced = prompts.text("llm_replaced", answer.language, reason=answer.fallback)
                text = f"{text}\n\n{replaced}"
            chat.append({"role": "assistant", "content": escaped(text)})
            if not question or answer.kind in ("error", "refused"):
                # Nothing to remember: the next question should not build on a failed turn.
                yield chat, history, sources_html(answer.citations), message, None, status
                return
            history = remembered(history_state(reply.history), question, answer)
            last = {
                "question": question,
                "answer": answer.text,
                "sources": [c.source for c in answer.citations],
            }
            panel = sources_html(answer.citations, answer.language)
            yield chat, history, panel, "", last, status
        except Exception:
            log.exception("The chat handler failed")
            failed = prompts.text("error", LANGUAGE, message=t("unexpected_error"))
            chat.append({"role": "assistant", "content": escaped(failed)})
            yield chat, history, waiting_html(), message, None, ""

    def feedback(verdict: str, last: dict[str, Any] | None, comment: str) -> tuple[str, str]:
        """Store a verdict on the last answer; returns the confirmation and the cleared comment
        (a comment that is too long stays, with the limit said)."""
        if not last:
            return t("feedback_nothing"), comment
        try:
            note = check_comment(comment, limits, LANGUAGE)
            FeedbackStore(settings.feedback_path, limits.comment_chars).record(
                last["question"], last["answer"], last["sources"], verdict, note
            )
        except Refusal as exc:
            return str(exc), comment
        except Exception:
            log.exception("Storing feedback in %s failed", settings.feedback_path)
            return t("feedback_failed"), comment
        return t("feedback_thanks"), ""

    def new_conversation() -> tuple[list[Any], list[Any], str, None, str, str]:
        return [], [], waiting_html(), None, "", ""

    def ask(
        question: str = "", history: str | list[dict[str, Any]] = "[]", programme: str = ""
    ) -> dict[str, Any]:
        """Answer a question in its conversation.

        history: the earlier turns as a list of {"role": "user"|"assistant", "content": ...}, or
        that list as a JSON string (unreadable JSON counts as no history); an assistant turn may
        add "sources", the files its answer cited (its citations' "file"), which keeps a
        follow-up on that answer's document. Only the latest turns within the limits count.
        programme: only documents of this programme (empty: all). Returns {answer, citations,
        abstained, programme, kind, language, notes}; citations carry n, file, title, section,
        url, passage, quote; kind "refused" is a request beyond a limit, "error" a failure;
        notes say e.g. that the oldest turns were left out.
        """
        reply = answer_safely(helpdesk, question, history, programme, limits)
        try:
            payload = answer_payload(reply.answer)
        except Exception:  # never a raw exception to the client
            log.exception("Rendering an answer failed")
            payload = answer_payload(_error_answer(t("unexpected_error")))
        payload["notes"] = list(reply.notes)
        return payload

    def run_triage(
        text: str, files: list[str] | None
    ) -> tuple[list[list[str]], list[dict[str, Any]], str | None, str | None, str, str, str]:
        """The Triage button: the table, each row's detail (kept in the session), the CSV, the
        chart, the message, the summary tables, and the detail area (open when there is one
        question only)."""
        import tempfile

        try:
            workdir = tempfile.mkdtemp(prefix="triage-")
        except OSError:
            log.exception("No folder for the triage files")
            workdir = ""
        view = (
            triage_safely(helpdesk, settings, text, files, workdir)
            if workdir
            else _triage_note(prompts.text("error", LANGUAGE, message=t("unexpected_error")))
        )
        views = [{"row": r, "html": d} for r, d in zip(view.rows, view.details, strict=True)]
        detail = view.details[0] if len(view.details) == 1 else triage_waiting_html()
        return (
            view.rows,
            views,
            view.csv_path,
            view.chart_path,
            view.message,
            view.summary,
            detail,
        )

    def show_detail(views: list[dict[str, Any]], event: gr.SelectData) -> str:
        """A click on a table row: that question's detail."""
        try:
            index = event.index
            position = index[0] if isinstance(index, (list, tuple)) and index else None
            return selected_detail(views or [], event.row_value, position)
        except Exception:
            log.exception("Showing a triage row failed")
            return triage_waiting_html()

    def triage_api(question: str = "") -> dict[str, Any]:
        """Triage one incoming question: programme, action, category, organisation and its
        contact details, whether the help desk handles it itself, urgency, confidence,
        candidates when ambiguous, and the draft reply with its citations. "error" is null,
        or the sentence saying why the question was not triaged ("refused": it is beyond a
        limit, such as the question's length; the other fields are then absent)."""
        from assistant.triage import triage, triage_payload

        language = language_of(clean_text(question))
        try:
            text = check_question(question, limits)
            payload = triage_payload(triage(helpdesk, settings, text))
            return {**payload, "error": None, "refused": False}
        except Refusal as exc:
            log.info("Refused a triage request: %s", exc.key)
            return {"error": str(exc), "refused": True}
        except AssistantError as exc:
            return {"error": prompts.text("error", language, message=str(exc)), "refused": False}
        except Exception:
            log.exception("Triage of %r failed", clean_text(question)[:200])
            message = prompts.text("unexpected_error", language)
            return {"error": prompts.text("error", language, message=message), "refused": False}

    with _blocks(t("ui_title"), settings.corpus_dir, limits.upload_bytes) as app:
        history = gr.State([])  # this session's conversation, as the core reads it
        last = gr.State(None)  # this session's last answer, for feedback
        triage_views = gr.State([])  # this session's triage rows and their details
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
                        max_length=limits.question_chars,
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
                    comment = gr.Textbox(
                        label=t("ui_comment_label"), lines=1, max_length=limits.comment_chars
                    )
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
                    label=t("ui_triage_question"),
                    lines=4,
                    scale=3,
                    max_length=limits.question_chars,
                    elem_id="triage-question",
                )
                triage_files = gr.File(
                    label=t("ui_triage_files"),
                    file_count="multiple",
                    file_types=[".csv", ".eml"],
                    type="filepath",
                    scale=2,
                    elem_id="triage-files",
                )
            triage_button = gr.Button(t("ui_triage_run"), variant="primary", elem_id="triage-run")
            triage_message = gr.Markdown(elem_id="triage-message")
            triage_table = gr.Dataframe(
                headers=t("ui_triage_columns").split("|"),
                datatype="str",
                label=t("ui_triage_table"),
                wrap=True,
                interactive=False,
                max_height=420,
                # id, programme, kind, organisation, urgency, deadline, handled here,
                # confidence, question
                column_widths=["5%", "17%", "10%", "20%", "8%", "9%", "9%", "8%", "14%"],
                elem_id="triage-table",
            )
            triage_detail = gr.HTML(triage_waiting_html(), elem_id="triage-detail")
            with gr.Row():
                triage_csv = gr.File(
                    label=t("ui_triage_download"), interactive=False, scale=1, elem_id="triage-csv"
                )
                triage_chart = gr.Image(
                    scale=2,
                    label=t("ui_triage_chart"),
                    type="filepath",
                    buttons=["download", "fullscreen"],  # no "share": it would post to a hub
                    elem_id="triage-chart",
                )
            with gr.Accordion(t("ui_triage_summary_table"), open=False):
                triage_summary = gr.Markdown(elem_id="triage-summary")

        # Send, Enter, or a click on an example question (which fills the box, then asks it).
        for trigger in (send.click, question.submit, examples.load_input_event.then):
            trigger(
                respond,
                [question, chat, history, programme],
                [chat, history, sources, question, last, status],
                api_visibility="private",  # the documented API is /ask below
                **work,
            )

        def feedback_up(last: dict[str, Any] | None, comment: str) -> tuple[str, str]:
            return feedback("up", last, comment)

        def feedback_down(last: dict[str, Any] | None, comment: str) -> tuple[str, str]:
            return feedback("down", last, comment)

        thumbs_up.click(feedback_up, [last, comment], [status, comment], api_visibility="private")
        thumbs_down.click(
            feedback_down, [last, comment], [status, comment], api_visibility="private"
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
            [
                triage_table,
                triage_views,
                triage_csv,
                triage_chart,
                triage_message,
                triage_summary,
                triage_detail,
            ],
            api_visibility="private",
            **work,
        )
        triage_table.select(show_detail, [triage_views], [triage_detail], api_visibility="private")
        gr.api(ask, api_name="ask", **work)
        gr.api(triage_api, api_name="triage", **work)
    # Several requests at once (the models are shared read-only); the light handlers
    # (feedback, a new conversation, a row's detail) get as many threads of their own.
    app.queue(
        default_concurrency_limit=settings.server_workers, max_size=settings.server_queue_size
    )
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
