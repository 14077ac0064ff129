"""邮箱: an .eml file, a directory of them, or an IMAP mailbox becomes leads with their attachments.

The Message-ID is the lead's source_ref, so the same message never imports twice (re-running a poll, a message
both in a file and in the mailbox, two pollers at once).
"""

import hashlib
import imaplib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from wuye.common.errors import DomainError
from wuye.common.text import remove_controls
from wuye.common.uploads import check_upload
from wuye.kernel.actors import Actor

from .matching import EstateMatcher
from .models import Channel
from .photos import StoredFile, process_photo
from .services import LeadResult, lead_attach, lead_create

MAX_ATTACHMENTS = 10
PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


@dataclass
class MailReport:
    imported: int = 0
    duplicates: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"imported": self.imported, "duplicates": self.duplicates, "errors": self.errors}


def _message_id(msg: EmailMessage, raw: bytes) -> str:
    mid = str(msg.get("Message-ID", "") or "").strip().strip("<>").strip()
    return mid[:180] if mid else "sha256:" + hashlib.sha256(raw).hexdigest()


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("gb18030", errors="replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        content = strip_tags(content)
    return re.sub(r"\n{3,}", "\n\n", str(content)).strip()


def _attachments(msg: EmailMessage) -> tuple[list[StoredFile], list[str]]:
    stored, skipped = [], []
    for i, part in enumerate(msg.iter_attachments()):
        name = part.get_filename() or f"附件{i + 1}"
        if i >= MAX_ATTACHMENTS:
            skipped.append(f"{name}（超过 {MAX_ATTACHMENTS} 个）")
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        upload = SimpleUploadedFile(name, data)
        try:
            checked = check_upload(upload, field="附件", allow_pdf=True)
            if checked.kind == "image":
                stored.append(process_photo(SimpleUploadedFile(name, data), field="附件"))
            else:
                stored.append(StoredFile(name=name, content_type=checked.content_type, data=checked.data))
        except DomainError as exc:
            skipped.append(f"{name}：{exc.message}")
    return stored, skipped


def email_import_bytes(*, actor: Actor, raw: bytes, matcher: EstateMatcher | None = None) -> LeadResult:
    """One message → one lead (or the existing lead of the same Message-ID)."""
    if not raw.strip():
        raise DomainError("邮件是空的", field="邮件")
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    source_ref = "email:" + _message_id(msg, raw)
    subject = remove_controls(str(msg.get("Subject", "") or "")).strip()
    body = remove_controls(_body(msg))
    text = "\n".join(x for x in (subject, body) if x).strip()
    if not text:
        raise DomainError("邮件没有主题和正文", field="邮件")
    sender = msg.get("From")
    name, address = "", ""
    if sender is not None and getattr(sender, "addresses", None):
        name, address = sender.addresses[0].display_name, sender.addresses[0].addr_spec
        name, address = remove_controls(name), remove_controls(address)
    phone_match = PHONE_IN_TEXT.search(body)
    received = None
    if msg.get("Date"):
        try:
            received = parsedate_to_datetime(str(msg["Date"]))
            if timezone.is_naive(received):
                received = timezone.make_aware(received)
            if received > timezone.now():
                received = None
        except (TypeError, ValueError):
            received = None
    match = (matcher or EstateMatcher.for_actor(actor)).match(text)
    files, skipped = _attachments(msg)
    with transaction.atomic():
        result = lead_create(
            actor=actor,
            channel=Channel.EMAIL,
            text=text[:5000],
            estate=match.estate,
            source_ref=source_ref,
            complainant_name=name[:60],
            complainant_phone=phone_match.group(1) if phone_match else "",
            complainant_email=address[:200],
            estate_needs_confirmation=match.needs_confirmation,
            created_at=received,
            evidence={
                "message_id": source_ref.removeprefix("email:"),
                "subject": subject[:200],
                "estate_match": match.evidence(),
                "skipped_attachments": skipped,
            },
        )
        if result.created:
            lead_attach(actor=actor, lead=result.lead, files=files)
    return result


def _record(report: MailReport, origin: str, fn: Callable[[], LeadResult]) -> None:
    try:
        result = fn()
    except DomainError as exc:
        report.errors.append({"source": origin, "reason": exc.message})
        return
    if result.created:
        report.imported += 1
        report.leads.append(result.lead.tracking_code)
    else:
        report.duplicates += 1


def _import_file(actor: Actor, path: Path, matcher: EstateMatcher) -> LeadResult:
    return email_import_bytes(actor=actor, raw=path.read_bytes(), matcher=matcher)


def _import_raw(actor: Actor, raw: bytes, matcher: EstateMatcher) -> LeadResult:
    return email_import_bytes(actor=actor, raw=raw, matcher=matcher)


def email_import_path(*, actor: Actor, path: Path) -> MailReport:
    """An .eml file or every .eml in a directory (sorted, so runs are reproducible)."""
    files = sorted(path.glob("*.eml")) if path.is_dir() else [path]
    report = MailReport()
    matcher = EstateMatcher.for_actor(actor)
    for f in files:
        _record(report, f.name, partial(_import_file, actor, f, matcher))
    return report


def imap_poll(
    *,
    actor: Actor,
    host: str,
    user: str,
    password: str,
    folder: str = "INBOX",
    port: int | None = None,
    connect: Callable[..., Any] | None = None,
    criteria: str = "UNSEEN",
) -> MailReport:
    """Fetch unread messages, import each, then mark it read. A message that fails stays unread for staff."""
    if not host or not user:
        raise DomainError("请设置 IMAP_HOST、IMAP_USER 和 IMAP_PASSWORD 环境变量", field="IMAP")
    factory = connect or imaplib.IMAP4_SSL
    conn = factory(host, port) if port else factory(host)
    report = MailReport()
    matcher = EstateMatcher.for_actor(actor)
    try:
        conn.login(user, password)
        typ, _ = conn.select(folder)
        if typ != "OK":
            raise DomainError(f"邮箱文件夹“{folder}”不存在", field="IMAP")
        typ, data = conn.search(None, criteria)
        for num_b in (data[0] or b"").split():
            num = num_b.decode()
            typ, parts = conn.fetch(num, "(RFC822)")
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), b"")
            before = len(report.errors)
            _record(report, f"IMAP #{num}", partial(_import_raw, actor, raw, matcher))
            if len(report.errors) == before:
                conn.store(num, "+FLAGS", "\\Seen")
    finally:
        try:
            conn.logout()
        except Exception:  # noqa: S110 - closing a broken connection
            pass
    return report
