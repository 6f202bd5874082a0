"""Token counting with tiktoken; its rank files come from an installed package, never a download."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

from assistant.errors import ConfigurationError

# tiktoken looks its rank files up in TIKTOKEN_CACHE_DIR under the SHA-1 of their download URL;
# placing the files there is the only way to stop it from downloading them.
_RANK_FILE_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def _cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "assistant-tiktoken"


def _install_rank_file(name: str, cache_dir: Path) -> None:
    """Unpack the packaged rank file of `name` into cache_dir under the name tiktoken expects."""
    url = _RANK_FILE_URLS[name]
    target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
    if target.exists():
        return
    packaged = resources.files("bpe_openai").joinpath("data", f"{name}.tiktoken.gz")
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = gzip.decompress(packaged.read_bytes())
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(target)  # atomic, so a concurrent reader never sees half a file


@lru_cache(maxsize=4)
def get_encoding(name: str) -> tiktoken.Encoding:
    """Return the tiktoken encoding `name`, loaded offline.

    Raises ConfigurationError for an encoding that no installed package ships.
    """
    if name not in _RANK_FILE_URLS:
        known = ", ".join(sorted(_RANK_FILE_URLS))
        raise ConfigurationError(f"Unknown tokenizer {name!r}; choose one of: {known}.")
    cache_dir = _cache_dir()
    _install_rank_file(name, cache_dir)
    previous = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    try:
        return tiktoken.get_encoding(name)
    finally:
        if previous is None:
            del os.environ["TIKTOKEN_CACHE_DIR"]
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = previous


def count_tokens(text: str, encoding: tiktoken.Encoding) -> int:
    """Number of tokens of `text` under `encoding`."""
    return len(encoding.encode(text, disallowed_special=()))
