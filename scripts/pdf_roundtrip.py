"""Measure how whole the quotable units of a document come out of a PDF.

Usage:
    python scripts/pdf_roundtrip.py [--corpus corpus] [--width 85] [--lines 45]

Every plain-text document of the corpus is written as a PDF the way a word processor prints it:
its paragraphs wrapped at `width` characters, `lines` lines to a page, a running header on top
and "pagina n/m" at the foot of every page. The PDF is loaded like any corpus document and split
into units; the report is the share of the original's units (six words or more) that come out
of the PDF word for word, with the PDF's units that are not the original's (two joined, or a
piece of one) and the section headings both have. What breaks them is reflow: a sentence cut at
a line or page end, a running header inside a quote, an address whose lines stand alone.

With `--write DIR` it also writes the corpus as PDFs to DIR/corpus (the other documents copied)
and each `--questions` set to DIR with its expected sources renamed, to answer them end to end:

    python scripts/pdf_roundtrip.py --write /tmp/pdf --questions ../shared/evals/dev.jsonl
    ASSISTANT_CORPUS_DIR=/tmp/pdf/corpus ASSISTANT_INDEX_DIR=/tmp/pdf/index assistant index
    ASSISTANT_CORPUS_DIR=/tmp/pdf/corpus ASSISTANT_INDEX_DIR=/tmp/pdf/index \
        assistant eval --questions /tmp/pdf/dev.jsonl --out /tmp/pdf/report.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from assistant.chunking import split_document  # noqa: E402
from assistant.loaders import load_document  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.tokens import get_encoding  # noqa: E402
from assistant.types import Document  # noqa: E402
from assistant.units import units_of  # noqa: E402
from tests.pdfs import pdf_pages_bytes  # noqa: E402

RUNNING_HEADER = "Programmagids EU-fondsen – gids voor aanvragers"
MIN_WORDS = 6  # shorter units (a label, a code) say too little to count


def printed_pages(text: str, width: int, per_page: int) -> list[list[str]]:
    """The text as printed: paragraphs wrapped at `width`, a header and a page number on
    every page (in the PDF's WinAnsi encoding: other characters become '?')."""
    text = text.encode("cp1252", "replace").decode("cp1252")
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines.extend(textwrap.wrap(paragraph, width) if paragraph.strip() else [""])
    bodies = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    return [
        [RUNNING_HEADER, *body, f"pagina {n}/{len(bodies)}"]
        for n, body in enumerate(bodies, start=1)
    ]


def unit_texts(document: Document, settings: Settings) -> list[str]:
    encoding = get_encoding(settings.tokenizer)
    chunks = split_document(document, encoding, settings.chunk_tokens)
    return [" ".join(u.text.split()) for chunk in chunks for u in units_of(chunk)]


def write_questions(source: Path, target: Path) -> None:
    """A question set whose expected sources name the PDFs the text documents became."""
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            if not line.strip():
                continue
            item = json.loads(line)
            item["expected_sources"] = [
                f"{name[:-4]}.pdf" if name.endswith(".txt") else name
                for name in item.get("expected_sources", [])
            ]
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT / "corpus")
    parser.add_argument("--width", type=int, default=85)
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--write", type=Path, help="write the PDF corpus and question sets here")
    parser.add_argument("--questions", type=Path, action="append", default=[])
    args = parser.parse_args()
    if args.questions and not args.write:
        parser.error("--questions needs --write")
    settings = Settings()
    whole = total = extra = pdf_units = headings = kept_headings = 0
    print("| document | units whole | of | PDF units not in the text |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.write / "corpus" if args.write else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(args.corpus.iterdir()):
            if path.suffix != ".txt":
                if args.write and path.is_file():
                    shutil.copy(path, folder / path.name)
                continue
            original = load_document(path, args.corpus)
            pdf = folder / f"{path.stem}.pdf"
            pages = printed_pages(path.read_text(encoding="utf-8"), args.width, args.lines)
            pdf.write_bytes(pdf_pages_bytes(pages))
            printed = load_document(pdf, folder)
            from_pdf = [u for u in unit_texts(printed, settings) if len(u.split()) >= MIN_WORDS]
            units = unit_texts(original, settings)
            wanted = [u for u in units if len(u.split()) >= MIN_WORDS]
            kept = sum(u in set(from_pdf) for u in wanted)
            added = sum(u not in set(units) for u in from_pdf)
            whole, total = whole + kept, total + len(wanted)
            extra, pdf_units = extra + added, pdf_units + len(from_pdf)
            titles = {s.heading for s in original.sections}
            headings += len(titles)
            kept_headings += len(titles & {s.heading for s in printed.sections})
            print(f"| {path.name} | {kept} | {len(wanted)} | {added} |")
    for questions in args.questions:
        write_questions(questions, args.write / questions.name)
    print(
        f"\nUnits of {MIN_WORDS}+ words whole after the PDF round trip: {whole}/{total}"
        f" = {whole / max(total, 1):.3f}; PDF units not in the text: {extra}/{pdf_units};"
        f" section headings kept: {kept_headings}/{headings}"
    )


if __name__ == "__main__":
    main()
