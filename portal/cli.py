"""Operator commands: `python -m portal.cli create-admin --username U [--password P]` (idempotent);
`python -m portal.cli cleanup` (one clean-up pass: dead jobs, expired export files and import results);
`python -m portal.cli backup --to DIR`, `restore --from DIR [--force]` and `verify` (portal/backup.py)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from portal.auth.passwords import Passwords, password_problems
from portal.settings import Settings


def _register_permissions() -> None:
    # Areas declare their permission codes; the admin role takes every admin.* code.
    from portal.areas import install_all

    install_all()


async def create_admin(username: str, password: str, display_name: str) -> tuple[int, bool]:
    from portal.auth.staff import ensure_admin
    from portal.db import current_engine, is_sqlite

    settings = Settings.from_env()
    engine = current_engine()
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        return await ensure_admin(Passwords(settings.security), username, password, display_name=display_name)
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


async def run_cleanup() -> str:
    from portal.dataservices.cleanup import cleanup
    from portal.db import current_engine, is_sqlite
    from portal.jobs import queue_for_questions

    engine = current_engine()
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        settings = Settings.from_env()
        async with queue_for_questions(settings) as queue:
            return (await cleanup(settings, queue=queue)).summary()
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


async def run_verify() -> dict:
    from portal.backup import verify
    from portal.db import current_engine, is_sqlite

    engine = current_engine()
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        return await verify(Settings.from_env().storage_dir)
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


def _backup_commands(args: argparse.Namespace) -> int:
    import json

    from portal.backup import BackupError, backup, restore

    settings = Settings.from_env()
    try:
        if args.command == "backup":
            manifest = backup(settings.database.url, settings.storage_dir, args.to, settings.seals.seal_dir)
            print(f"备份完成：{args.to}（{manifest['engine']}，文件 {manifest['files']} 个）")
            return 0
        if args.command == "restore":
            restore(settings.database.url, settings.storage_dir, args.source, force=args.force,
                    seal_dir=settings.seals.seal_dir)
            print(f"已恢复：数据库与存储目录 {settings.storage_dir}")
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    report = asyncio.run(run_verify())
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["audit_chain"] and not report["problems"] else 1


def _read_password(args: argparse.Namespace) -> str:
    if args.password:
        return args.password
    if env := os.environ.get("PORTAL_ADMIN_PASSWORD"):
        return env
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("管理员密码：")
    if first != getpass.getpass("再次输入密码："):
        raise SystemExit("两次输入的密码不一致")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.cli", description="人社网上办事大厅运维命令")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="创建系统管理员（已存在则确保其为启用的管理员，不改密码）")
    create.add_argument("--username", required=True)
    create.add_argument("--password", help="也可用环境变量 PORTAL_ADMIN_PASSWORD 或标准输入提供")
    create.add_argument("--display-name", default="系统管理员")
    commands.add_parser("cleanup", help="清理：标记中断的导出/上传任务，删除过期的导出文件和上传结果")
    saving = commands.add_parser("backup", help="备份：数据库与存储目录中的证明文件、材料（写入一个新目录）")
    saving.add_argument("--to", type=Path, required=True)
    loading = commands.add_parser("restore", help="恢复：从备份目录恢复数据库与存储目录，然后校验")
    loading.add_argument("--from", dest="source", type=Path, required=True)
    loading.add_argument("--force", action="store_true", help="覆盖已有的数据库内容")
    commands.add_parser("verify", help="校验：行数、审计日志哈希链、每个存储文件的SHA-256")
    args = parser.parse_args(argv)

    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    if args.command in {"backup", "restore", "verify"}:
        return _backup_commands(args)
    if args.command == "cleanup":
        print("清理完成：" + asyncio.run(run_cleanup()))
        return 0
    _register_permissions()
    password = _read_password(args)
    policy = Settings.from_env().security.password_policy
    if problems := password_problems(password, policy, username=args.username):
        print("密码不符合安全策略：" + "；".join(problems), file=sys.stderr)
        return 2
    uid, created = asyncio.run(create_admin(args.username, password, args.display_name))
    print(f"{'已创建' if created else '已存在'}管理员 {args.username}（编号 {uid}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
