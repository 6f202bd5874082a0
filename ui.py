"""The web app: `python ui.py` starts it exactly as `assistant serve` does.

Settings come from ASSISTANT_* variables; `--host` and `--port` are accepted too. On the first
run the index is built from the corpus, with a progress bar per stage, before the app starts.
The app itself lives in `assistant/webapp.py`, so the installed package has it too.
"""

import sys

from assistant.webapp import build_app

__all__ = ["build_app", "main"]


def main() -> None:
    """Run `assistant serve` with this script's arguments."""
    from assistant.cli import app

    app(["serve", *sys.argv[1:]], prog_name="python ui.py")


if __name__ == "__main__":
    main()
