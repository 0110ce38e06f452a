"""Tables of the dataservices app: export and import jobs, the import lock, stored PDFs and certificates."""

from piccolo.columns import Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ExportJob(Table, help_text="A background xlsx export of a grid (over 10,000 rows); polled by its token"):
    token = Varchar(length=64, unique=True, help_text="Random; the only handle in URLs")
    owner_key = Varchar(length=60, index=True, help_text="owner_key(principal): employer:1, person:2, staff:3")
    grid_name = Varchar(length=80)
    file_name = Varchar(length=200, help_text="Download name shown to the user")
    status = Varchar(length=20, default="queued", help_text="queued, running, done, failed, expired (file deleted)")
    total = Integer(default=0)
    done = Integer(default=0)
    storage_path = Varchar(length=300, default="", help_text="Random name under settings.storage_dir/exports")
    message = Varchar(length=300, default="")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    queue_key = Varchar(length=120, default="", help_text="Its job on the queue (portal.jobs): alive or dead per the engine")


class ImportJob(Table, help_text="One spreadsheet upload: progress, per-row results and the outcome of the write"):
    token = Varchar(length=64, unique=True)
    owner_key = Varchar(length=60, index=True)
    sheet_name = Varchar(length=80, help_text="SheetSpec.name")
    file_name = Varchar(length=200, default="")
    status = Varchar(length=20, default="queued",
                     help_text="queued, parsing, validating, writing, done, failed, expired (results deleted)")
    total = Integer(default=0)
    processed = Integer(default=0)
    ok_count = Integer(default=0)
    failed_count = Integer(default=0)
    written = Boolean(default=False, help_text="True once the valid rows were committed")
    message = Varchar(length=500, default="", help_text="Chinese outcome shown on the result page")
    results = Text(default="", help_text="JSON list of [row_number, values, reasons]")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    queue_key = Varchar(length=120, default="", help_text="Its job on the queue (portal.jobs): alive or dead per the engine")
    storage_path = Varchar(length=300, default="", help_text="The uploaded file under storage_dir/imports while running")


class ImportChunk(Table, help_text="Hidden rows a running import has written: one id range of one table per row"):
    job = Integer(index=True, help_text="ImportJob.id: the rows are deleted when that job ends without publishing")
    chunk = Integer(default=0, help_text="The import's chunk (one short transaction); recovery deletes chunk by chunk")
    target = Varchar(length=60, help_text="The table the rows are in")
    hidden = Varchar(length=300, default="{}", help_text="JSON column → value the rows hold until published")
    first_id = Integer()
    last_id = Integer()


class ImportLock(Table, help_text="At most one running import per owner (employer): the UNIQUE owner_key is the lock"):
    owner_key = Varchar(length=60, unique=True)
    job_token = Varchar(length=64)
    acquired_at = Timestamptz()


class StoredDocument(Table, help_text="A generated PDF kept byte for byte with its SHA-256, downloadable again"):
    token = Varchar(length=64, unique=True)
    kind = Varchar(length=40, help_text="receipt, roster, certificate or a domain's own kind")
    title = Varchar(length=200)
    owner_employer_id = Integer(null=True, default=None, index=True)
    owner_person_id = Integer(null=True, default=None, index=True)
    division_code = Varchar(length=12, default="", help_text="For staff jurisdiction checks")
    sha256 = Varchar(length=64)
    size = Integer(default=0)
    storage_path = Varchar(length=300)
    created_at = Timestamptz()


class Certificate(Table, help_text="An issued certificate: random verification code, masked facts, revocation"):
    code = Varchar(length=40, unique=True, help_text="≥ 120 random bits, base32; printed and in the QR code")
    kind = Varchar(length=40)
    title = Varchar(length=200)
    subject_summary = Text(default="[]", help_text="JSON [[label, value], …] with personal data already masked")
    owner_employer_id = Integer(null=True, default=None, index=True)
    owner_person_id = Integer(null=True, default=None, index=True)
    division_code = Varchar(length=12, default="")
    document_token = Varchar(length=64, default="", help_text="StoredDocument.token of the PDF")
    pdf_sha256 = Varchar(length=64, default="", help_text="SHA-256 of the issued (signed) PDF: an upload is checked against it")
    storage_path = Varchar(length=300, default="")
    issued_at = Timestamptz()
    issued_on = Date(null=True, default=None, help_text="issued_at as a date in Asia/Shanghai: the 签发日期 filter")
    revoked_at = Timestamptz(null=True, default=None)
    revoke_reason = Varchar(length=200, default="")
    signed_by = Varchar(length=200, default="",
                        help_text="Seal holder and its certificate's SHA-256, empty when issued unsigned")
