"""The import's steps: upload (the file checked and its shape read), mapping, and a run, dry or for
real, over the file in chunks with the progress stored after each."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam import outbox
from kam.models import User
from stakeholders.imports.accounts import AccountRun
from stakeholders.imports.activity import ConsentRun, TouchpointRun
from stakeholders.imports.engine import Run
from stakeholders.imports.mapping import PERSON_KINDS, fields_for, propose, remember
from stakeholders.imports.models import DataImport, ImportKind, ImportRejection, ImportStatus
from stakeholders.imports.people import StakeholderRun
from stakeholders.imports.reading import BadFile, FileShape, check_size, inspect, iter_rows

CHUNK = 1000
RUNS: dict[str, type[Run]] = {
    ImportKind.ACCOUNTS: AccountRun,
    ImportKind.STAKEHOLDERS: StakeholderRun,
    ImportKind.TOUCHPOINTS: TouchpointRun,
    ImportKind.CONSENT: ConsentRun,
}

IMPORT_TASK = "stakeholders.import_run"


def import_path(data_import: DataImport) -> Path:
    return Path(settings.IMPORT_FILES_ROOT) / data_import.stored_name


def import_upload(*, user: User, kind: str, upload: UploadedFile) -> DataImport:
    """Keep the uploaded file and read its shape; ``BadFile`` says what is wrong with it."""
    check_size(upload.size or 0)
    root = Path(settings.IMPORT_FILES_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    file_name = Path(upload.name or "upload").name[:255]
    # openpyxl goes by the extension; the name is otherwise ours, never the uploader's.
    stored_name = uuid.uuid4().hex + Path(file_name).suffix.lower()[:10]
    path = root / stored_name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        shape = inspect(path, file_name)
    except BadFile:
        path.unlink(missing_ok=True)
        raise
    data_import = DataImport.objects.create(
        user=user,
        kind=kind,
        file_name=file_name,
        stored_name=stored_name,
        file_format=shape.file_format,
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        headers=shape.headers,
        rows_total=shape.rows_estimate,
    )
    data_import.mapping = propose(kind, shape.headers, user)
    data_import.save(update_fields=["mapping"])
    return data_import


def import_map(*, data_import: DataImport, mapping: dict[str, str]) -> DataImport:
    """Store the mapping (column index -> field), remember it for this file layout and start the dry run."""
    fields = fields_for(data_import.kind, data_import.user)
    allowed = {f.name for f in fields}
    mapping = {i: f for i, f in mapping.items() if f}
    if not set(mapping.values()) <= allowed:
        raise ValidationError(_("A column is mapped to a field you cannot import."))
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError(_("Each field can take one column only."))
    missing = [str(f.label) for f in fields if f.required and f.name not in mapping.values()]
    if data_import.kind in PERSON_KINDS and not {"person_external_id", "email"} & set(mapping.values()):
        missing.append(_("the person's external id or e-mail"))
    if missing:
        raise ValidationError(_("Map a column to: %(fields)s.") % {"fields": ", ".join(missing)})
    data_import.mapping = mapping
    data_import.status = ImportStatus.CHECKING
    data_import.rows_done = 0
    data_import.error = ""
    data_import.save(update_fields=["mapping", "status", "rows_done", "error"])
    remember(data_import.kind, data_import.headers, mapping)
    _enqueue(data_import, apply=False)
    return data_import


def import_start_apply(*, data_import: DataImport) -> None:
    retry = data_import.status == ImportStatus.FAILED and data_import.checked_at is not None
    if not (data_import.status == ImportStatus.CHECKED or retry) or not data_import.mapping:
        raise ValidationError(_("Run the dry run first."))
    data_import.status = ImportStatus.APPLYING
    data_import.rows_done = 0
    data_import.save(update_fields=["status", "rows_done"])
    _enqueue(data_import, apply=True)


def _enqueue(data_import: DataImport, *, apply: bool) -> None:
    # By name through the outbox, recorded with the write: a broker outage delays the run, never drops it.
    outbox.enqueue(IMPORT_TASK, data_import.pk, int(apply))


def import_run(*, import_id: int, apply: bool) -> dict[str, int] | None:
    """Run the import's dry run or apply it. Idempotent: a run starts only from the state its
    step set (checking, applying), so a repeated task, or one for an import applied already,
    changes nothing; and an apply matches rows on their external ids, so even a second apply
    after a failure creates nothing twice."""
    data_import = DataImport.objects.select_related("user").get(pk=import_id)
    if data_import.status != (ImportStatus.APPLYING if apply else ImportStatus.CHECKING):
        return None
    ImportRejection.objects.filter(data_import=data_import).delete()
    run = RUNS[data_import.kind](data_import, apply=apply)
    shape = FileShape(
        data_import.file_format,
        data_import.encoding,
        data_import.delimiter,
        data_import.headers,
        data_import.rows_total,
    )
    done = 0

    def chunk_done(rows: list, final: bool = False) -> None:
        nonlocal done
        with transaction.atomic():
            run.process(rows)
            if final:
                run.finish()
            run.flush_rejections()
        done += len(rows)
        DataImport.objects.filter(pk=import_id).update(rows_done=done, counts=dict(run.counts))

    try:
        rows: list = []
        for row in iter_rows(import_path(data_import), shape):
            rows.append(row)
            if len(rows) >= CHUNK:
                chunk_done(rows)
                rows = []
        chunk_done(rows, final=True)
    except (BadFile, OSError) as exc:
        message = str(exc) if isinstance(exc, BadFile) else _("The uploaded file is no longer there; upload it again.")
        DataImport.objects.filter(pk=import_id).update(status=ImportStatus.FAILED, error=message)
        return None
    except Exception:
        # Not the file's fault: say so on the page rather than leave it "under way" for ever.
        DataImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED,
            error=_("The import stopped after %(n)s rows on an unexpected error; applying again is safe.")
            % {"n": done},
        )
        raise
    now = timezone.now()
    update = {"status": ImportStatus.APPLIED if apply else ImportStatus.CHECKED, "rows_done": done, "rows_total": done}
    if apply:
        update |= {"counts": dict(run.counts), "applied_at": now}
    else:
        update |= {"dry_run_counts": dict(run.counts), "counts": {}, "checked_at": now}
    DataImport.objects.filter(pk=import_id).update(**update)
    if apply:
        import_path(data_import).unlink(missing_ok=True)  # applied: the upload is no longer needed
    return dict(run.counts)
