"""Piccolo's configuration: the engine from PORTAL_DATABASE_URL and every app of the portal."""

from piccolo.conf.apps import AppRegistry

from portal.db import make_engine
from portal.settings import Settings

DB = make_engine(Settings.from_env().database)

# Order matters only for readability; migrations are ordered by each app's migration_dependencies.
APP_REGISTRY = AppRegistry(
    apps=[
        "portal.core.piccolo_app",
        "portal.hall.piccolo_app",
        "portal.auth.piccolo_app",
        "domains.employer.piccolo_app",
        "domains.person.piccolo_app",
        "sso.piccolo_app",
        "sso.sandbox.piccolo_app",
        "portal.workflow.piccolo_app",
        "portal.dataservices.piccolo_app",
        "domains.labor_contract.piccolo_app",
        "domains.social_insurance.piccolo_app",
        "domains.work_injury.piccolo_app",
        "domains.labor_inspection.piccolo_app",
        "domains.hr_agency.piccolo_app",
        "domains.personnel_change.piccolo_app",
        "domains.one_thing.piccolo_app",
    ]
)
