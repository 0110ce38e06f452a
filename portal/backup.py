"""Backup and restore (SECURITY 27): the database (SQLite online backup API, or pg_dump/pg_restore) and the
storage directory's records (documents, materials) in one folder with a manifest; then a check that opens them.

Consistency: the database is copied first, then the files. Stored PDFs and materials are written to disk before
their rows are committed and are never changed or deleted afterwards, so every file a row of the snapshot names
is already on disk when the files are copied (files of later rows are extra and harmless). Exports and uploads
in progress (storage/exports, storage/imports) are temporary and not backed up.

Seals: the public half of PORTAL_SEAL_DIR (trust anchors, each division's chain.pem and seal.png) goes into
seals.tar, so a restored portal still answers 有效 for the PDFs it issued. Private keys (key.pem, seal.p12) are
never copied into a backup: a backup folder travels and is read by operators, a signing key is kept by its
custodian (or in an HSM) and restored by them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
STORAGE_FILE = "storage.tar"
RECORD_FOLDERS = ("documents", "materials")
SEALS_FILE = "seals.tar"
PUBLIC_SEAL_FILES = ("chain.pem", "seal.png")


class BackupError(Exception):
    """A refusal or failure with a Chinese message for the operator."""


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite:/// URL, None for other engines."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while other connections write (WAL included)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv, no shell
    if done.returncode != 0:
        raise BackupError(f"{args[0]} 执行失败：{done.stderr.strip()[-500:]}")


def _public_seal_files(seal_dir: Path) -> list[Path]:
    """Trust anchors and each division's certificate chain and seal image; never a private key."""
    if not seal_dir.is_dir():
        return []
    found = sorted((seal_dir / "trust").glob("*.pem"))
    for division in sorted(p for p in seal_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        found += [division / name for name in PUBLIC_SEAL_FILES if (division / name).is_file()]
    return found


def backup(database_url: str, storage_dir: Path, target: Path, seal_dir: Path | None = None) -> dict[str, Any]:
    """Write `target/` (a new folder): the database, storage.tar (documents and materials), seals.tar (public seal
    files, when `seal_dir` is given) and manifest.json."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 已存在且不为空，请指定新的目录")
    target.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    db = sqlite_path(database_url)
    if db is not None:
        _sqlite_copy(db, target / SQLITE_FILE)
        engine, db_file = "sqlite", SQLITE_FILE
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target / PG_FILE}",
              f"--dbname={database_url}"])
        engine, db_file = "postgres", PG_FILE
    files = 0
    with tarfile.open(target / STORAGE_FILE, "w") as tar:
        for folder in RECORD_FOLDERS:
            path = Path(storage_dir) / folder
            if path.is_dir():
                tar.add(path, arcname=folder)
                files += sum(1 for p in path.rglob("*") if p.is_file())
    written = [db_file, STORAGE_FILE]
    seal_files = _public_seal_files(Path(seal_dir)) if seal_dir is not None else []
    if seal_files:
        with tarfile.open(target / SEALS_FILE, "w") as tar:
            for path in seal_files:
                tar.add(path, arcname=str(path.relative_to(seal_dir)))
        written.append(SEALS_FILE)
    manifest = {
        "format": 1, "engine": engine, "database": db_file, "storage": STORAGE_FILE, "files": files,
        "seals": SEALS_FILE if seal_files else None, "created_at": started.isoformat(),
        "sha256": {name: _sha256(target / name) for name in written},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    for path in target.iterdir():
        path.chmod(0o600)  # personal data: readable by the operator only
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def restore(database_url: str, storage_dir: Path, source: Path, *, force: bool = False,
            seal_dir: Path | None = None) -> dict[str, Any]:
    """Put a backup folder back: the database (replacing the target's content), the record files under
    `storage_dir` (which may be another directory than the original one: rows hold relative paths) and the public
    seal files under `seal_dir` (keys already there are left alone)."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} 不是有效的备份目录（缺少 {MANIFEST}）") from exc
    for name, digest in manifest["sha256"].items():
        if _sha256(source / name) != digest:
            raise BackupError(f"备份文件 {name} 校验失败（SHA-256 不一致），已停止恢复")
    db = sqlite_path(database_url)
    if (db is not None) != (manifest["engine"] == "sqlite"):
        raise BackupError(f"备份来自 {manifest['engine']}，与目标数据库类型不一致")
    if db is not None:
        if db.exists() and db.stat().st_size and not force:
            raise BackupError(f"目标数据库 {db} 已存在，确认覆盖请加 --force")
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        _sqlite_copy(source / manifest["database"], db)
    else:
        args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={database_url}"]
        if force:
            args[1:1] = ["--clean", "--if-exists"]
        _run([*args, str(source / manifest["database"])])
    storage_dir = Path(storage_dir)
    storage_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / manifest["storage"]) as tar:
        names = tar.getnames()
        if any(n.split("/")[0] not in RECORD_FOLDERS for n in names):
            raise BackupError("备份中的文件目录异常，已停止恢复")
        tar.extractall(storage_dir, filter="data")
    if manifest.get("seals") and seal_dir is not None:
        with tarfile.open(source / manifest["seals"]) as tar:
            names = tar.getnames()
            if any(Path(n).name not in PUBLIC_SEAL_FILES and not n.startswith("trust/") for n in names):
                raise BackupError("备份中的印章文件异常，已停止恢复")
            tar.extractall(seal_dir, filter="data")
    os.sync()
    return manifest


async def verify(storage_dir: Path) -> dict[str, Any]:
    """Against the configured database: row counts, the audit chain, and every stored document and material
    opened and checked against its SHA-256. `problems` lists what does not hold."""
    from piccolo.conf.apps import Finder

    from portal.audit import verify_chain
    from portal.dataservices.tables import Certificate, StoredDocument
    from portal.storage import storage_file
    from portal.workflow.tables import Material

    counts = {t._meta.tablename: await t.count() for t in Finder().get_table_classes()}
    chain_ok, bad_id = await verify_chain()
    problems = [] if chain_ok else [f"审计日志哈希链在第 {bad_id} 条断开"]
    checked = 0
    for table in (StoredDocument, Material):
        for row in await table.select(table.id, table.storage_path, table.sha256):
            path = storage_file(storage_dir, row["storage_path"])
            ok = path is not None and await asyncio.to_thread(_matches, path, row["sha256"])
            checked += 1
            if not ok:
                problems.append(f"{table._meta.tablename} {row['id']}: 文件缺失或内容不一致（{row['storage_path']}）")
    for row in await Certificate.select(Certificate.id, Certificate.storage_path).where(Certificate.storage_path != ""):
        path = storage_file(storage_dir, row["storage_path"])
        if path is None or not path.is_file():
            problems.append(f"certificate {row['id']}: 文件缺失（{row['storage_path']}）")
    return {"counts": counts, "audit_chain": chain_ok, "files_checked": checked, "problems": problems}


def _matches(path: Path, sha256: str) -> bool:
    try:
        return _sha256(path) == sha256
    except OSError:
        return False

