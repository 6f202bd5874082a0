"""The web app: `python ui.py` serves it on ASSISTANT_SERVER_HOST:ASSISTANT_SERVER_PORT.

The app itself lives in `assistant/webapp.py`, so the installed package has it too
(`assistant serve` starts the same app).
"""

from assistant.webapp import build_app, main

__all__ = ["build_app", "main"]

if __name__ == "__main__":
    main()
