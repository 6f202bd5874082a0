"""Write the corpus with a newer round of every call beside it, and the question sets re-labelled
for it, to measure how the assistant does when the documents hold two rounds of a call.

Usage:
    python scripts/newer_rounds.py --out /tmp/rounds \
        --questions ../shared/evals/dev.jsonl --questions ../shared/evals/dev2.jsonl
    ASSISTANT_CORPUS_DIR=/tmp/rounds/corpus ASSISTANT_INDEX_DIR=/tmp/rounds/index assistant index
    ASSISTANT_CORPUS_DIR=/tmp/rounds/corpus ASSISTANT_INDEX_DIR=/tmp/rounds/index \
        assistant eval --questions /tmp/rounds/dev.jsonl --out /tmp/rounds/report.json

Every document is copied, and beside it written a year later: every year in its name and text
one higher (a document without a year in its name gets "-volgende-ronde"). A document whose
later copy would take the name of one the corpus has (a 2024 round beside its 2025 round) gets
no copy, and the questions about it are left out. An answerable question that names no year is
then about the newest round: its expected source is the copy, its expected facts a year later.
One that names a year expects the round of that year (its facts as they were for the original,
a year later for the copy), or either round when neither is of that year. The copies differ
from the originals only in their years, the hardest case for telling rounds apart; a real newer
round also changes its text. Unanswerable questions stay as they are, although a copy can now
answer one that asks about the year after its original (an abstention there is then no error).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from assistant.chunking import chunk_metadata  # noqa: E402
from assistant.loaders import load_document  # noqa: E402
from assistant.retrieval import years_of_round  # noqa: E402
from assistant.types import Document  # noqa: E402

# Years of rounds and dates, 2010-2029; a target year ("tegen 2050") or a name ("Natura 2000")
# stays as it is.
YEAR = re.compile(r"\b(20[12][0-9])\b")


def a_year_later(text: str) -> str:
    return YEAR.sub(lambda m: str(int(m.group(1)) + 1), text)


def round_years(document: Document) -> set[str]:
    """The years that name a document's round, as retrieval reads them."""
    return years_of_round(document.title, chunk_metadata(document))


def write_corpus(corpus: Path, target: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The corpus and its newer rounds in `target`; each original's copy, and each document's
    round years."""
    target.mkdir(parents=True, exist_ok=True)
    copies: dict[str, str] = {}
    years: dict[str, set[str]] = {}
    for path in sorted(p for p in corpus.iterdir() if p.is_file()):
        shutil.copy(path, target / path.name)
        years[path.name] = round_years(load_document(path, corpus))
        stem = a_year_later(path.stem)
        name = f"{stem if stem != path.stem else f'{stem}-volgende-ronde'}{path.suffix}"
        if (corpus / name).exists():
            continue  # the corpus has that round already
        (target / name).write_text(a_year_later(path.read_text(encoding="utf-8")), "utf-8")
        years[name] = round_years(load_document(target / name, target))
        copies[path.name] = name
    return copies, years


def relabelled(item: dict, copies: dict[str, str], years: dict[str, set[str]]) -> dict | None:
    """A question labelled for the corpus with newer rounds; None when it is about a document
    that got no copy."""
    sources = item.get("expected_sources", [])
    if not item["answerable"] or not sources:
        return item
    if any(source not in copies for source in sources):
        return None
    users = [t["content"] for t in item.get("history", []) if t["role"] == "user"]
    asked = set(YEAR.findall(" ".join([*users, item["question"]])))
    later = [copies[s] for s in sources]
    facts_later = [[a_year_later(form) for form in fact] for fact in item["expected_facts"]]
    if not asked:
        return {**item, "expected_sources": later, "expected_facts": facts_later}
    originals = [s for s in sources if asked & years[s]]
    newer = [c for c in later if asked & years[c]]
    if originals and not newer:
        return {**item, "expected_sources": originals}
    if newer and not originals:
        return {**item, "expected_sources": newer, "expected_facts": facts_later}
    return {**item, "expected_sources": [*sources, *later]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=PROJECT / "corpus")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--questions", type=Path, action="append", default=[])
    args = parser.parse_args()
    copies, years = write_corpus(args.corpus, args.out / "corpus")
    print(f"{len(copies)} newer rounds written beside {len(years) - len(copies)} documents")
    for questions in args.questions:
        kept = left_out = 0
        with (
            questions.open(encoding="utf-8") as lines,
            (args.out / questions.name).open("w", encoding="utf-8") as out,
        ):
            for line in lines:
                if not line.strip():
                    continue
                item = relabelled(json.loads(line), copies, years)
                if item is None:
                    left_out += 1
                    continue
                kept += 1
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{questions.name}: {kept} questions ({left_out} about a document with no copy)")


if __name__ == "__main__":
    main()
