"""Files under settings.storage_dir are referenced by paths relative to it, so a restore elsewhere still finds them."""

from __future__ import annotations

from pathlib import Path


def relative_to_storage(storage_dir: Path | str, path: Path | str) -> str:
    """The path to store in a row: relative to the storage directory (POSIX separators)."""
    return Path(path).resolve().relative_to(Path(storage_dir).resolve()).as_posix()


def storage_file(storage_dir: Path | str, stored: str) -> Path | None:
    """The file a row names, or None when the name leaves the storage directory. Rows written before paths
    were relative hold absolute paths under an older storage directory: they resolve by their last two parts
    (kind folder and file name), which is where a migrated or restored file lives."""
    root = Path(storage_dir).resolve()
    path = Path(stored)
    if path.is_absolute():
        path = Path(*path.parts[-2:])
    full = (root / path).resolve()
    return full if full.is_relative_to(root) else None
