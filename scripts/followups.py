"""Write conversations that go on after the questions of a set, to measure whether the later
turns stay with the call the conversation is about.

Usage (the reports are those of `assistant eval` on the same sets):
    python scripts/followups.py --out /tmp/conv/turn2.jsonl \
        --questions ../shared/evals/dev.jsonl --report evals/report.json \
        --questions ../shared/evals/dev2.jsonl --report evals/report-dev2.json
    assistant eval --questions /tmp/conv/turn2.jsonl --out /tmp/conv/turn2-report.json
    python scripts/followups.py --out /tmp/conv/turn3.jsonl \
        --questions ../shared/evals/dev.jsonl --report evals/report.json \
        --questions ../shared/evals/dev2.jsonl --report evals/report-dev2.json \
        --turn2 /tmp/conv/turn2-report.json
    assistant eval --questions /tmp/conv/turn3.jsonl --out /tmp/conv/turn3-report.json

Every answerable question that opens a conversation is followed by "En wanneer is de
deadline?" (turn 2) and then "Bij wie kan ik terecht?" (turn 3), in English for an English
question, with the assistant's earlier replies in the history as the web app sends them (their
text only: a question set has no citations). A later turn is right when it cites the document
the first question expects (`citation_accuracy`); it has no expected facts.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

FOLLOW_UPS = {
    "nl": ("En wanneer is de deadline?", "Bij wie kan ik terecht?"),
    "en": ("And when is the deadline?", "Who can I contact?"),
}


def answers(report: Path) -> dict[str, str]:
    with report.open(encoding="utf-8") as file:
        return {q["id"]: q["answer"] for q in json.load(file)["questions"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, action="append", required=True)
    parser.add_argument("--report", type=Path, action="append", required=True)
    parser.add_argument("--turn2", type=Path, help="report of turn 2: write turn 3")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if len(args.questions) != len(args.report):
        parser.error("give one --report for each --questions")
    first = {k: v for report in args.report for k, v in answers(report).items()}
    second = answers(args.turn2) if args.turn2 else {}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with args.out.open("w", encoding="utf-8") as out:
        for questions in args.questions:
            for line in questions.read_text(encoding="utf-8").splitlines():
                item = json.loads(line) if line.strip() else None
                if not item or not item["answerable"] or item.get("history"):
                    continue
                if not item["expected_sources"] or item["id"] not in first:
                    continue
                deadline, contact = FOLLOW_UPS[item.get("lang", "nl")]
                history = [
                    {"role": "user", "content": item["question"]},
                    {"role": "assistant", "content": first[item["id"]]},
                ]
                question, kind = deadline, "deadline"
                if args.turn2:
                    if item["id"] not in second:
                        continue
                    history += [
                        {"role": "user", "content": deadline},
                        {"role": "assistant", "content": second[item["id"]]},
                    ]
                    question, kind = contact, "contact"
                follow_up = {
                    **item,
                    "question": question,
                    "history": history,
                    "expected_facts": [],
                    "category": kind,
                }
                out.write(json.dumps(follow_up, ensure_ascii=False) + "\n")
                written += 1
    print(f"{written} conversations written to {args.out}")


if __name__ == "__main__":
    main()
