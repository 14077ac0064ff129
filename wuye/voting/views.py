"""Thin views: parse input, call one service or selector, render."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wuye.accounts.http import AuthedHttpRequest
from wuye.accounts.models import BUREAU_ROLES, Role, User
from wuye.accounts.permissions import role_required
from wuye.common.display import motion_no
from wuye.common.errors import DomainError
from wuye.common.files import serve_upload
from wuye.common.forms import form_add_domain_error

from . import selectors, services
from .forms import AnswerForm, AssemblyForm, CancelForm, DocumentForm, MotionForm, ObjectionForm
from .models import (
    PUBLIC_RESULT_STATES,
    RESULT_STATES,
    AssemblyStatus,
    Motion,
)
from .tally import CHOICE_LABELS, CHOICES, DEVELOPER_KEY, ITEMS
from .thresholds import three_quarter_items

VOTING_ROLES = (*BUREAU_ROLES, Role.COMMITTEE_MEMBER, Role.OWNER)
MANAGER_ROLES = (*BUREAU_ROLES, Role.COMMITTEE_MEMBER)


def owner_facing(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Like role_required, but a visitor who is not logged in is sent to the owners' phone-code login: links to
    these pages reach owners through notices and SMS."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        checked = role_required(*roles)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url=reverse("accounts:owner_login"))
            return checked(request, *args, **kwargs)

        return wrapped

    return decorator


def _managed(request: AuthedHttpRequest, pk: int) -> Any:
    assembly = selectors.assembly_get_visible(request.user, pk=pk)
    if not services.can_manage(request.user, assembly.estate_id):
        raise PermissionDenied("只有本小区业委会或县专班可以进行此操作")
    return assembly


def _with_thresholds(motions: Any) -> list[Motion]:
    tq = three_quarter_items()
    out = list(motions)
    for m in out:
        m.three_quarters = m.item in tq
        m.item_cn = "一二三四五六七八九"[m.item - 1]
    return out


def _choices_from_post(request: HttpRequest, motions: list[Motion]) -> dict[str, str]:
    return {m.code: request.POST.get(f"m_{m.code}", "") for m in motions}


@owner_facing(*VOTING_ROLES)
def home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "voting/home.html",
        {
            "assemblies": selectors.assembly_list(user),
            "can_create": user.role in MANAGER_ROLES,
        },
    )


@role_required(*MANAGER_ROLES)
def assembly_create(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    form = AssemblyForm(request.POST or None)
    if user.role == Role.COMMITTEE_MEMBER:
        del form.fields["estate_code"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("estate_code", "")
        estate = selectors.estate_for_new_assembly(user, code=code)
        if estate is None:
            form.add_error("estate_code", "没有该编码的小区")
        else:
            try:
                assembly = services.assembly_create(actor=user, estate=estate, **data)
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, "已创建表决，请添加表决事项和材料，然后开始投票。")
                return redirect("voting:detail", pk=assembly.pk)
    return render(request, "voting/form.html", {"form": form, "title": "发起业主大会表决"})


@owner_facing(*VOTING_ROLES)
def detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assembly = selectors.assembly_get_visible(user, pk=pk)
    manager = services.can_manage(user, assembly.estate_id)
    ctx: dict[str, Any] = {
        "assembly": assembly,
        "motions": _with_thresholds(selectors.motions_of(assembly)),
        "manager": manager,
        "vote_start": selectors.cn_datetime(assembly.vote_start),
        "vote_end": selectors.cn_datetime(assembly.vote_end),
        "is_draft": assembly.status == AssemblyStatus.DRAFT,
        "is_open": assembly.status == AssemblyStatus.OPEN,
        "has_result": assembly.status in PUBLIC_RESULT_STATES
        or (manager and assembly.status in RESULT_STATES),
        "is_published": assembly.status == AssemblyStatus.PUBLISHED,
        "objections": selectors.objections_of(assembly),
    }
    if manager:
        ctx.update(
            motion_form=MotionForm(),
            doc_form=DocumentForm(),
            cancel_form=CancelForm(),
            answer_form=AnswerForm(),
        )
        if assembly.status == AssemblyStatus.OPEN:
            ctx["participation"] = selectors.participation(assembly)
    voter = selectors.voter_of(user, assembly)
    if voter is not None:
        ctx["voter"] = voter
        ctx["my_ballot"] = selectors.ballot_of_person(assembly, voter.person)
        ctx["objection_form"] = ObjectionForm()
    return render(request, "voting/detail.html", ctx)


@require_POST
@role_required(*MANAGER_ROLES)
def motion_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    form = MotionForm(request.POST)
    if form.is_valid():
        try:
            services.motion_add(actor=request.user, assembly=assembly, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已添加表决事项。")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(str(e) for e in errors)}")
    return redirect("voting:detail", pk=assembly.pk)


@require_POST
@role_required(*MANAGER_ROLES)
def motion_remove(request: AuthedHttpRequest, motion_pk: int) -> HttpResponse:
    motion = selectors.motion_get_visible(request.user, pk=motion_pk)
    assembly = _managed(request, motion.assembly_id)
    try:
        services.motion_remove(actor=request.user, motion=motion)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除表决事项。")
    return redirect("voting:detail", pk=assembly.pk)


@require_POST
@role_required(*MANAGER_ROLES)
def document_add(request: AuthedHttpRequest, motion_pk: int) -> HttpResponse:
    motion = selectors.motion_get_visible(request.user, pk=motion_pk)
    assembly = _managed(request, motion.assembly_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "表决材料：请选择要上传的图片或 PDF 文件")
    else:
        try:
            services.motion_document_add(actor=request.user, motion=motion, upload=upload)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已上传表决材料。")
    return redirect("voting:detail", pk=assembly.pk)


@role_required(*VOTING_ROLES)
def document_download(request: AuthedHttpRequest, doc_pk: int) -> HttpResponseBase:
    doc = selectors.document_get_visible(request.user, pk=doc_pk)
    return serve_upload(doc.file, content_type=doc.content_type, filename=doc.name)


@role_required(*MANAGER_ROLES)
def paper_scan(request: AuthedHttpRequest, pk: int, receipt: str) -> HttpResponseBase:
    """The scan of a paper ballot, for the committee and the task force (it may show a name and signature)."""
    assembly = _managed(request, pk)
    ballot = selectors.paper_ballot_get(assembly, receipt=receipt)
    return serve_upload(ballot.scan, filename=(ballot.scan.name or "").rsplit("/", 1)[-1])


ACTIONS = {
    "open": (services.assembly_open, "投票已开始，表决名册已冻结并公布。"),
    "close": (services.assembly_close, "投票已截止，计票结果已冻结。"),
    "publish": (services.assembly_publish, "表决结果已公示，公示期内业主可提出异议。"),
    "finalise": (services.assembly_finalise, "公示期已结束。"),
}


@require_POST
@role_required(*MANAGER_ROLES)
def assembly_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    assembly = _managed(request, pk)
    try:
        if action == "cancel":
            services.assembly_cancel(
                actor=request.user, assembly=assembly, reason=request.POST.get("reason", "")
            )
            done = "表决已取消。"
        elif action in ACTIONS:
            func, done = ACTIONS[action]
            func(actor=request.user, assembly=assembly)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("voting:detail", pk=assembly.pk)


@owner_facing(Role.OWNER)
def vote(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_get_visible(request.user, pk=pk)
    voter = selectors.voter_of(request.user, assembly)
    motions = _with_thresholds(selectors.motions_of(assembly))
    error, chosen = "", {}
    if request.method == "GET" and voter is not None and selectors.ballot_of_person(assembly, voter.person):
        return redirect("voting:receipt", pk=assembly.pk)  # a POST goes on to the service, which refuses it
    if request.method == "POST":
        chosen = _choices_from_post(request, motions)
        try:
            services.ballot_cast(actor=request.user, assembly=assembly, choices=chosen)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "投票成功，回执码已显示在下方并发送到您的手机。")
            return redirect("voting:receipt", pk=assembly.pk)
    return render(
        request,
        "voting/vote.html",
        {
            "assembly": assembly,
            "voter": voter,
            "motions": motions,
            "error": error,
            "chosen": chosen,
            "choice_options": [(c, CHOICE_LABELS[c]) for c in CHOICES],
            "items": ITEMS,
            "vote_end": selectors.cn_datetime(assembly.vote_end),
        },
        status=400 if error else 200,
    )


@owner_facing(Role.OWNER)
def my_receipt(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_get_visible(request.user, pk=pk)
    voter = selectors.voter_of(request.user, assembly)
    ballot = selectors.ballot_of_person(assembly, voter.person) if voter else None
    if ballot is None:
        raise Http404("您还没有投票")
    titles = {m.code: m.title for m in selectors.motions_of(assembly)}
    rows = [(code, titles.get(code, ""), CHOICE_LABELS[c]) for code, c in ballot.choices.items()]
    return render(
        request,
        "voting/receipt.html",
        {
            "assembly": assembly,
            "ballot": ballot,
            "rows": rows,
            "cast_at": selectors.cn_datetime(ballot.cast_at),
        },
    )


@role_required(*MANAGER_ROLES)
def paper_ballot(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    motions = list(selectors.motions_of(assembly))
    error, chosen, label = "", {}, ""
    if request.method == "POST":
        chosen = _choices_from_post(request, motions)
        label = request.POST.get("unit_label", "")
        try:
            ballot = services.ballot_enter_paper(
                actor=request.user,
                assembly=assembly,
                unit_label=label,
                choices=chosen,
                scan=request.FILES.get("scan"),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                f"已录入书面选票（{ballot.person.units_label}），回执码 {ballot.receipt}，请交给该业主。",
            )
            return redirect("voting:paper", pk=assembly.pk)
    return render(
        request,
        "voting/paper.html",
        {
            "assembly": assembly,
            "motions": motions,
            "error": error,
            "chosen": chosen,
            "unit_label": label,
            "choice_options": [(c, CHOICE_LABELS[c]) for c in CHOICES],
            "developer_key": DEVELOPER_KEY,
        },
        status=400 if error else 200,
    )


@role_required(*MANAGER_ROLES)
def dashboard(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assembly = _managed(request, pk)
    if assembly.status == AssemblyStatus.DRAFT:
        raise Http404("投票尚未开始")
    ctx = {
        "assembly": assembly,
        "p": selectors.participation(assembly),
        "vote_end": selectors.cn_datetime(assembly.vote_end),
    }
    template = "voting/_participation.html" if request.headers.get("HX-Request") else "voting/dashboard.html"
    return render(request, template, ctx)


@role_required(*VOTING_ROLES)
def electorate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_get_visible(request.user, pk=pk)
    if assembly.status == AssemblyStatus.DRAFT:
        raise Http404("投票开始时才生成表决名册")
    q = request.GET.get("q", "")
    page = Paginator(selectors.electorate_persons(assembly, q=q), 100).get_page(request.GET.get("page"))
    return render(request, "voting/electorate.html", {"assembly": assembly, "page": page, "q": q})


def _result_assembly(request: HttpRequest, pk: int) -> Any:
    """Published results are public; before publication only the managers see the frozen tally."""
    user = request.user
    if user.is_authenticated:
        assembly = selectors.assembly_visible_or_none(user, pk=pk)
        if assembly is not None and (
            assembly.status in PUBLIC_RESULT_STATES
            or (assembly.status in RESULT_STATES and services.can_manage(user, assembly.estate_id))
        ):
            return assembly
    return selectors.assembly_get_published(pk=pk)


def result(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = _result_assembly(request, pk)
    ctx: dict[str, Any] = {
        "assembly": assembly,
        "rows": selectors.result_rows(assembly),
        "published": assembly.status in PUBLIC_RESULT_STATES,
        "closed_at": selectors.cn_datetime(assembly.closed_at),
        "show_ballots": selectors.ballots_visible_to(request.user, assembly),
    }
    if ctx["show_ballots"]:
        receipt = request.GET.get("receipt", "").strip()
        page = Paginator(selectors.published_ballots(assembly, receipt=receipt), 100).get_page(
            request.GET.get("page")
        )
        codes = [m["id"] for m in (assembly.result or {}).get("motions", [])]
        for b in page:
            b.cells = [(motion_no(c), CHOICE_LABELS.get(b.choices.get(c, ""), "未参与")) for c in codes]  # type: ignore[attr-defined]  # for the template
        ctx.update(
            page=page,
            headers=[motion_no(c) for c in codes],
            receipt=receipt,
            manager=services.can_manage(
                cast(User, request.user), assembly.estate_id
            ),  # seen ballots: logged in
        )
    return render(request, "voting/result.html", ctx)


def ballots_json(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("accounts:owner_login"))
    assembly = _result_assembly(request, pk)
    if not selectors.ballots_visible_to(request.user, assembly):
        raise Http404("选票明细仅向本小区业主、业委会和县专班公开")
    doc = selectors.ballots_document(assembly)
    payload = doc | {
        "digest": assembly.digest,
        "result": assembly.result,
        "digest_note": "选票摘要 digest 是对本文件中 assembly、units、motions、ballots 四项计算的 SHA-256，"
        "复核方法见平台文档 docs/voting.md（复核计票）",
    }
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="assembly-{assembly.pk}-ballots.json"'
    return response


@require_POST
@role_required(Role.OWNER)
def objection_raise(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_get_visible(request.user, pk=pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "异议内容：请写明异议的具体内容")
    else:
        try:
            services.objection_raise(actor=request.user, assembly=assembly, text=form.cleaned_data["text"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已提交异议，业委会将在公示期内答复。")
    return redirect("voting:detail", pk=assembly.pk)


@require_POST
@role_required(*MANAGER_ROLES)
def objection_answer(request: AuthedHttpRequest, objection_pk: int) -> HttpResponse:
    objection = selectors.objection_get_visible(request.user, pk=objection_pk)
    assembly = _managed(request, objection.assembly_id)
    try:
        services.objection_answer(
            actor=request.user, objection=objection, answer=request.POST.get("answer", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已答复异议。")
    return redirect("voting:detail", pk=assembly.pk)
