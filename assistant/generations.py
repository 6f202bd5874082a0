"""Index generations: every build writes a complete new one; a pointer file names the one in use.

    index_dir/
      CURRENT                   id of the generation in use, replaced atomically (os.replace)
      index.lock                held (flock) by the one index run at a time
      embedding-cache.sqlite3   vectors by text hash, shared by every generation
      generations/<id>/         one generation: manifest.json and its embedded Chroma data

A reader follows CURRENT; a build switches it only once its generation is complete, so a run
that dies half-way leaves the previous generation serving. After a switch the previous
generation is kept (a running app may still be reading it until its next request) and older
ones are removed. An index of before generations (Chroma files in index_dir itself, no
CURRENT) is read as the "legacy" generation until the first build replaces it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import IndexBusyError

POINTER = "CURRENT"
LOCK = "index.lock"
GENERATIONS = "generations"
MANIFEST = "manifest.json"
_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
# What an embedded Chroma of before generations left in index_dir: its database and one folder
# per HNSW segment, named by UUID. Nothing else in index_dir (feedback, logs) is ever touched.
_LEGACY_DB = "chroma.sqlite3"
_SEGMENT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Generation:
    """One complete (or, while it is built, growing) index; id None is the legacy layout."""

    id: str | None
    path: Path  # its manifest and, for the embedded backend, its Chroma data

    @property
    def legacy(self) -> bool:
        return self.id is None

    def manifest(self) -> dict[str, Any] | None:
        """What the build recorded when it finished the generation; None before that."""
        try:
            data = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @property
    def replaced(self) -> bool:
        """Whether a newer generation is in use (this one is kept a while, then removed)."""
        return not self.legacy and current_id(self.path.parent.parent) != self.id


def current_id(index_dir: Path) -> str | None:
    """The id CURRENT names, or None (no index, or a legacy one). One small read: cheap enough
    to ask before every request."""
    try:
        text = (index_dir / POINTER).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if _ID.match(text) else None


def current(index_dir: Path) -> Generation:
    """The generation in use; the legacy one when CURRENT does not exist (it may be empty)."""
    id_ = current_id(index_dir)
    if id_ is None:
        return Generation(None, index_dir)
    return Generation(id_, index_dir / GENERATIONS / id_)


def legacy_exists(index_dir: Path) -> bool:
    """Whether index_dir holds an embedded Chroma index of before generations."""
    return (index_dir / _LEGACY_DB).is_file()


def start(index_dir: Path) -> Generation:
    """A new, empty generation folder with a fresh id (sortable by creation time)."""
    id_ = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    path = index_dir / GENERATIONS / id_
    path.mkdir(parents=True)
    return Generation(id_, path)


def finish(generation: Generation, manifest: dict[str, Any]) -> None:
    """Write the generation's manifest, the mark that it is complete."""
    _write_atomically(generation.path / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def publish(index_dir: Path, generation: Generation) -> None:
    """Make `generation` the one in use: readers opening the index from now on get it."""
    if generation.id is None or generation.manifest() is None:
        raise ValueError("only a finished generation can be published")
    _write_atomically(index_dir / POINTER, generation.id + "\n")


def remove_unused(index_dir: Path, keep: set[str | None]) -> list[str | None]:
    """Delete every generation whose id is not in `keep` (None: the legacy files); returns the
    ids removed. Call it holding the index lock: a folder being built is then never removed."""
    removed: list[str | None] = []
    folder = index_dir / GENERATIONS
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_dir() and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
    if None not in keep and legacy_exists(index_dir):
        for path in index_dir.iterdir():
            if path.name.startswith(_LEGACY_DB):
                path.unlink(missing_ok=True)
            elif path.is_dir() and _SEGMENT.match(path.name):
                shutil.rmtree(path, ignore_errors=True)
        removed.append(None)
    return removed


@contextlib.contextmanager
def exclusive(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's lock for one index run; the kernel releases it if the process
    dies. Raises IndexBusyError at once when another run holds it (no waiting)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a+", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            by = f" (process {holder})" if holder.isdigit() else ""
            raise IndexBusyError(
                f"Another index run{by} is updating {index_dir}; try again when it has finished."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
