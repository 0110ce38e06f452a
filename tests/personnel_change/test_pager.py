"""增员确认 / 减员确认 page by key (the platform's keyset pager): newest first, 下一页 / 上一页 with the filters kept,
htmx swapping only the list."""

from __future__ import annotations

from domains.personnel_change import forms, service
from tests.personnel_change.support import (
    cleaned,
    employer_principal,
    enrol_data,
    make_id_number,
    two_employers,
)


async def test_confirm_list_pages_by_key_with_filters_kept(app, client, monkeypatch):
    monkeypatch.setattr(service, "PAGE_SIZE", 5)
    w = await two_employers()
    a = employer_principal(w["a"])
    saved = [await service.save(a, "enrol", await cleaned(forms.enrol_form, enrol_data(
        make_id_number("460106"), name=f"翻页{i:02d}"))) for i in range(12)]
    other = employer_principal(w["b"])
    await service.save(other, "enrol", await cleaned(forms.enrol_form, enrol_data(make_id_number("460202"),
                                                                                 name="别家申报")))
    await client.sign_in_employer(w["a"])

    def names(page) -> list[str]:
        return [tr.select("td")[2].get_text() for tr in page.select("[data-testid=pc-confirm-table] tbody tr")]

    first = await client.page("/personnel-change/enrol/confirm?state=draft")
    assert names(first) == [f"翻页{i:02d}" for i in (11, 10, 9, 8, 7)]
    assert first.select_one("[data-testid=pc-confirm-pager]").get_text() == "第 1 页，每页 5 条"
    assert first.select_one("a[rel=prev]") is None
    second_url = first.select_one("a[rel=next]")["href"]
    assert "state=draft" in second_url and "after=" in second_url
    second = await client.page(second_url)
    assert names(second) == [f"翻页{i:02d}" for i in (6, 5, 4, 3, 2)]
    assert "第 2 页" in second.select_one("[data-testid=pc-confirm-pager]").get_text()
    third = await client.page(second.select_one("a[rel=next]")["href"])
    assert names(third) == ["翻页01", "翻页00"] and third.select_one("a[rel=next]") is None
    back = await client.page(third.select_one("a[rel=prev]")["href"])
    assert names(back) == names(second)
    # htmx: only the list block, which carries its own pager
    fragment = await client.page(second_url, htmx=True)
    assert fragment.select_one("#pc-confirm-results") is not None and fragment.select_one("h1") is None
    assert names(fragment) == names(second)
    # a filter narrows the pages; another employer's application never appears
    one = await client.page("/personnel-change/enrol/confirm?name=翻页03")
    assert names(one) == ["翻页03"] and one.select_one("a[rel=next]") is None
    everything = [n for p in (first, second, third) for n in names(p)]
    assert "别家申报" not in everything and len(everything) == len(saved)
    # a cursor from the URL that is nonsense is the first page, not an error
    assert names(await client.page("/personnel-change/enrol/confirm?after=%%%&p=9")) == names(first)
