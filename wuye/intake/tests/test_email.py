import io
import json
from email.message import EmailMessage

import pytest
from django.core.management import call_command

from wuye.intake.mail import email_import_bytes, imap_poll
from wuye.intake.models import Lead, LeadAttachment
from wuye.kernel.actors import SystemActor

from .conftest import PDF_BYTES, jpeg_bytes

pytestmark = pytest.mark.django_db


def make_eml(
    mid="<abc123@mail.example>",
    subject="阳光花园电梯困人",
    body="3栋电梯昨天困人半小时。联系电话13812345678",
    attachments=(),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "张女士 <zhang@example.com>"
    msg["To"] = "wyzz@zs.gov.cn"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 03 Jun 2025 09:15:00 +0800"
    if mid:
        msg["Message-ID"] = mid
    msg.set_content(body)
    for name, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def test_message_becomes_lead_with_attachments_and_contact(estate):
    raw = make_eml(
        attachments=[
            ("现场.jpg", jpeg_bytes(), "image", "jpeg"),
            ("说明.pdf", PDF_BYTES, "application", "pdf"),
            ("病毒.exe", b"MZ\x90\x00", "application", "octet-stream"),
        ]
    )
    result = email_import_bytes(actor=SystemActor("import_email"), raw=raw)
    lead = result.lead
    assert result.created and lead.channel == "email" and lead.estate == estate
    assert "阳光花园电梯困人" in lead.text and "困人半小时" in lead.text
    assert lead.complainant_name == "张女士" and lead.complainant_email == "zhang@example.com"
    assert lead.complainant_phone == "13812345678"
    assert sorted(LeadAttachment.objects.filter(lead=lead).values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
    ]
    assert any("病毒.exe" in s for s in lead.evidence["skipped_attachments"])


def test_same_message_id_never_imports_twice(estate):
    email_import_bytes(actor=SystemActor("import_email"), raw=make_eml())
    again = email_import_bytes(actor=SystemActor("import_email"), raw=make_eml(body="改了正文也一样"))
    assert not again.created and Lead.objects.count() == 1


def test_empty_message_is_an_error(db):
    from wuye.common.errors import DomainError

    with pytest.raises(DomainError, match="没有主题和正文"):
        email_import_bytes(actor=SystemActor("import_email"), raw=make_eml(subject="", body=""))
    assert Lead.objects.count() == 0


def test_command_imports_a_directory_and_reports_duplicates(estate, tmp_path):
    (tmp_path / "a.eml").write_bytes(make_eml(mid="<a@x>"))
    (tmp_path / "b.eml").write_bytes(make_eml(mid="<b@x>", subject="翠竹园 停车难"))
    (tmp_path / "c.eml").write_bytes(make_eml(mid="<a@x>"))  # same Message-ID as a.eml
    (tmp_path / "empty.eml").write_bytes(b"")
    out = io.StringIO()
    call_command("import_email", str(tmp_path), "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["imported"] == 2 and summary["duplicates"] == 1
    assert summary["errors"] == [{"source": "empty.eml", "reason": "邮件是空的"}]


class FakeImap:
    """An in-process IMAP server: enough of imaplib.IMAP4 for the poller."""

    def __init__(self, messages):
        self.messages = dict(messages)
        self.seen: set[bytes] = set()
        self.logged_in = False

    def __call__(self, host, port=None):
        self.host = host
        return self

    def login(self, user, password):
        self.logged_in = (user, password) == ("box", "secret")
        if not self.logged_in:
            raise OSError("bad login")
        return "OK", [b""]

    def select(self, folder):
        return ("OK", [b"2"]) if folder == "INBOX" else ("NO", [b""])

    def search(self, charset, criteria):
        return "OK", [b" ".join(n for n in self.messages if n not in self.seen)]

    def fetch(self, num, what):
        key = num.encode() if isinstance(num, str) else num
        return "OK", [(key + b" (RFC822 {1})", self.messages[key]), b")"]

    def store(self, num, op, flag):
        self.seen.add(num.encode() if isinstance(num, str) else num)
        return "OK", [b""]

    def logout(self):
        return "BYE", [b""]


def test_imap_poll_imports_unread_once_and_leaves_bad_messages_unread(estate):
    fake = FakeImap(
        {
            b"1": make_eml(mid="<m1@x>"),
            b"2": make_eml(mid="<m2@x>", subject="", body=""),
            b"3": make_eml(mid="<m3@x>", subject="华府小区 垃圾"),
        }
    )
    report = imap_poll(
        actor=SystemActor("import_email"), host="imap.example", user="box", password="secret", connect=fake
    )
    assert report.imported == 2 and len(report.errors) == 1
    assert fake.seen == {b"1", b"3"}
    again = imap_poll(
        actor=SystemActor("import_email"), host="imap.example", user="box", password="secret", connect=fake
    )
    assert again.imported == 0 and Lead.objects.count() == 2


def test_imap_without_settings_is_explained(db):
    from wuye.common.errors import DomainError

    with pytest.raises(DomainError, match="IMAP_HOST"):
        imap_poll(actor=SystemActor("import_email"), host="", user="", password="")
