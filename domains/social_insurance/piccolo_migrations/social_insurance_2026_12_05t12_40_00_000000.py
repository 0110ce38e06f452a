"""Constraints and composite indexes of the social_insurance app, and the seed rates and limits."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one active enrolment per person and insurance; query indexes; seed rates and limits"

_INDEXES = (
    # At most one record per person and insurance that is not 终止参保: a constraint, not only a check
    # (partial unique indexes: SQLite ≥ 3.8 and PostgreSQL, same syntax).
    ("si_enrolment_one_active", "UNIQUE", "si_enrolment (person, insurance) WHERE status <> 'terminated'"),
    ("si_enrolment_employer", "", "si_enrolment (employer, status, person)"),
    ("si_contribution_key", "UNIQUE", "si_contribution (period, employer, person)"),
    ("si_contribution_employer", "", "si_contribution (employer, period, person)"),
    ("si_contribution_person", "", "si_contribution (person, period)"),
    ("si_employer_period_key", "UNIQUE", "si_employer_period (employer, period)"),
    ("si_benefit_employer", "", "si_benefit (employer, period, insurance)"),
    ("si_benefit_person", "", "si_benefit (person, period)"),
    ("si_pension_account_key", "UNIQUE", "si_pension_account (person, year)"),
    ("si_rate_key", "UNIQUE", "si_rate (insurance, risk_class, effective_from)"),
    ("si_limit_key", "UNIQUE", "si_limit (effective_from)"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="social_insurance", description=DESCRIPTION)

    async def create():
        from piccolo.engine.finder import engine_finder

        from domains.social_insurance import reference

        engine = engine_finder()
        for name, kind, target in _INDEXES:
            await engine.run_ddl(f"CREATE {kind} INDEX IF NOT EXISTS {name} ON {target}")
        await reference.load(engine)

    async def drop():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        for name, _, _ in _INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
