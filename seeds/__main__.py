"""python -m seeds reference | demo | scale …: load reference data, the demo, or province-sized data."""

from __future__ import annotations

import argparse
import asyncio


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m seeds")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("reference", help="字典 and holiday calendar (idempotent)")
    sub.add_parser("demo", help="reference data plus the small demo data set (idempotent)")
    scale = sub.add_parser("scale", help="province-sized data for benchmarks")
    scale.add_argument("--employers", type=int, default=50_000)
    scale.add_argument("--persons", type=int, default=1_000_000)
    scale.add_argument("--seed", type=int, default=20261123)
    scale.add_argument("--si-periods", type=int, default=12,
                       help="assessed 结算期 of the social-insurance records, ending 2025-12 (0: none)")
    scale.add_argument("--agencies", type=int, default=20_000, help="人力资源服务机构 (0: none)")
    scale.add_argument("--only", choices=("hr_agency",), help="load only this part (e.g. onto an existing scale set)")
    args = parser.parse_args()
    asyncio.run(run(args))


async def run(args: argparse.Namespace) -> None:
    from seeds.reference import load_reference

    added = await load_reference()
    print("reference:", ", ".join(f"{k} +{v}" for k, v in added.items()))
    if args.command == "demo":
        from seeds.demo import load_demo

        await load_demo()
    elif args.command == "scale":
        from seeds.scale import load_scale
        from seeds.scale_hr_agency import load_hr_agencies

        if args.only is None:
            await load_scale(employers=args.employers, persons=args.persons, seed=args.seed,
                             si_periods=args.si_periods)
        if args.agencies:
            await load_hr_agencies(args.agencies, seed=args.seed)
    # After any load the planner needs statistics (scale runs its own complete ANALYZE inside the load).
    from portal.db import refresh_statistics

    await refresh_statistics(full=args.command != "scale")


if __name__ == "__main__":
    main()
