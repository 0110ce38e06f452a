"""Backup and restore (issue #12 item 16, SECURITY 27): restored into a fresh directory, everything opens."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from portal import audit
from portal.backup import backup, verify
from portal.dataservices.certificates import load_document, store_document
from portal.dataservices.tables import StoredDocument
from portal.db import current_engine, is_sqlite
from portal.workflow import engine as workflow
from portal.workflow.materials import upload_material
from tests.support.files import image_bytes, pdf_bytes
from tests.support.urls import url_for
from tests.workflow.support import employer_with_principal

ROOT = Path(__file__).resolve().parent.parent
MIGRATION = "portal.dataservices.piccolo_migrations.dataservices_2026_12_05t12_00_00_000000"


async def _data(app) -> None:
    employer, applicant = await employer_with_principal(name="海南备份测试有限公司")
    matter = await workflow.create_matter(applicant, "t_review", payload={"name": "张三"}, title="备份")
    storage = app.state.settings.storage_dir
    await upload_material(applicant, matter["id"], "licence", "a.pdf", pdf_bytes("backup"), storage_dir=storage)
    await upload_material(applicant, matter["id"], "licence", "b.png", image_bytes("PNG"), storage_dir=storage)
    for i in range(3):
        await store_document(pdf_bytes(f"roster {i}"), kind="roster", title=f"花名册{i}",
                             owner_employer_id=employer["id"])
    await audit.record(category="test", action="backup", detail={"n": 1})


async def test_document_paths_are_relative_and_old_rows_are_migrated(app):
    _, applicant = await employer_with_principal()
    stored = await store_document(pdf_bytes("rel"), kind="roster", title="花名册",
                                  owner_employer_id=applicant.employer_id)
    assert stored["storage_path"].startswith("documents/") and not stored["storage_path"].startswith(url_for("home"))
    # a row written before the change: an absolute path under some older storage directory
    await StoredDocument.update({StoredDocument.storage_path: "/srv/old/var/storage/" + stored["storage_path"]}).where(
        StoredDocument.id == stored["id"])
    await importlib.import_module(MIGRATION).migrate()
    row = await StoredDocument.select().where(StoredDocument.id == stored["id"]).first()
    assert row["storage_path"] == stored["storage_path"]
    _, data = await load_document(stored["token"], StoredDocument.id == stored["id"])
    assert data == pdf_bytes("rel")


async def test_backup_restores_into_a_fresh_directory(app, tmp_path):
    await _data(app)
    source = await verify(app.state.settings.storage_dir)
    assert source["audit_chain"] and not source["problems"] and source["files_checked"] == 5
    url = os.environ["PORTAL_DATABASE_URL"]
    await asyncio.to_thread(backup, url, app.state.settings.storage_dir, tmp_path / "backup")

    fresh = tmp_path / "elsewhere"
    if is_sqlite(current_engine()):
        target_url = f"sqlite:///{fresh / 'portal.sqlite3'}"
        drop = None
    else:
        name = f"restore_{secrets.token_hex(4)}"
        await current_engine().run_ddl(f"CREATE DATABASE {name}", in_pool=False)
        target_url = url.rsplit(url_for("home"), 1)[0] + url_for("home") + name
        drop = f"DROP DATABASE IF EXISTS {name}"
    env = {**os.environ, "PORTAL_DATABASE_URL": target_url, "PORTAL_STORAGE_DIR": str(fresh / "storage"),
           "PORTAL_VAR_DIR": str(fresh)}
    try:
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "portal.cli", "restore", "--from", str(tmp_path / "backup")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
        report = json.loads(done.stdout.strip().splitlines()[-1])
        # the same rows, an intact audit chain, every document and material found and matching its hash
        assert report["counts"] == source["counts"]
        assert report["audit_chain"] is True and report["problems"] == [] and report["files_checked"] == 5
        # a second restore over it is refused without --force
        again = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "portal.cli", "restore", "--from", str(tmp_path / "backup")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 2
        if drop is None:
            assert "--force" in again.stderr
    finally:
        if drop is not None:
            await current_engine().run_ddl(drop, in_pool=False)


def test_public_seal_files_travel_with_the_backup_but_never_a_private_key(tmp_path):
    # Without the trust anchors a restored portal answers 不是本厅签发 for its own PDFs; a key must not travel.
    from portal.backup import restore

    seals = tmp_path / "seals"
    (seals / "trust").mkdir(parents=True)
    (seals / "trust" / "ca-460100.pem").write_text("CA")
    (seals / "460100").mkdir()
    for name in ("chain.pem", "seal.png", "key.pem", "seal.p12"):
        (seals / "460100" / name).write_text(name)
    database = tmp_path / "db.sqlite3"
    import sqlite3
    sqlite3.connect(database).close()
    manifest = backup(f"sqlite:///{database}", tmp_path / "storage", tmp_path / "backup", seals)
    assert manifest["seals"] == "seals.tar" and "seals.tar" in manifest["sha256"]

    elsewhere = tmp_path / "restored-seals"
    restore(f"sqlite:///{tmp_path / 'new.sqlite3'}", tmp_path / "storage2", tmp_path / "backup", seal_dir=elsewhere)
    restored = sorted(str(p.relative_to(elsewhere)) for p in elsewhere.rglob("*") if p.is_file())
    assert restored == ["460100/chain.pem", "460100/seal.png", "trust/ca-460100.pem"]
