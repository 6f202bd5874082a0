"""The README documents what the code offers."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_in_the_configuration_table() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"`ASSISTANT_{n.upper()}`" not in text]
    assert missing == []


def test_ci_runs_the_readme_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if "scripts/test.sh" in line)
    assert command.strip() in text
