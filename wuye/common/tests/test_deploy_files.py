"""The files in deploy/ that a county's IT staff copy: they parse, and they agree with the application.

Pure file checks (no nginx, no systemd, no pgbouncer here): the environment example names every variable the
production settings require, the nginx site accepts the largest upload the app accepts and never serves /media/,
pgbouncer runs in transaction mode, and the systemd units point at commands that exist."""

import configparser
import re
from pathlib import Path

from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
PRODUCTION = Path(settings.BASE_DIR) / "wuye" / "settings" / "production.py"


def _env_example() -> dict[str, str]:
    out = {}
    for line in (DEPLOY / "wuye.env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert "=" in line, f"not KEY=value: {line!r}"
            key, value = line.split("=", 1)
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), key
            out[key] = value
    return out


def test_the_env_example_sets_every_variable_production_requires():
    required = set(re.findall(r'_required\(\s*"([A-Z0-9_]+)"', PRODUCTION.read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "WUYE_AUDIT_KEY"} <= required
    env = _env_example()
    assert required - set(env) == set(), "deploy/wuye.env.example lacks these"
    assert env["DJANGO_SETTINGS_MODULE"] == "wuye.settings.production"


def test_the_env_example_names_only_variables_the_application_or_the_units_read():
    source = "\n".join(p.read_text() for p in (Path(settings.BASE_DIR) / "wuye" / "settings").glob("*.py"))
    units = "\n".join(p.read_text() for p in (DEPLOY / "systemd").iterdir())
    known = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', source)) | set(re.findall(r"\$\{([A-Z0-9_]+)\}", units))
    # Django's own; the task queue's switch; the replica, pgbouncer and object-storage switches (issue 19)
    known |= {"DJANGO_SETTINGS_MODULE", "WUYE_JOBS", "DATABASE_REPLICA_URL", "DB_PGBOUNCER", "WUYE_STORAGE"}
    known.add("WUYE_LEAD_HOOKS")  # required by the releases before the task queue, ignored after it
    text = (DEPLOY / "wuye.env.example").read_text()
    named = set(_env_example()) | set(re.findall(r"^#([A-Z][A-Z0-9_]+)=", text, re.M))
    assert named - known == set(), "unknown to the settings and the units"


def test_nginx_takes_the_largest_upload_and_keeps_media_private():
    from wuye.intake.photos import MAX_PHOTOS, PHOTO_MAX_BYTES

    conf = (DEPLOY / "nginx" / "wuye.conf").read_text()
    assert conf.count("{") == conf.count("}")
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size and int(size.group(1)) * 1024 * 1024 >= MAX_PHOTOS * PHOTO_MAX_BYTES
    assert int(size.group(1)) * 1024 * 1024 >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert "proxy_request_buffering on;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert re.search(r"location /media/ \{\s*return 404;", conf)
    assert re.search(r"location /static/ \{\s*alias [^;]+/staticfiles/;", conf)
    assert re.search(r"listen 80;[^}]*\}[^}]*location / \{ return 301 https://", conf)


def test_pgbouncer_is_in_transaction_mode_and_the_userlist_holds_no_password():
    ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
    ini.read(DEPLOY / "pgbouncer" / "pgbouncer.ini")
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert ini["pgbouncer"]["auth_type"] == "scram-sha-256"
    assert "wuye" in ini["databases"]
    assert "SCRAM-SHA-256$" in (DEPLOY / "pgbouncer" / "userlist.txt.example").read_text()


def test_the_systemd_units_parse_and_the_worker_bypasses_pgbouncer():
    for path in (DEPLOY / "systemd").iterdir():
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str  # type: ignore[assignment,method-assign]
        unit.read_string(path.read_text().replace("\\\n", " "))
        assert "Unit" in unit, path.name
        if path.suffix == ".service":
            assert unit["Service"]["EnvironmentFile"] == "/etc/wuye/wuye.env"
            assert unit["Service"]["Restart"] == "always"
    web = (DEPLOY / "systemd" / "wuye-web.service").read_text()
    assert "gunicorn wuye.wsgi:application" in web and "--bind unix:/run/wuye/gunicorn.sock" in web
    worker = (DEPLOY / "systemd" / "wuye-worker@.service").read_text()
    assert "DATABASE_URL=${WUYE_WORKER_DATABASE_URL}" in worker
    assert "manage.py procrastinate worker" in worker
    assert "/run/wuye/gunicorn.sock" in (DEPLOY / "nginx" / "wuye.conf").read_text()


def test_the_stack_scripts_are_executable_and_never_touch_the_main_cluster():
    up = (DEPLOY / "up.sh").read_text()
    for name in ("up.sh", "down.sh"):
        assert (DEPLOY / name).stat().st_mode & 0o111, name
    assert "pg_createcluster" in up and "wuyestack" in up
    for script in (up, (DEPLOY / "down.sh").read_text()):
        assert not re.search(r"pg_ctlcluster\s+\S+\s+main|--port\s+5432|-p\s+5432", script)
