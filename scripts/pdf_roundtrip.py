"""Measure how whole the quotable units of a document come out of a PDF.

Usage:
    python scripts/pdf_roundtrip.py [--corpus corpus] [--width 85] [--lines 45]

Every plain-text document of the corpus is written as a PDF the way a word processor prints it:
its paragraphs wrapped at `width` characters, `lines` lines to a page, a running header on top
and "pagina n/m" at the foot of every page. The PDF is loaded like any corpus document and split
into units; the report is the share of the original's units (six words or more) that come out
of the PDF word for word. What breaks them is reflow: a sentence cut at a line or page end, a
running header inside a quote.
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT / "corpus")
    parser.add_argument("--width", type=int, default=85)
    parser.add_argument("--lines", type=int, default=45)
    args = parser.parse_args()
    settings = Settings()
    whole = total = 0
    print("| document | units whole | of |\n|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in sorted(args.corpus.glob("*.txt")):
            original = load_document(path, args.corpus)
            pdf = folder / f"{path.stem}.pdf"
            pages = printed_pages(path.read_text(encoding="utf-8"), args.width, args.lines)
            pdf.write_bytes(pdf_pages_bytes(pages))
            from_pdf = set(unit_texts(load_document(pdf, folder), settings))
            wanted = [u for u in unit_texts(original, settings) if len(u.split()) >= MIN_WORDS]
            kept = sum(u in from_pdf for u in wanted)
            whole, total = whole + kept, total + len(wanted)
            print(f"| {path.name} | {kept} | {len(wanted)} |")
    print(
        f"\nUnits of {MIN_WORDS}+ words whole after the PDF round trip: {whole}/{total}"
        f" = {whole / max(total, 1):.3f}"
    )


if __name__ == "__main__":
    main()
