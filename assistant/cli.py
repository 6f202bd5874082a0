"""The `assistant` command line: parse options, call the core, turn its errors into messages."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.errors import AssistantError
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.indexing import IndexReport
    from assistant.retrieval import HybridRetriever
    from assistant.service import Assistant
    from assistant.triage import Triage
    from assistant.types import Answer, Turn

EXIT_ERROR = 1
EXIT_SKIPPED = 3  # indexing finished, but some documents could not be read

app = typer.Typer(
    help="Dutch help-desk assistant for EU programme texts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


@app.callback()
def main(
    ctx: typer.Context,
    corpus: Annotated[
        Path | None, typer.Option(help="Folder with the programme documents.")
    ] = None,
    index_dir: Annotated[Path | None, typer.Option(help="Folder of the embedded index.")] = None,
    model: Annotated[str | None, typer.Option(help="Embedding model (see README).")] = None,
    chroma_host: Annotated[
        str | None, typer.Option(help="Use a Chroma server at this host.")
    ] = None,
    chroma_port: Annotated[int | None, typer.Option(help="Port of the Chroma server.")] = None,
) -> None:
    """Options given here override ASSISTANT_* environment variables."""
    overrides = {
        "corpus_dir": corpus,
        "index_dir": index_dir,
        "embedding_model": model,
        "chroma_host": chroma_host,
        "chroma_port": chroma_port,
    }
    ctx.obj = {k: v for k, v in overrides.items() if v is not None}


def _settings(ctx: typer.Context, **more: Any) -> Settings:
    values = dict(ctx.obj or {})
    values.update({k: v for k, v in more.items() if v is not None})
    try:
        return Settings(**values)
    except ValueError as exc:
        return _fail(f"Invalid setting: {exc}")


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    errors.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _bars(*, transient: bool) -> Progress:
    """Progress bars on stderr, so stdout stays clean for --json. Where stderr is not a
    terminal (a pipe, a CI log) nothing is drawn while running: kept bars are printed once at
    the end, transient ones not at all."""
    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    quiet = transient and not errors.is_terminal
    return Progress(*columns, console=errors, transient=transient, disable=quiet)


@contextmanager
def _counting(label: str, total: int) -> Iterator[Callable[[], None]]:
    """A bar counting finished items (gone when done); yields the call that counts one more."""
    with _bars(transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


class _RichProgress:
    """Shows each indexing stage as a progress bar."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: Any = None

    def start(self, stage: str, total: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total)
        self._task = self._progress.add_task(stage, total=total or None)

    def advance(self, amount: int) -> None:
        self._progress.advance(self._task, amount)


@app.command()
def index(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option(help="Build the index anew from the corpus and the embedding cache.")
    ] = False,
) -> None:
    """Build or update the index from the corpus folder; only changes are written.

    Changes go into a new index generation that is put in use when complete (a running app
    switches to it at its next question). A second run while one is busy exits with code 1.
    """
    settings = _settings(ctx)
    report = _build_index(settings, rebuild=rebuild)
    kept = len(report.kept_documents)
    documents = f"{report.documents} documents" + (f" (and {kept} kept)" if kept else "")
    if report.wrote_nothing:
        console.print(
            f"Index is up to date: {documents}, {report.chunks} chunks, "
            f"nothing written ({report.seconds:.1f} s)."
        )
    else:
        console.print(
            f"Indexed {documents} into {report.chunks} chunks: "
            f"{report.added_chunks} chunks and {report.added_units} sentence vectors written "
            f"({report.embedded_texts} texts newly embedded), {report.deleted_chunks} chunks "
            f"and {report.deleted_units} sentence vectors removed, in {report.seconds:.1f} s."
        )
        for label, names in (
            ("new", report.new_documents),
            ("changed", report.changed_documents),
            ("removed", report.removed_documents),
        ):
            if names:
                console.print(f"  {label}: {', '.join(names)}", highlight=False)
        if report.completed_previous:
            console.print(
                "  The index in use lacked sentence vectors (an interrupted build); "
                "the new generation has them all."
            )
        console.print(
            f"  Index generation {report.generation} is in use; running apps switch to it "
            "at their next question.",
            highlight=False,
        )
    if report.failures:
        raise typer.Exit(EXIT_SKIPPED)


def _build_index(settings: Settings, *, rebuild: bool = False) -> IndexReport:
    """Build the index with a kept progress bar per stage; report the skipped documents."""
    from assistant.indexing import build_index

    if not settings.corpus_dir.is_dir():
        _fail(f"Corpus folder {settings.corpus_dir} does not exist.")
    try:
        with _bars(transient=False) as bar:
            report = build_index(settings, rebuild=rebuild, progress=_RichProgress(bar))
    except AssistantError as exc:
        _fail(str(exc))
    kept = set(report.kept_documents)
    for failure in report.failures:
        note = " (its chunks in the index are kept)" if failure.source in kept else ""
        errors.print(
            f"[yellow]Skipped[/] {failure.source}: {failure.reason}{note}", highlight=False
        )
    if report.failures:
        errors.print(f"{len(report.failures)} document(s) skipped.")
    return report


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The question or search words.")],
    k: Annotated[int, typer.Option(help="Number of distinct documents.")] = 5,
    programme: Annotated[
        str | None, typer.Option(help="Only this programme (e.g. Erasmus).")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only calls still open.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Print the best passages for a question, with title, section, file and score."""
    from assistant.retrieval import HybridRetriever, SearchFilter

    if not query.strip():
        _fail("Give a question or search words.")
    settings = _settings(ctx)
    try:
        retriever = HybridRetriever.from_settings(settings)
        retriever.warm_up()
        documents = retriever.search(query, k, SearchFilter(programme, open_only))
    except AssistantError as exc:
        _fail(str(exc))
    if as_json:
        payload = [
            {
                "file": d.source,
                "title": d.title,
                "score": round(d.score, 6),
                "passages": [
                    {
                        "section": h.chunk.section,
                        "text": h.chunk.text,
                        "score": round(h.score, 6),
                        "dense_rank": h.dense_rank,
                        "lexical_rank": h.lexical_rank,
                    }
                    for h in d.hits
                ],
            }
            for d in documents
        ]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    if not documents:
        console.print("No passages found.")
        return
    for rank, document in enumerate(documents, 1):
        console.print(
            f"[bold]{rank}. {document.title}[/]  [dim]{document.source} · score "
            f"{document.score:.4f}[/]",
            highlight=False,
        )
        for hit in document.hits:
            snippet = " ".join(hit.chunk.text.split())
            snippet = snippet if len(snippet) <= 300 else snippet[:297] + "…"
            console.print(f"   [cyan]{hit.chunk.section or '—'}[/]: {snippet}", highlight=False)
        console.print()


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in Dutch or English.")],
    programme: Annotated[
        str | None, typer.Option(help="Only this programme (e.g. Erasmus+).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON object.")] = False,
    today: Annotated[
        str | None, typer.Option(help="Date the assistant takes as today (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Answer a question with [n] markers, then list the sources they point at."""
    from assistant.limits import Limits, Refusal, check_programme, check_question

    _tolerant_streams()
    settings = _settings(ctx)
    try:
        text = check_question(question, Limits.from_settings(settings))
    except Refusal as exc:
        _fail(str(exc))
    if not text:
        _fail("Give a question.")
    day = _parse_day(today)
    from assistant.service import Assistant, answer_payload  # heavy: after the checks

    try:
        assistant = Assistant.open(settings)
        programme = check_programme(programme)
        if as_json:
            answer, shown = assistant.ask(text, (), programme, day), False
        else:
            answer, shown = _answer_streaming(assistant, text, [], programme, day)
    except AssistantError as exc:
        _fail(str(exc))
    except Exception:
        _unexpected(settings, "answering the question")
    if as_json:
        sys.stdout.write(json.dumps(answer_payload(answer), ensure_ascii=False, indent=2) + "\n")
        return
    _print_answer(answer, text_shown=shown)


@app.command()
def chat(
    ctx: typer.Context,
    programme: Annotated[
        str | None, typer.Option(help="Only this programme (e.g. Erasmus+).")
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="Date the assistant takes as today (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Talk with the assistant in the terminal; follow-up questions build on the conversation.

    Reads one question per line until end of input or 'exit' / 'stop'.
    """
    from assistant import prompts
    from assistant.limits import (
        Limits,
        Refusal,
        bounded,
        check_programme,
        check_question,
        language_of,
    )
    from assistant.service import Assistant
    from assistant.types import Turn

    _tolerant_streams()
    settings = _settings(ctx)
    limits = Limits.from_settings(settings)
    day = _parse_day(today)
    try:
        assistant = Assistant.open(settings)
    except AssistantError as exc:
        _fail(str(exc))
    except Exception:
        _unexpected(settings, "opening the index")
    console.print(prompts.text("chat_intro", "nl"), highlight=False)
    history: list[Turn] = []
    for line in _questions():
        if not line:
            continue
        if line.lower() in ("exit", "stop", "quit"):
            break
        # Any one line's failure is one message; the conversation goes on.
        try:
            question = check_question(line, limits)
            kept = bounded(history, limits)
            for note in kept.notes(language_of(question)):
                errors.print(f"[dim]{escape(note)}[/]", highlight=False)
            history = list(kept.turns)
            answer, shown = _answer_streaming(
                assistant, question, history, check_programme(programme), day
            )
        except Refusal as exc:
            errors.print(f"[bold]{escape(str(exc))}[/]", highlight=False)
            continue
        except AssistantError as exc:
            errors.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False)
            continue
        except Exception:
            where = _log_exception(settings, "answering a chat question")
            errors.print(f"[bold red]Error:[/] {escape(_unexpected_message(where))}")
            continue
        _print_answer(answer, text_shown=shown)
        console.print()
        cited = tuple(dict.fromkeys(c.source for c in answer.citations))
        history += [Turn("user", question), Turn("assistant", answer.text, cited)]


def _questions() -> Iterator[str]:
    """Lines from the terminal (with a prompt) or from piped input, until end of input; bytes
    that are not UTF-8 become U+FFFD, lone surrogates too (`clean_text`)."""
    from assistant.limits import clean_text

    interactive = sys.stdin.isatty()
    while True:
        try:
            line = console.input("[bold]> [/]") if interactive else sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            return
        except UnicodeDecodeError:  # a stream that cannot be reconfigured to replace
            yield "\ufffd"
            continue
        if not interactive and not line:
            return
        yield clean_text(line).strip()


def _tolerant_streams() -> None:
    """Read and write the terminal without failing on text that is not valid UTF-8: invalid
    input bytes become U+FFFD, unencodable output characters '?'."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        # a stream that cannot be reconfigured once read from keeps its handler
        with suppress(OSError, ValueError):
            reconfigure(errors="replace")


def _log_exception(settings: Settings, doing: str) -> Path | None:
    """Append the current exception's traceback to the log file; its path, or None when it
    cannot be written."""
    import traceback
    from datetime import datetime

    path = settings.log_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="replace") as log:
            log.write(f"--- {datetime.now().isoformat(timespec='seconds')} {doing}\n")
            log.write(traceback.format_exc())
    except OSError:
        return None
    return path


def _unexpected_message(where: Path | None) -> str:
    details = f" (details in {where})" if where else ""
    return f"an unexpected error occurred{details}. Please try again or report it."


def _unexpected(settings: Settings, doing: str) -> NoReturn:
    """One line for the user, the traceback in the log file; exits with EXIT_ERROR."""
    _fail(_unexpected_message(_log_exception(settings, doing)))


def _answer_streaming(
    assistant: Assistant,
    question: str,
    history: list[Turn],
    programme: str | None,
    day: date | None,
) -> tuple[Answer, bool]:
    """The answer, a language model's reply printed as it arrives; and whether the printed
    text is the answer (False when nothing streamed or the reply was replaced)."""
    streamed = False
    for part in assistant.stream(question, history, day, programme):
        if isinstance(part, str):
            console.print(part, end="", markup=False, highlight=False, soft_wrap=True)
            streamed = True
        else:
            answer = part[0]
    if streamed:
        console.print()
    return answer, streamed and answer.fallback is None


def _print_answer(answer: Answer, *, text_shown: bool = False) -> None:
    from assistant import prompts

    if answer.fallback:  # the language model's reply did not pass: say so, show the offline one
        note = prompts.text("llm_replaced", answer.language, reason=answer.fallback)
        errors.print(f"[dim]{escape(note)}[/]", highlight=False)
    if not text_shown:
        console.print(answer.text, markup=False, highlight=False, soft_wrap=True)
    if not answer.citations:
        return
    console.print(f"\n[bold]{prompts.text('sources', answer.language)}[/]")
    for c in answer.citations:
        fields = [c.title, c.section or "—", c.source]
        if c.url:
            fields.append(c.url)
        console.print(
            f"[{c.n}] " + " — ".join(fields), markup=False, highlight=False, soft_wrap=True
        )


@app.command("triage")
def triage_command(
    ctx: typer.Context,
    question: Annotated[
        str | None, typer.Argument(help="One question to triage (or use --in for a batch).")
    ] = None,
    inputs: Annotated[
        list[Path] | None,
        typer.Option("--in", help="A CSV file of questions, .eml files, or a folder of them."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Where to write the triage CSV.")] = Path("triage.csv"),
    chart: Annotated[
        Path | None, typer.Option(help="Where to write the summary chart (default: beside --out).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
    today: Annotated[
        str | None, typer.Option(help="Date the assistant takes as today (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Triage incoming questions: programme, kind, handling organisation, urgency, a draft
    reply with sources. A batch (--in) writes a CSV and prints a summary with a chart."""
    from assistant.limits import Limits, Refusal, check_question

    _tolerant_streams()
    settings = _settings(ctx)
    limits = Limits.from_settings(settings)
    try:
        text = check_question(question, limits)
    except Refusal as exc:
        _fail(str(exc))
    if not inputs and not text:
        _fail("Give a question, or --in with a CSV file, .eml files or a folder.")
    day = _parse_day(today)
    # heavy (the answer path): after the checks
    from assistant.intake import read_incoming, triage_each, write_csv
    from assistant.service import Assistant
    from assistant.triage import (
        summarise,
        summary_markdown,
        triage,
        triage_payload,
        write_summary_chart,
    )

    try:
        if not inputs:
            result = triage(Assistant.open(settings), settings, text, (), day)
            if as_json:
                payload = json.dumps(triage_payload(result), ensure_ascii=False, indent=2)
                sys.stdout.write(payload + "\n")
            else:
                _print_triage(result)
            return
        items, problems = read_incoming(inputs, limits)
        results: list[Triage] = []
        if items:  # the models load only when there is something to triage
            assistant = Assistant.open(settings)
            with _counting("Triage", len(items)) as done:
                results, failed = triage_each(assistant, settings, items, day, done)
            problems += failed
        write_csv(results, out)
        summary = summarise(results)
        chart_path = chart or out.with_suffix(".png")
        if results:
            write_summary_chart(summary, chart_path)
    except AssistantError as exc:
        _fail(str(exc))
    except OSError as exc:  # the CSV or the chart cannot be written there
        _fail(f"Cannot write {exc.filename or out}: {exc.strerror or exc}")
    except Exception:
        _unexpected(settings, "triaging")
    if as_json:
        payload = json.dumps([triage_payload(r) for r in results], ensure_ascii=False, indent=2)
        sys.stdout.write(payload + "\n")
    else:
        console.print(Markdown(summary_markdown(summary)))
        console.print(
            f"{len(results)} questions triaged → {out}, summary chart → {chart_path}",
            markup=False,
            highlight=False,
        )
    for problem in problems:
        console.print(
            f"[yellow]skipped[/] {escape(problem.where)}: {escape(problem.reason)}",
            highlight=False,
        )
    if problems:
        raise typer.Exit(EXIT_SKIPPED)


def _print_triage(result: Triage) -> None:
    routing = result.routing
    rows = [
        ("Programma", result.programme or "—"),
        ("Actie / code", " / ".join(x for x in (result.action, result.call_code) if x) or "—"),
        ("Soort vraag", result.category),
        ("Organisatie", routing.organisation or "—"),
        ("Behandelt zelf", "ja" if routing.handled_by_helpdesk else "nee, doorsturen"),
        ("Contact", routing.contact or "—"),
        (
            "Urgentie",
            result.urgency + (f" (deadline {result.deadline})" if result.deadline else ""),
        ),
        ("Taal", result.language),
        ("Zekerheid", f"{result.confidence:.2f}"),
    ]
    if result.ambiguous:
        rows.append(("Onzeker, kandidaten", "; ".join(result.candidates)))
    table = Table(show_header=False)
    for label, value in rows:
        table.add_row(label, escape(value))  # document text is no markup
    console.print(table)
    console.print("[bold]Ontwerp-antwoord[/]")
    _print_answer(result.answer)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Start the web app; builds the index from the corpus first if there is none."""
    import logging

    from assistant import webapp
    from assistant.service import Assistant

    started = time.perf_counter()
    settings = _settings(ctx, server_host=host, server_port=port)
    # The app's log on stderr: refusals and bounded histories (info), failed requests with
    # their traceback (the user only ever sees a sentence).
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    app_log = logging.getLogger("assistant")
    app_log.addHandler(handler)
    app_log.setLevel(logging.INFO)
    try:
        _build_first_index(settings)
        with errors.status("Opening the index and starting the web app …"):
            web = webapp.build_app(settings, Assistant.open(settings))
            # quiet: Gradio would otherwise suggest `share=True` (a public link through its
            # servers), which this offline tool must not offer; the address is printed below.
            web.launch(
                server_name=settings.server_host,
                server_port=settings.server_port,
                share=False,
                quiet=True,
                prevent_thread_lock=True,
            )
    except AssistantError as exc:
        _fail(str(exc))
    except OSError as exc:  # Gradio's own message speaks of launch() parameters
        reason = exc.strerror or "the port is in use or the address is not this machine's"
        where = f"{settings.server_host}:{settings.server_port}"
        _fail(f"Cannot listen on {where}: {reason}. Choose another with --port.")
    except typer.Exit:
        raise
    except Exception:
        _unexpected(settings, "starting the web app")
    seconds = time.perf_counter() - started
    console.print(
        f"Web app running on {web.local_url} (ready after {seconds:.0f} s; Ctrl+C stops it)",
        highlight=False,
        soft_wrap=True,
    )
    web.block_thread()


def _build_first_index(settings: Settings) -> None:
    """On the first run (no index yet), build the index with progress bars and say so."""
    from assistant.indexing import index_is_ready
    from assistant.loaders import count_corpus_files

    try:
        if index_is_ready(settings):
            return
    except AssistantError as exc:
        _fail(str(exc))
    if not settings.corpus_dir.is_dir():
        _fail(f"No index yet, and no corpus folder {settings.corpus_dir} to build it from.")
    errors.print(
        f"First run: no index yet. Building it from the {count_corpus_files(settings.corpus_dir)} "
        f"files in {settings.corpus_dir} before the web app starts …",
        highlight=False,
        soft_wrap=True,
    )
    report = _build_index(settings)
    errors.print(
        f"Index built in {report.seconds:.0f} s: {report.documents} documents, "
        f"{report.chunks} chunks.",
        highlight=False,
        soft_wrap=True,
    )


@app.command("eval")
def evaluate(
    ctx: typer.Context,
    questions: Annotated[Path, typer.Option(help="Question set (JSON Lines, FORMAT.md).")],
    out: Annotated[Path, typer.Option(help="Where to write the JSON report.")] = Path(
        "evals/report.json"
    ),
    fusion: Annotated[str | None, typer.Option(help="rrf, weighted, dense or lexical.")] = None,
    retrieval_only: Annotated[
        bool, typer.Option(help="Only search (cheap): no answers, follow-ups prepended.")
    ] = False,
    today: Annotated[
        str | None, typer.Option(help="Date the assistant takes as today (YYYY-MM-DD).")
    ] = None,
    llm: Annotated[
        str | None,
        typer.Option(help="Let a language model write the replies: none, openai or ollama."),
    ] = None,
) -> None:
    """Run a question set through the assistant, print the metrics and write the report."""
    from assistant.evaluation import (
        build_report,
        load_questions,
        run_answers,
        run_retrieval,
        write_markdown,
        write_report,
    )

    settings = _settings(ctx, fusion=fusion, llm=llm)
    day = _parse_day(today)
    try:
        question_set = load_questions(questions)
        retriever = _open_retriever(settings)
        if retrieval_only:
            with _counting("Questions", len(question_set)) as done:
                results = run_retrieval(question_set, lambda q: retriever.search(q, k=10), done)
            notes = [
                "Retrieval only: answer, triage and answer-latency metrics are null.",
                "Follow-up questions are searched with their history's last user turn prepended.",
                "Per-question latency_ms is the search time (warm).",
            ]
        else:
            from assistant.llm import LLMWriter
            from assistant.service import Assistant
            from assistant.triage import triage

            assistant = Assistant(retriever, writer=LLMWriter.from_settings(settings))
            with _counting("Questions", len(question_set)) as done:
                results = run_answers(
                    question_set,
                    lambda q: triage(assistant, settings, q.question, q.history, day, q.id),
                    done,
                )
            notes = [
                "Every question went through triage (the answer path, then routing); follow-ups "
                "through their history.",
                "route_accuracy: a route form is a substring of the predicted organisation.",
                f"Today was taken as {(day or date.today()).isoformat()}.",
            ]
    except AssistantError as exc:
        _fail(str(exc))
    used = {
        "embedding_model": retriever.embedder.model_id,
        "fusion": settings.fusion,
        "chunk_tokens": settings.chunk_tokens,
        "questions": str(questions),
    }
    report = build_report(question_set, results, used, notes)
    if settings.llm != "none" and not retrieval_only:
        from assistant.evaluation import fallbacks

        report["llm"] = {"model": f"{settings.llm}:{settings.llm_model}", **fallbacks(results)}
        console.print(f"Language model replies replaced by the offline answer: {report['llm']}")
    write_report(report, out)
    write_markdown(report, out.with_suffix(".md"))
    _print_summary(report)
    console.print(f"Report written to {out} and {out.with_suffix('.md')}")


def _open_retriever(settings: Settings) -> HybridRetriever:
    from assistant.retrieval import HybridRetriever

    retriever = HybridRetriever.from_settings(settings)
    retriever.warm_up()
    return retriever


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return _fail(f"--today must be a date as YYYY-MM-DD, not {value!r}.")


def _print_summary(report: dict[str, Any]) -> None:
    table = Table(title="Retrieval (answerable questions)")
    metrics = ("hit@1", "hit@3", "hit@5", "mrr@10")
    table.add_column("category")
    table.add_column("n", justify="right")
    for metric in metrics:
        table.add_column(metric, justify="right")
    rows = [("all", sum(v["n"] for v in report["by_category"].values()), report["summary"])]
    rows += [(name, v["n"], v) for name, v in report["by_category"].items()]
    for name, n, values in rows:
        table.add_row(name, str(n), *(f"{values[m]:.3f}" for m in metrics))
    console.print(table)
    summary = report["summary"]
    answers = (
        "fact_accuracy",
        "citation_accuracy",
        "false_abstain_rate",
        "abstain_recall",
        "answer_words_p50",
    )
    if summary["fact_accuracy"] is not None:
        console.print("  ".join(f"{m} {summary[m]:.3f}" for m in answers if summary[m] is not None))
    triage = ("route_accuracy", "category_accuracy")
    if any(summary[m] is not None for m in triage):
        console.print("  ".join(f"{m} {summary[m]:.3f}" for m in triage if summary[m] is not None))
    latency = report["latency_ms"]
    console.print(f"latency: p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms")
    missing = [k for k, v in report["summary"].items() if v is None]
    if missing:
        console.print(f"[dim]not measured yet: {', '.join(missing)}[/]")


if __name__ == "__main__":
    app()
