"""The demo network accounts: valid identities, idempotent loading, and a demo login that works."""

from __future__ import annotations

from portal.validators import id_number_error, uscc_error
from seeds.demo_identities import AGENT, EMPLOYERS, PERSONS
from sso import demo as demo_network
from sso.sandbox.tables import NetUser
from tests.support.network import sign_in_via_network


def test_demo_identities_have_valid_check_digits():
    for e in EMPLOYERS:
        assert uscc_error(e.uscc) is None and id_number_error(e.legal_rep_id_number) is None
    for p in (*PERSONS, AGENT):
        assert id_number_error(p.id_number) is None


async def test_demo_network_load_is_idempotent_and_demo_logins_work(app, client):
    assert (await demo_network.load())["network_accounts_created"] == len(EMPLOYERS) + len(PERSONS) + 1
    assert (await demo_network.load())["network_accounts_created"] == 0
    assert await NetUser.count() == len(EMPLOYERS) + len(PERSONS) + 1
    e = EMPLOYERS[0]
    response = await sign_in_via_network(client, kind="employer", tab="legal", login_name=e.uscc, password=e.password)
    assert response.status_code == 303
