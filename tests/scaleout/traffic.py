"""Mixed traffic against a Cluster, and the record needed to check it afterwards (issue #16's proof and soak).

Virtual users: employers filing 劳动合同新订 (page, then the form with its one-time id), a reviewer approving them
from the 办件工作台, an employer uploading batch files, page views of lists, exports and the public pages. Requests
alternate between the app processes as a load balancer would; when a connection fails the request goes to the
next process (a filing and an approval keep their one-time form id, so a retry cannot act twice).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from portal.validators import id_check_digit

_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
_EXPORT = re.compile(r'/exports/([A-Za-z0-9_-]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')
_FORM_ID = re.compile(r'name="form_id" value="([^"]*)"')
_IMPORT = re.compile(r"/imports/([A-Za-z0-9_\-]+)")
_REFUSAL = re.compile(r'class="app-error-(?:message|summary)[^"]*"[^>]*>(.*?)</(?:p|div)>', re.S)
ALREADY = ("请勿重复提交", "该操作已处理")
PAGES_EMPLOYER = ("/", "/labor-contract", "/labor-contract/contracts", "/labor-contract/contracts?name=测",
                  "/matters", "/labor-contract/rosters")
PAGES_STAFF = ("/workbench", "/workbench?flag=overdue")
PAGES_PUBLIC = ("/hr-agencies", "/hr-agencies?name=海南", "/verify")


def id_number(n: int) -> str:
    """The n-th of a run's distinct valid 身份证号 (Haikou Xiuying, born 1970 onwards)."""
    born = date(1970, 1, 1) + timedelta(days=n // 1000)
    first17 = f"460105{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def _why(response: httpx.Response) -> str:
    """The refusals on a page (beside fields and in the summary), else the start of the page."""
    found = [re.sub(r"<[^>]+>|\s+", " ", m).strip() for m in _REFUSAL.findall(response.text)]
    return "; ".join(found)[:400] if found else response.text[:300]


@dataclass
class Outcome:
    kind: str  # view, export, filing, approval, import, public
    path: str
    status: int | None  # None: the connection failed on every process tried
    at: float
    ms: float
    process: int
    failures: list[tuple[int, float, str]] = field(default_factory=list)  # (process, at, exception name)


@dataclass
class Record:
    """What the clients saw: the writes they were told succeeded, and every answer."""

    outcomes: list[Outcome] = field(default_factory=list)
    filings_ok: dict[str, int] = field(default_factory=dict)  # id_number → matter id (303)
    filings_unknown: set[str] = field(default_factory=set)  # sent, answer lost
    approvals_ok: set[int] = field(default_factory=set)
    approvals_unknown: set[int] = field(default_factory=set)
    imports: dict[str, list[str]] = field(default_factory=dict)  # job token → the id_numbers of its rows
    imports_unknown: list[list[str]] = field(default_factory=list)
    exports: dict[str, str] = field(default_factory=dict)  # background export token → last status the client saw
    unexpected: list[str] = field(default_factory=list)  # answers no client should get

    def count(self) -> Counter:
        return Counter(o.kind for o in self.outcomes)


class Traffic:
    def __init__(self, urls: list[str], cookies: dict[str, dict[str, str]], *, seconds: float, seed: int = 16,
                 rate: float | None = None, import_every_s: float = 8.0, import_rows: int = 20,
                 template: bytes = b"") -> None:
        self.urls = urls
        self.cookies = cookies  # who → cookie jar values (portal_session, csrftoken)
        self.seconds = seconds
        self.rng = random.Random(seed)
        self.rate = rate  # requests per second for the whole run (soak); None: as fast as the users go
        self.import_every_s = import_every_s
        self.import_rows = import_rows
        self.template = template
        self.record = Record()
        self._turn = itertools.count()
        self._ids = itertools.count((seed % 1000) * 5_000)  # births 1970–1984: adults for any seed
        self._to_approve: asyncio.Queue[int] = asyncio.Queue()
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._deadline = 0.0
        self._tokens: asyncio.Semaphore | None = None

    # -- transport ---------------------------------------------------------------------------------------

    def _client(self, who: str) -> httpx.AsyncClient:
        if who not in self._clients:
            c = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=3.0), follow_redirects=False,
                                  limits=httpx.Limits(max_keepalive_connections=4))
            for name, value in self.cookies.get(who, {}).items():
                c.cookies.set(name, value, domain="127.0.0.1")
            self._clients[who] = c
        return self._clients[who]

    async def _pace(self) -> None:
        if self._tokens is not None:
            try:
                await asyncio.wait_for(self._tokens.acquire(), timeout=max(0.01, self._deadline - time.monotonic()))
            except TimeoutError:
                pass  # the run is over: let the user finish its step

    async def _ticker(self) -> None:
        """A token bucket: `rate` requests a second for the whole run, whatever the number of users."""
        assert self._tokens is not None and self.rate
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while time.monotonic() < self._deadline:
            if self._tokens._value < self.rate:  # users that fell behind do not catch up in one burst
                self._tokens.release()
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def send(self, who: str, kind: str, method: str, path: str, *, retry: bool = True,
                   **kw: Any) -> httpx.Response | None:
        await self._pace()
        client = self._client(who)
        start = time.monotonic()
        failures: list[tuple[int, float, str]] = []
        first = next(self._turn) % len(self.urls)
        order = [first, *[i for i in range(len(self.urls)) if i != first]]
        for process in order:
            headers = {"x-csrftoken": client.cookies.get("csrftoken", "")} if method == "POST" else {}
            try:
                response = await client.request(method, self.urls[process] + path, headers=headers, **kw)
            except httpx.TransportError as exc:
                failures.append((process, time.monotonic(), type(exc).__name__))
                # A refused connection never reached the app: any request may go to the next process. After a
                # reset the request may have acted; only `retry` requests (one-time form ids, reads) go again.
                if retry or isinstance(exc, httpx.ConnectError):
                    continue
                break
            self.record.outcomes.append(Outcome(kind, path, response.status_code, start,
                                                (time.monotonic() - start) * 1000, process, failures))
            return response
        self.record.outcomes.append(Outcome(kind, path, None, start, (time.monotonic() - start) * 1000,
                                            failures[-1][0], failures))
        return None

    # -- users -------------------------------------------------------------------------------------------

    def _running(self) -> bool:
        return time.monotonic() < self._deadline

    async def filer(self, who: str) -> None:
        while self._running():
            page = await self.send(who, "view", "GET", "/labor-contract/new")
            token = _TOKEN.search(page.text) if page is not None and page.status_code == 200 else None
            if token is None:
                continue
            number = id_number(next(self._ids))
            data = {"_csrf_token": self._client(who).cookies.get("csrftoken", ""), "form_token": token.group(1),
                    "worker_name": "压测" + "甲乙丙丁戊己庚辛"[int(number[-2]) % 8], "id_number": number,
                    "employment_form": "01", "contract_type": "1", "contract_template": "own", "contract_number": "",
                    "start_date": "2025-01-01", "end_date": "2027-12-31", "probation_months": "2", "post": "操作工",
                    "workplace": "海口市秀英区", "monthly_wage": "6200", "pay_day": "10", "work_hours_system": "1"}
            answer = await self.send(who, "filing", "POST", "/labor-contract/new", data=data)
            if answer is None:
                self.record.filings_unknown.add(number)
            elif answer.status_code == 303:
                matter = int(answer.headers["location"].split("/")[2])
                self.record.filings_ok[number] = matter
                self._to_approve.put_nowait(matter)
            elif answer.status_code == 200 and any(a in answer.text for a in ALREADY):
                self.record.filings_unknown.add(number)  # a retry after a lost answer: the first one counted
            else:
                self.record.unexpected.append(f"filing {number}: {answer.status_code} {_why(answer)}")
            for path in self.rng.sample(PAGES_EMPLOYER, 2):
                await self.send(who, "view", "GET", path)
            if self.rng.random() < 0.1:
                await self.export(who, "/labor-contract/contracts?export=xlsx")

    async def export(self, who: str, path: str) -> None:
        """An export: the file at once, or (over the inline limit) a job whose progress page is polled until the
        download link appears, as the page's htmx would, then the file."""
        answer = await self.send(who, "export", "GET", path)
        if answer is None or not answer.headers.get("content-type", "").startswith("text/html"):
            return
        found = _EXPORT.search(answer.text)
        if found is None:
            self.record.unexpected.append(f"export {path}: a page without a job ({_why(answer)})")
            return
        token = found.group(1)
        self.record.exports[token] = "queued"
        for _ in range(30):
            if not self._running():
                return
            await asyncio.sleep(1.0)
            status = await self.send(who, "view", "GET", f"/exports/{token}")
            if status is None or status.status_code != 200:
                continue
            if "export-download" in status.text:
                self.record.exports[token] = "done"
                file = await self.send(who, "export", "GET", f"/exports/{token}/download")
                if file is not None and file.status_code == 200 and not file.content.startswith(b"PK"):
                    self.record.unexpected.append(f"export {token}: the download is no xlsx")
                return
            if "app-notice--danger" in status.text:
                self.record.exports[token] = "failed"
                return

    async def reviewer(self, who: str) -> None:
        while self._running():
            try:
                matter = await asyncio.wait_for(self._to_approve.get(), timeout=1.0)
            except TimeoutError:
                await self.send(who, "view", "GET", self.rng.choice(PAGES_STAFF))
                continue
            page = await self.send(who, "view", "GET", f"/workbench/matters/{matter}")
            if page is None or page.status_code != 200:
                continue
            version, form_id = _VERSION.search(page.text), _FORM_ID.search(page.text)
            if version is None:
                continue
            data = {"_csrf_token": self._client(who).cookies.get("csrftoken", ""), "transition": "approve",
                    "version": version.group(1), "form_id": form_id.group(1) if form_id else "", "opinion": ""}
            answer = await self.send(who, "approval", "POST", f"/workbench/matters/{matter}/fire", data=data)
            if answer is None:
                self.record.approvals_unknown.add(matter)
            elif answer.status_code == 303:
                self.record.approvals_ok.add(matter)
            elif answer.status_code == 200 and any(a in answer.text for a in ALREADY):
                self.record.approvals_unknown.add(matter)
            else:
                self.record.unexpected.append(f"approval {matter}: {answer.status_code} {_why(answer)}")
            await self.send(who, "view", "GET", self.rng.choice(PAGES_STAFF))

    def _batch(self, numbers: list[str]) -> bytes:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(self.template))
        ws = wb[wb.sheetnames[1]]
        for i, number in enumerate(numbers):
            ws.append(["新订", f"批量{i}", number, "全日制用工", "固定期限", "单位自拟文本", "", "2025-03-01", "2027-02-28",
                       "2", "厨师", "海口", "5200", "10", "标准工时制"])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    async def importer(self, who: str) -> None:
        while self._running():
            numbers = [id_number(next(self._ids)) for _ in range(self.import_rows)]
            body = self._batch(numbers)
            data = {"_csrf_token": self._client(who).cookies.get("csrftoken", "")}
            # No retry: an upload has no one-time id (a second one is refused while the first runs, or its rows are)
            answer = await self.send(who, "import", "POST", "/labor-contract/batch/new-renew", retry=False,
                                     data=data, files={"file": ("批量.xlsx", body)})
            if answer is None:
                self.record.imports_unknown.append(numbers)
            elif answer.status_code == 303 and (m := _IMPORT.search(answer.headers["location"])):
                self.record.imports[m.group(1)] = numbers
            elif answer.status_code != 409:  # 409: this employer's previous upload is still running
                self.record.unexpected.append(f"import: {answer.status_code} {_why(answer)}")
            await asyncio.sleep(self.import_every_s)

    async def public(self, who: str) -> None:
        while self._running():
            await self.send(who, "public", "GET", self.rng.choice(PAGES_PUBLIC))

    async def run(self, users: dict[str, int] | None = None) -> Record:
        users = users or {"filer": 2, "reviewer": 1, "importer": 1, "public": 1}
        self._deadline = time.monotonic() + self.seconds
        tasks = []
        if self.rate:
            self._tokens = asyncio.Semaphore(0)
            tasks.append(asyncio.create_task(self._ticker()))
        who = {"filer": "employer", "reviewer": "staff", "importer": "importer", "public": "public"}
        for role in users:
            # the CSRF cookie, as a browser gets it with its first page
            await self._client(who[role]).get(self.urls[0] + "/login")
        for role, n in users.items():
            tasks += [asyncio.create_task(getattr(self, role)(who[role])) for _ in range(n)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for c in self._clients.values():
                await c.aclose()
        return self.record
