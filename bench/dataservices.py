"""Data services: parse+validate speed, a 10,000-row upload, a 100,000-row export, certificate and roster PDFs,
the certificate's seal (PAdES signing) and the check of an uploaded certificate.

BENCH_DS_CASES=pdf (comma-separated: parse, upload, export, pdf) runs some cases only.
Each case runs in its own process (`python -m bench.dataservices --worker CASE`) on a fresh SQLite database
in a temp dir, so peak RSS (ru_maxrss) is that case's alone; the last stdout line is JSON.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARSE_ROWS = int(os.environ.get("BENCH_PARSE_ROWS", 100_000))
UPLOAD_ROWS = 10_000
EXPORT_ROWS = 100_000


def _row(name: str, value: float, unit: str, target: float | None, ok: bool | None) -> dict:
    return {"name": name, "value": round(value, 2), "unit": unit, "target": target, "ok": ok}


def run() -> list[dict]:
    rows: list[dict] = []
    cases = [c for c in os.environ.get("BENCH_DS_CASES", "parse,upload,export,pdf").split(",") if c]
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="bench-ds-") as tmp:
            env = {**os.environ, "PORTAL_VAR_DIR": tmp, "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                   "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdef", "PICCOLO_CONF": "piccolo_conf",
                   "PORTAL_STAFF_2FA": "0"}
            done = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "bench.dataservices", "--worker", case], cwd=ROOT, env=env,
                capture_output=True, timeout=900,
            )
            if done.returncode != 0:
                raise RuntimeError(f"dataservices {case} failed:\n{done.stderr.decode()[-3000:]}")
            rows += json.loads(done.stdout.decode().strip().splitlines()[-1])
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spec():
    from portal.dataservices.spreadsheets import SheetColumn, SheetSpec

    # 8 columns like the labour-contract batch template; choices static so parsing needs no database.
    return SheetSpec(name="bench_contract", title="劳动合同批量新订模板", unique=[("id_number",)], columns=[
        SheetColumn("name", "姓名", max_len=10), SheetColumn("id_number", "身份证号", type="id_number"),
        SheetColumn("mobile", "手机号码", type="mobile"), SheetColumn("gender", "性别", type="choice", choices=("男", "女")),
        SheetColumn("kind", "合同类型", type="choice", choices=("固定期限", "无固定期限", "以完成一定工作任务为期限")),
        SheetColumn("start", "合同开始日期", type="date"), SheetColumn("end", "合同终止日期", type="date", required=False),
        SheetColumn("wage", "月工资（元）", type="money"),
    ])


def _id_number(i: int) -> str:
    """Unique valid 身份证号 for row i: a birth date per thousand rows, the sequence number within it."""
    from datetime import date, timedelta

    from portal.validators import id_check_digit

    first17 = f"460105{date(1970, 1, 1) + timedelta(days=i // 1000):%Y%m%d}{i % 1000:03d}"
    return first17 + id_check_digit(first17)


def _workbook(spec, n: int) -> bytes:
    """A filled template written with openpyxl write-only (IDs as text, dates as dates)."""
    import random
    from datetime import date, timedelta

    from openpyxl import Workbook

    rng = random.Random(7)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.sheet_title)
    ws.append([*spec.labels, "失败原因"])
    start = date(2025, 1, 1)
    for i in range(n):
        ws.append([f"职工{i}", _id_number(i), f"138{i:08d}", "男" if i % 2 else "女",
                   "固定期限", start + timedelta(days=i % 300), start + timedelta(days=1000 + i % 300),
                   round(3000 + rng.random() * 5000, 2)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _shared_strings_workbook(spec, n: int) -> bytes:
    """The same rows as _workbook() the way Excel and LibreOffice store them: every text in xl/sharedStrings.xml,
    dates as serial numbers with a date style. Written directly (openpyxl's normal mode takes minutes here)."""
    import random
    import zipfile
    from datetime import date, timedelta
    from xml.sax.saxutils import escape

    rng = random.Random(7)
    strings: dict[str, int] = {}

    def s(text: str) -> str:
        return str(strings.setdefault(text, len(strings)))

    def cols(i: int) -> str:
        return "ABCDEFGHI"[i]

    epoch = date(1899, 12, 30)
    start = date(2025, 1, 1)
    rows = ['<row r="1">' + "".join(f'<c r="{cols(j)}1" t="s"><v>{s(label)}</v></c>'
                                    for j, label in enumerate([*spec.labels, "失败原因"])) + "</row>"]
    for i in range(n):
        r = i + 2
        texts = [f"职工{i}", _id_number(i), f"138{i:08d}", "男" if i % 2 else "女", "固定期限"]
        cells = [f'<c r="{cols(j)}{r}" t="s"><v>{s(t)}</v></c>' for j, t in enumerate(texts)]
        for j, day in ((5, start + timedelta(days=i % 300)), (6, start + timedelta(days=1000 + i % 300))):
            cells.append(f'<c r="{cols(j)}{r}" s="1"><v>{(day - epoch).days}</v></c>')
        cells.append(f'<c r="H{r}"><v>{round(3000 + rng.random() * 5000, 2)!r}</v></c>')
        rows.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override '
            'PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="{escape(spec.sheet_title)}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{main}"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" '
            'fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{main}" count="{5 * n + 9}" uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{escape(t)}</t></si>" for t in strings) + "</sst>"),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><dimension ref="A1:I{n + 1}"/><sheetData>' + "".join(rows)
            + "</sheetData></worksheet>"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode())
    return out.getvalue()


def _calamine_only(spec, data: bytes) -> int:
    """Open, parse the data sheet and iterate its rows into Python, nothing else."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    count = sum(1 for _ in wb.get_sheet_by_name(spec.sheet_title).iter_rows()) - 1
    wb.close()
    return count


async def _timed(fn) -> tuple[float, float, float]:
    """(wall s, CPU s of this process, CPU s of the import workers) of one await."""
    from portal.dataservices import parallel

    t, cpu, workers = time.perf_counter(), time.process_time(), parallel.worker_cpu_s
    await fn()
    return time.perf_counter() - t, time.process_time() - cpu, parallel.worker_cpu_s - workers


async def _case_parse() -> list[dict]:
    from openpyxl import load_workbook

    from portal.dataservices import parallel
    from portal.dataservices.imports import check_rows, parse_clean

    spec = _spec()
    rows: list[dict] = [_row("load average (1 min) before the parse cases", os.getloadavg()[0], "", None, None)]
    files = {"inline strings (openpyxl write-only)": _workbook(spec, PARSE_ROWS),
             "shared strings (as Excel/LibreOffice)": _shared_strings_workbook(spec, PARSE_ROWS)}
    n = PARSE_ROWS
    for kind, data in files.items():
        found: list = []

        async def parse_validate(found=found, data=data) -> None:
            found[:] = await check_rows(spec, await parse_clean(spec, data, max_bytes=100 * 1024 * 1024,
                                                                max_rows=PARSE_ROWS))

        threshold = parallel.PARALLEL_MIN_SHEET_BYTES
        parallel.PARALLEL_MIN_SHEET_BYTES = 1 << 62  # the in-thread path first
        single = min([await _timed(parse_validate) for _ in range(2)])
        assert len(found) == n and all(r.ok for r in found[:1000]), found[0].reasons
        reference = found[:]
        parallel.PARALLEL_MIN_SHEET_BYTES = threshold
        max_load, parallel.MAX_LOAD = parallel.MAX_LOAD, float("inf")  # measure the workers whatever the load
        cold = await _timed(parse_validate) if not rows[1:] else None
        warm = min([await _timed(parse_validate) for _ in range(3)])
        assert found == reference
        parallel.MAX_LOAD = max_load
        t, cpu = time.perf_counter(), time.process_time()
        assert _calamine_only(spec, data) == n
        calamine_s, calamine_cpu = time.perf_counter() - t, time.process_time() - cpu
        t = time.perf_counter()
        wb = load_workbook(io.BytesIO(data), read_only=True)
        assert sum(1 for _ in wb[spec.sheet_title].iter_rows(min_row=2, values_only=True)) == n
        wb.close()
        openpyxl_s = time.perf_counter() - t
        size = f"{len(data) / 1e6:.1f} MB"
        rows += [
            _row(f"{kind}, {size}: parse+validate, worker processes (wall)", n / warm[0], "rows/s", 100_000,
                 n / warm[0] >= 100_000),
            _row(f"{kind}: parse+validate, worker processes, by CPU time (main + workers)", n / (warm[1] + warm[2]),
                 "rows/s", None, None),
            _row(f"{kind}: parse+validate, one process (wall)", n / single[0], "rows/s", None, None),
            _row(f"{kind}: parse+validate, one process, by CPU time", n / single[1], "rows/s", None, None),
            _row(f"{kind}: read only, calamine (wall)", n / calamine_s, "rows/s", None, None),
            _row(f"{kind}: read only, calamine, by CPU time", n / calamine_cpu, "rows/s", None, None),
            _row(f"{kind}: read only, openpyxl read-only (wall)", n / openpyxl_s, "rows/s", None, None),
        ]
        if cold is not None:
            rows.append(_row(f"{kind}: first parse+validate, workers starting (wall)", cold[0] * 1000, "ms", None, None))
    parallel.shutdown_pool()
    return rows


async def _app_client():
    """The real app with a bench-only upload route, and an employer session."""
    import secrets

    import httpx
    from litestar import Request, Response, post

    from portal.app import create_app
    from portal.auth.sessions import DatabaseStore
    from portal.dataservices.imports import Importer, ImportSteps, register_importer, start_import
    from portal.db import write_transaction
    from portal.web import redirect

    spec = _spec()

    async def write(rows) -> None:
        from datetime import UTC, datetime

        from domains.person.tables import Person

        now = datetime.now(UTC)
        objs = [Person(id_number=r.data["id_number"], name=r.data["name"], mobile=r.data["mobile"],
                       division_code="460105", created_at=now) for r in rows]
        for i in range(0, len(objs), 500):
            await Person.insert(*objs[i:i + 500])

    importer = Importer("bench_persons", spec, lambda principal, ip: ImportSteps(write))
    register_importer(importer)  # what an Area's importers= does: the queue's task finds it by name

    @post("/_bench/import", name="bench_import", opt={"public": True},
          signature_namespace={"Request": Request, "Response": Response})
    async def upload(request: Request) -> Response:
        form = await request.form()
        job = await start_import(request, importer, form["file"], background=False)
        return redirect(request, request.app.route_reverse("import_result", token=job.token))

    app = create_app()
    app.register(upload)
    for hook in app.on_startup:
        await hook(app)
    async with write_transaction():
        from tests.support.factories import make_employer

        employer = await make_employer()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench.local")
    sid = secrets.token_urlsafe(32)
    payload = {"kind": "employer", "auth_at": time.time(), "employer_id": employer["id"], "acting_role": "legal_rep",
               "acting_name": "张法人"}
    await DatabaseStore().set(sid, json.dumps(payload).encode(), expires_in=1800)
    client.cookies.set("portal_session", sid, domain="bench.local")
    await client.get("/")
    return app, client, spec


async def _case_upload() -> list[dict]:
    app, client, spec = await _app_client()
    data = _workbook(spec, UPLOAD_ROWS)
    token = client.cookies.get("csrftoken")
    t, cpu = time.perf_counter(), time.process_time()
    try:
        response = await client.post("/_bench/import", data={"_csrf_token": token},
                                     files={"file": ("bench.xlsx", data, "application/octet-stream")})
        assert response.status_code == 303, response.text[:300]
        page = await client.get(response.headers["location"])
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    finally:
        # Shutdown closes the SQLite read pool and the PDF browser, whose threads would keep the process alive.
        for hook in app.on_shutdown:
            await hook(app)
    assert f"成功导入{UPLOAD_ROWS}行" in page.text, page.text[:2000]
    peak = _peak_mb()
    return [
        _row("upload 10,000 rows: POST → result table (SQLite)", elapsed * 1000, "ms", 5000, elapsed < 5),
        _row("upload 10,000 rows: CPU time of the process", cpu * 1000, "ms", None, None),
        _row("upload 10,000 rows: peak RSS of the process", peak, "MB", 200, peak < 200),
    ]


async def _case_export() -> list[dict]:
    import sqlite3

    from portal.dataservices.export import write_export
    from portal.dataservices.grid import Column, Grid, Scope
    from portal.db import current_engine

    path = current_engine().path
    with sqlite3.connect(path) as conn:
        # every name starts with "=": the export neutralises all of them
        rows = [(_id_number(i), f"=职工{i}", "男", f"1990-01-{1 + i % 28:02d}", f"138{i:08d}", "460105",
                 "2026-01-01T00:00:00+00:00") for i in range(EXPORT_ROWS)]
        # The index a domain creates for a grid sorted by name within its scope (see grid.py).
        conn.execute("CREATE INDEX IF NOT EXISTS person_division_name ON person (division_code, name, id)")
        conn.executemany("INSERT INTO person (id_number, name, gender, birth_date, mobile, division_code, created_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    grid = Grid(name="bench", source="person", default_sort="name", title="人员", columns=[
        Column("name", "姓名", sortable=True), Column("id_number", "身份证号", kind="id_number"),
        Column("mobile", "手机号码", kind="phone"), Column("birth_date", "出生日期", kind="date"),
        Column("gender", "性别"), Column("division_code", "行政区划"),
    ])
    out = Path(os.environ["PORTAL_VAR_DIR"]) / "export.xlsx"
    t, cpu = time.perf_counter(), time.process_time()
    count = await write_export(grid, {}, Scope("division_code = {}", "460105"), out)
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    assert count == EXPORT_ROWS
    peak = _peak_mb()
    return [
        _row("export 100,000 rows × 6 columns to xlsx", elapsed * 1000, "ms", 10_000, elapsed < 10),
        _row("export 100,000 rows: CPU time of the process (all threads)", cpu * 1000, "ms", None, None),
        _row("export 100,000 rows: peak RSS of the process", peak, "MB", 200, peak < 200),
    ]


async def _case_pdf() -> list[dict]:
    from portal.dataservices.certificates import Fact, qr_data_url
    from portal.dataservices.documents import render_pdf, renderer, roster_pdf

    facts = [Fact("姓名", "张三丰"), Fact("身份证号", "11010519491231002X"), Fact("单位名称", "海南椰风有限公司"),
             Fact("参保状态", "正常参保"), Fact("参保起始日期", "2020-01-01")]
    ctx = {"facts": facts, "paragraphs": ["兹证明上述人员在本单位参加工伤保险。"], "code": "A" * 24,
           "verify_url": "https://portal.example/verify/" + "A" * 24, "qr": qr_data_url("https://portal.example/verify/x"),
           "issuer": "海南省人力资源和社会保障厅"}
    from datetime import UTC, datetime

    ctx["issued_at"] = datetime.now(UTC)
    for _ in range(3):
        await render_pdf("documents/certificate.html", ctx, title="工伤保险单位证明")
    samples = []
    for _ in range(20):
        t = time.perf_counter()
        await render_pdf("documents/certificate.html", ctx, title="工伤保险单位证明")
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    median = samples[len(samples) // 2]
    # the seal: signing alone, then render + sign as issue_certificate does (the < 150 ms target), then the
    # public upload check of the signed file (pyHanko's validation against the trust anchors)
    from portal.dataservices import signing

    ctx["seal_mark"] = signing.SEAL_MARK
    code = "A" * 24
    pdf = await render_pdf("documents/certificate.html", ctx, title="工伤保险单位证明")
    for _ in range(3):
        signed = await signing.sign_pdf(pdf, division_code="460105", reason=f"验证码 {code}", field_name=f"seal-{code}")
    sign_ms, sign_cpu, both = [], [], []
    for _ in range(20):
        t, c = time.perf_counter(), time.process_time()
        signed = await signing.sign_pdf(pdf, division_code="460105", reason=f"验证码 {code}", field_name=f"seal-{code}")
        sign_ms.append((time.perf_counter() - t) * 1000)
        sign_cpu.append((time.process_time() - c) * 1000)
    for _ in range(20):
        t = time.perf_counter()
        page = await render_pdf("documents/certificate.html", ctx, title="工伤保险单位证明")
        await signing.sign_pdf(page, division_code="460105", reason=f"验证码 {code}", field_name=f"seal-{code}")
        both.append((time.perf_counter() - t) * 1000)
    checks, check_cpu = [], []
    for _ in range(10):
        t, c = time.perf_counter(), time.process_time()
        assert (await signing.check_signatures(signed.pdf)).ours
        checks.append((time.perf_counter() - t) * 1000)
        check_cpu.append((time.process_time() - c) * 1000)
    sign_ms.sort(), sign_cpu.sort(), both.sort(), checks.sort(), check_cpu.sort()
    seal_rows = [
        _row("certificate seal: PAdES signing alone (median of 20)", sign_ms[10], "ms", None, None),
        _row("certificate seal: signing CPU time (median of 20)", sign_cpu[10], "ms", None, None),
        _row("certificate PDF + seal, warm browser (median of 20)", both[10], "ms", 150, both[10] < 150),
        _row("certificate PDF + seal, warm browser (max of 20)", both[-1], "ms", None, None),
        _row("signed certificate: size before → after signing", len(signed.pdf) - len(pdf), "bytes added", None, None),
        _row("uploaded certificate: signature check (median of 10)", checks[5], "ms", None, None),
        _row("uploaded certificate: signature check CPU time (median of 10)", check_cpu[5], "ms", None, None),
    ]
    rows = [{"name": f"职工{i}", "id": f"460105********{i:04d}", "start": "2025-01-01", "end": "2027-12-31",
             "kind": "固定期限"} for i in range(500)]
    cols = [("name", "姓名"), ("id", "身份证号"), ("kind", "合同类型"), ("start", "开始日期"), ("end", "终止日期")]
    t = time.perf_counter()
    pdf = await roster_pdf("新签备案名册", cols, rows)
    roster_ms = (time.perf_counter() - t) * 1000
    assert pdf.startswith(b"%PDF")
    await renderer().close()
    return [
        _row("certificate PDF, warm browser (median of 20)", median, "ms", 150, median < 150),
        _row("certificate PDF, warm browser (max of 20)", samples[-1], "ms", None, None),
        _row("roster PDF, 500 rows", roster_ms, "ms", 2000, roster_ms < 2000),
        *seal_rows,
    ]


def _prepare() -> None:
    subprocess.run([sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"], cwd=ROOT, check=True,
                   capture_output=True, env=os.environ)
    subprocess.run([sys.executable, "-m", "seeds", "reference"], cwd=ROOT, check=True, capture_output=True, env=os.environ)


def _worker(case: str) -> None:
    sys.path.insert(0, str(ROOT))
    if case != "parse":
        _prepare()
    fn = {"parse": _case_parse, "upload": _case_upload, "export": _case_export, "pdf": _case_pdf}[case]
    print(json.dumps(asyncio.run(fn()), ensure_ascii=False))


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _worker(sys.argv[2])
