"""The answer chain as a langchain Runnable, so an LLM-backed composer can plug in beside it."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableLambda

from assistant.service import Assistant, answer_payload, turns_from


def answer_chain(assistant: Assistant) -> RunnableLambda[dict[str, Any], dict[str, Any]]:
    """A Runnable from {"question", "history"?, "programme"?} to the API's answer object."""

    def run(inputs: dict[str, Any]) -> dict[str, Any]:
        answer = assistant.ask(
            str(inputs.get("question", "")),
            turns_from(inputs.get("history")),
            inputs.get("programme") or None,
        )
        return answer_payload(answer)

    return RunnableLambda(run, name="offline_composer")
