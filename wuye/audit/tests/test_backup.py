"""Backup and restore: a small demo county round-trips into an empty migrated database with the same manifest and an
intact audit chain; a damaged backup and a non-empty database are refused with nothing written."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from wuye.audit.backup import _media_files, table_counts
from wuye.audit.models import AuditHead

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def one_chain(settings):
    """These tests exercise one chain's mechanics (links, head, checkpoints); test_parallel_chains splits it."""
    settings.WUYE = {**settings.WUYE, "AUDIT_CHAINS": 1}


def _empty_the_database() -> None:
    """What a new server has after `migrate`: every table empty (content types rebuilt by post_migrate)."""
    call_command("flush", interactive=False, verbosity=0)


def test_a_demo_county_round_trips_through_backup_and_restore(tmp_path):
    call_command("demo", "--seed", "1", "--scale", "0.05", "--quiet-logins", stdout=StringIO())
    media = Path(settings.MEDIA_ROOT)
    (media / "evidence").mkdir(parents=True, exist_ok=True)
    (media / "evidence" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    before = table_counts()
    head = AuditHead.objects.get(id=1)
    assert head.count > 100 and before["cases.case"] > 0

    out = StringIO()
    call_command("backup", str(tmp_path / "b1"), stdout=out)
    assert "备份完成" in out.getvalue()
    manifest = json.loads((tmp_path / "b1" / "manifest.json").read_text())
    assert manifest["counts"] == before
    assert manifest["audit_head"] == {"count": head.count, "hash": head.last_hash}
    assert "evidence/photo.jpg" in manifest["files"] and len(manifest["files"]) > 1  # the demo's uploads too

    with pytest.raises(CommandError, match="数据库不是空的"):
        call_command("restore", str(tmp_path / "b1"), stdout=StringIO())
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", str(tmp_path / "b1"), stdout=StringIO())

    _empty_the_database()
    shutil.rmtree(media)
    out = StringIO()
    call_command("restore", str(tmp_path / "b1"), stdout=out)
    assert "恢复完成" in out.getvalue()
    assert table_counts() == before
    assert (media / "evidence" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"
    assert _media_files(media) == manifest["files"]
    verify = StringIO()
    call_command("audit_verify", stdout=verify)
    assert f"共核验 {head.count} 条" in verify.getvalue()

    # a backup of the restored database has the same manifest (counts, files, audit head)
    call_command("backup", str(tmp_path / "b2"), stdout=StringIO())
    again = json.loads((tmp_path / "b2" / "manifest.json").read_text())
    for key in ("counts", "files", "audit_head"):
        assert again[key] == manifest[key]


def test_a_damaged_backup_is_refused_before_anything_is_loaded(tmp_path):
    from wuye.testing import make_company

    make_company("备份测试物业")
    call_command("backup", str(tmp_path / "b"), stdout=StringIO())
    data = tmp_path / "b" / "data.fulljson"
    data.write_text(data.read_text().replace("备份测试物业", "篡改后的物业"))
    _empty_the_database()
    with pytest.raises(CommandError, match="sha256 与清单不符"):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO())
    assert sum(table_counts().values()) == 0
    with pytest.raises(CommandError, match="没有 manifest.json"):
        call_command("restore", str(tmp_path), stdout=StringIO())
