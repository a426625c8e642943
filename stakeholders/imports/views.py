"""Pages of the CRM import: upload, map, dry run, apply, progress, rejected rows. Each import is
its uploader's alone: anyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kam.spreadsheet import csv_row, csv_writer
from stakeholders.imports.forms import MappingForm, UploadForm
from stakeholders.imports.models import DataImport, ImportStatus
from stakeholders.imports.reading import BadFile
from stakeholders.imports.services import import_map, import_start_apply, import_upload

SHOWN_REJECTIONS = 100


def _own(request: HttpRequest, pk: int) -> DataImport:
    return get_object_or_404(DataImport.objects.filter(user=request.user), pk=pk)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            data_import = import_upload(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except BadFile as exc:
            form.add_error("file", str(exc))
        else:
            return HttpResponseRedirect(data_import.get_absolute_url())
    imports = DataImport.objects.filter(user=request.user)[:20]
    status = 400 if request.method == "POST" else 200
    return render(request, "stakeholders/imports/list.html", {"form": form, "imports": imports}, status=status)


def _results(data_import: DataImport) -> dict:
    return {
        "data_import": data_import,
        "rejections": data_import.rejections.all()[:SHOWN_REJECTIONS],
        "can_apply": data_import.status == ImportStatus.CHECKED
        or (data_import.status == ImportStatus.FAILED and data_import.checked_at is not None),
    }


def _detail(request: HttpRequest, data_import: DataImport, form: MappingForm, status: int = 200) -> HttpResponse:
    context = {
        **_results(data_import),
        "form": form,
        "can_map": not data_import.is_running and data_import.status != ImportStatus.APPLIED,
    }
    return render(request, "stakeholders/imports/detail.html", context, status=status)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The mapping (GET shows it, POST stores it and starts the dry run) and the results."""
    data_import = _own(request, pk)
    form = MappingForm(request.POST or None, data_import=data_import)
    if request.method == "POST":
        if data_import.is_running or data_import.status == ImportStatus.APPLIED:
            return _detail(request, data_import, form, status=409)
        if form.is_valid():
            try:
                import_map(data_import=data_import, mapping=form.mapping())
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return HttpResponseRedirect(data_import.get_absolute_url())
        return _detail(request, data_import, form, status=400)
    return _detail(request, data_import, form)


@login_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = _own(request, pk)
    try:
        import_start_apply(data_import=data_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(request, data_import, MappingForm(data_import=data_import), status=409)
    messages.success(request, _("The import is being applied."))
    return HttpResponseRedirect(data_import.get_absolute_url())


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone, polled by htmx every second while a run is under way."""
    data_import = _own(request, pk)
    response = render(request, "stakeholders/imports/_progress.html", _results(data_import))
    if not data_import.is_running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # done: reload the page, which offers the mapping again
    return response


@login_required
@require_GET
def import_rejections(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows as a CSV to fix and upload again: the file's own columns, then the line and
    the reason (columns the mapping ignores, so the fixed file maps as before)."""
    data_import = _own(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{data_import.pk}-rejected.csv"'
    response.write("\ufeff")  # so that Excel reads the umlauts
    writer = csv_writer(response)
    writer.writerow(csv_row([*data_import.headers, _("line"), _("reason")]))
    for rejection in data_import.rejections.iterator(chunk_size=2000):
        cells = list(rejection.values) + [""] * (len(data_import.headers) - len(rejection.values))
        writer.writerow(csv_row([*cells[: len(data_import.headers)], rejection.line, rejection.reason]))
    return response


__all__ = ["import_apply", "import_detail", "import_list", "import_progress", "import_rejections"]
