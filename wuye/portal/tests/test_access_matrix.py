"""Who gets what, for every route of the URL configuration, as every role and as the public.

The routes are enumerated from the resolver (`get_resolver()` walk), so a new view is covered without anyone
remembering to: a route missing from EXPECTED fails the test until its answers are declared. The objects in the URLs
belong to another company's and another estate's scope than the scoped roles' own (estate ZS0002 of the demo county,
served by company2; `company` serves ZS0001 and ZS0004, `committee` and the owner live in ZS0001), so the company
user, the committee member and the owner must not get them. Voting objects exist in ZS0001 only. GET requests only:
the writes are proven by each app's own tests; here, who may reach the page.

Answers: 2 = 200, R = redirect (not to a login page), L = redirect to the login page, 3 = 403, 4 = 404, 5 = 405.
Columns: anonymous, bureau_admin, task_force, city_viewer, company_staff, committee_member, owner.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from wuye.accounts.models import Role, User

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "bureau_admin",
    "task_force",
    "city_viewer",
    "company_staff",
    "committee_member",
    "owner",
)
LOGINS = {
    "bureau_admin": "admin",
    "task_force": "zhongchu",
    "city_viewer": "city",
    "company_staff": "company",
    "committee_member": "committee",
}
LOGIN_PAGES = ("/accounts/login/", "/accounts/owner/", "/admin/login/")
# another company's (company2) and another estate's: out of scope for company, committee and owner
FOREIGN = "ZS0002"

# route → answers per role, in ROLES order (see the module docstring)
EXPECTED: dict[str, str] = {
    #                                  anon admin tf city company committee owner
    "portal:home": "2 2 2 2 2 2 2",
    "accounts:login": "2 R R R R R R",
    "accounts:logout": "5 5 5 5 5 5 5",
    "accounts:owner_login": "2 2 2 2 2 2 2",
    "accounts:login_code": "L L L L L L L",
    "accounts:second_factor": "L 2 2 2 2 2 L",
    "registry:estate_list": "L 2 2 2 2 2 3",
    "registry:estate_create": "L 2 2 3 3 3 3",
    "registry:estate_detail": "L 2 2 2 4 4 3",
    "registry:estate_units": "L 2 2 2 4 4 3",
    "registry:unit_voter": "L R R 3 3 4 3",
    "registry:estate_edit": "L 2 2 3 3 3 3",
    "registry:contract_create": "L 2 2 3 3 3 3",
    "registry:committee_edit": "L 2 2 3 3 3 3",
    "registry:contract_end": "L 2 2 3 3 3 3",
    "registry:company_list": "L 2 2 2 2 3 3",
    "registry:company_create": "L 2 2 3 3 3 3",
    "registry:company_detail": "L 2 2 2 4 3 3",
    "registry:company_edit": "L 2 2 3 3 3 3",
    "registry:import": "L 2 2 3 3 3 3",
    "cases:list": "L 2 2 2 2 2 3",
    "cases:export": "L 2 2 2 2 2 3",
    "cases:create": "L 2 2 3 3 3 3",
    "cases:revisit": "L 2 2 3 3 3 3",
    "cases:revisit_batch": "L 2 2 3 3 3 3",
    "cases:revisit_record": "5 5 5 5 5 5 5",
    "cases:attachment": "L 2 2 2 4 4 3",
    "cases:detail": "L 2 2 2 4 4 3",
    "cases:split": "5 5 5 5 5 5 5",
    "cases:act": "L 3 3 3 4 4 3",
    "intake:qr_form": "2 2 2 2 2 2 2",
    "intake:qr_join": "5 5 5 5 5 5 5",
    "intake:qr_poster": "2 2 2 2 2 2 2",
    "intake:track": "2 2 2 2 2 2 2",
    "intake:track_code": "2 2 2 2 2 2 2",
    "intake:track_rate": "5 5 5 5 5 5 5",
    "intake:track_not_fixed": "5 5 5 5 5 5 5",
    "intake:desk": "L 2 2 3 3 3 3",
    "intake:import_12345": "L 2 2 3 3 3 3",
    "intake:confirm_estates": "L 2 2 3 3 3 3",
    "intake:posters": "L 2 2 3 3 3 3",
    "intake:town_posters": "L 2 2 3 3 3 3",
    "intake:survey": "2 2 2 2 2 2 2",
    "intake:inspections": "L 2 2 3 3 3 3",
    "intake:inspection_new": "L 2 2 3 3 3 3",
    "intake:inspection_detail": "L 2 2 3 3 3 3",
    "intake:lead_photo": "L 4 4 4 4 3 3",
    "intake:questionnaire_results": "L 2 2 2 3 3 3",
    "intake:open311:discovery": "2 2 2 2 2 2 2",
    "intake:open311:services": "2 2 2 2 2 2 2",
    "intake:open311:service": "2 2 2 2 2 2 2",
    "intake:open311:requests": "2 2 2 2 2 2 2",
    "intake:open311:request": "2 2 2 2 2 2 2",
    "intake:open311:token": "2 2 2 2 2 2 2",
    "triage:queue": "L 2 2 3 3 3 3",
    "triage:decide": "5 5 5 5 5 5 5",
    "revenue:home": "L 2 2 2 2 R 3",
    "revenue:compliance": "L 2 2 2 3 3 3",
    "revenue:compliance_export": "L 2 2 2 3 3 3",
    "revenue:fund_county": "L 2 2 2 3 3 3",
    "revenue:estate": "L 2 2 2 4 4 3",
    "revenue:account_open": "L 2 2 3 4 4 3",
    "revenue:account_status": "L 2 2 3 3 3 3",
    "revenue:entry_create": "L 3 3 3 4 3 3",
    "revenue:resolution_create": "L 2 2 3 3 4 3",
    "revenue:contract_create": "L 2 2 3 4 4 3",
    "revenue:business_create": "L 2 2 3 3 4 3",
    "revenue:disclosure_publish": "L 3 3 3 4 3 3",
    "revenue:disclosure": "L 2 2 2 4 4 3",
    "revenue:fund_estate": "L 2 2 2 4 4 3",
    "revenue:entry_reverse": "L 2 2 3 4 3 3",
    "revenue:entry_vouchers": "L 3 3 3 4 3 3",
    "revenue:comment_add": "5 5 5 5 5 5 5",
    "revenue:objection_answer": "5 5 5 5 5 5 5",
    "revenue:voucher": "4 4 4 4 4 4 4",
    "revenue:public": "2 2 2 2 2 2 2",
    "revenue:public_qr": "2 2 2 2 2 2 2",
    "revenue:public_pdf": "2 2 2 2 2 2 2",
    "revenue:public_statement": "2 2 2 2 2 2 2",
    "revenue:public_objection": "5 5 5 5 5 5 5",
    "voting:home": "L 2 2 3 3 2 2",
    "voting:create": "L 2 2 3 3 2 3",
    "voting:detail": "L 2 2 3 3 2 2",
    "voting:motion_add": "5 5 5 5 5 5 5",
    "voting:motion_remove": "5 5 5 5 5 5 5",
    "voting:document_add": "5 5 5 5 5 5 5",
    "voting:document": "L 4 4 3 3 4 4",
    "voting:action": "5 5 5 5 5 5 5",
    "voting:vote": "L 3 3 3 3 3 R",
    "voting:receipt": "L 3 3 3 3 3 2",
    "voting:paper": "L 2 2 3 3 2 3",
    "voting:paper_scan": "L 2 2 3 3 2 3",
    "voting:dashboard": "L 2 2 3 3 2 3",
    "voting:electorate": "L 2 2 3 3 2 2",
    "voting:result": "2 2 2 2 2 2 2",
    "voting:ballots_json": "L 2 2 4 4 2 2",
    "voting:objection_raise": "5 5 5 5 5 5 5",
    "voting:objection_answer": "5 5 5 5 5 5 5",
    "audit:checkpoints": "2 2 2 2 2 2 2",
    "audit:checkpoints_json": "2 2 2 2 2 2 2",
    "api-estates": "3 2 2 2 2 2 3",
    "api-cases": "3 2 2 2 2 2 3",
    "api-case": "3 2 2 2 4 4 3",
    "api-case-transition": "3 2 2 2 4 4 3",
    "triage-suggest": "3 5 5 3 3 3 3",
    "revenue-api-statement": "2 2 2 2 2 2 2",
    "revenue-api-compliance": "3 2 2 2 3 3 3",
    "voting-api-assemblies": "3 2 2 3 3 2 2",
    "voting-api-participation": "3 2 2 3 3 2 3",
    "voting-api-result": "2 2 2 2 2 2 2",
    "api-schema": "2 2 2 2 2 2 2",
    "api-docs": "2 2 2 2 2 2 2",
    "health": "2 2 2 2 2 2 2",
    "portal:report": "2 2 2 2 2 2 2",
    "portal:estates": "2 2 2 2 2 2 2",
    "portal:estate": "2 2 2 2 2 2 2",
    "portal:favicon": "R R R R R R R",
    "notify:inbox": "L 2 2 2 2 2 2",
    "notify:mark_read": "L 5 5 5 5 5 5",
    "credit:public_list": "2 2 2 2 2 2 2",
    "credit:company_public": "2 2 2 2 2 2 2",
    "credit:red_black": "2 2 2 2 2 2 2",
    "credit:exposure": "2 2 2 2 2 2 2",
    "credit:exposure_feed": "2 2 2 2 2 2 2",
    "credit:notices_public": "2 2 2 2 2 2 2",
    "credit:notice_public": "2 2 2 2 2 2 2",
    "credit:notice_pdf": "2 2 2 2 2 2 2",
    "credit:bureau": "L 2 2 2 3 3 3",
    "credit:dossier": "L 2 2 2 4 3 3",
    "credit:rules": "L 2 2 2 3 3 3",
    "credit:record_new": "L 2 2 3 3 3 3",
    "credit:honours": "L 2 2 2 3 3 3",
    "credit:joint_export": "L 2 2 2 3 3 3",
    "credit:objections": "L 2 2 2 2 3 3",
    "credit:objection_decide": "L 2 2 3 3 3 3",
    "credit:objection_evidence": "L 4 4 4 4 3 3",
    "credit:objection_new": "L 3 3 3 4 3 3",
    "credit:notices": "L 2 2 3 3 3 3",
    "credit:notice_new": "L 2 2 3 3 3 3",
    "credit:notice_preview": "L 2 2 3 3 3 3",
    "credit:notice_edit": "L 2 2 3 3 3 3",
    "credit:notice_publish": "5 5 5 5 5 5 5",
    "accounts:enrol_link": "4 4 4 4 4 4 4",
    "accounts:api_tokens": "L 2 3 3 3 3 3",
    "accounts:api_token_revoke": "L 5 3 3 3 3 3",
    "accounts:enrolment_links": "L 2 3 3 3 3 3",
    "accounts:sms_stats": "L 2 3 3 3 3 3",
    "triage:corrections": "L 2 3 3 3 3 3",
    "triage:correction_review": "5 5 5 5 5 5 5",
    "assets:elevator_county": "L 2 2 2 3 3 3",
    "assets:elevator_import": "L 2 2 3 3 3 3",
    "assets:elevator": "L 2 2 2 4 4 3",
    "assets:estate": "L 2 2 2 4 4 3",
    "assets:fund_use_create": "L 2 2 3 4 4 3",
    "assets:parking": "L 2 2 2 4 4 3",
    "assets:parking_space": "L 2 2 3 4 3 3",
    "assets:parking_import": "L 2 2 3 4 3 3",
    "assets:fund_use": "L 2 2 2 4 4 3",
    "assets:handovers": "L 2 2 2 2 2 3",
    "assets:handover": "L 4 4 4 4 4 3",
    "assets-api-elevators": "3 2 2 2 2 2 3",
    "assets-api-county": "3 2 2 2 3 3 3",
    "assets-api-maintenance": "3 5 5 5 5 5 3",
    "assets-api-handovers": "3 2 2 2 2 2 3",
    "duties:home": "L 2 2 2 2 3 3",
    "duties:company": "L 2 2 2 4 3 3",
    "duties:import": "L 3 3 3 2 3 3",
    "duties:estate": "L 2 2 2 4 3 3",
    "duties:record_create": "L 3 3 3 4 3 3",
    "duties:record_resolve": "L 3 3 3 4 3 3",
    "duties-api-readiness": "3 2 2 2 2 3 3",
    "duties-api-public": "2 2 2 2 2 2 2",
    "oversight:progress": "2 2 2 2 2 2 2",
    "oversight:reports": "L 2 2 2 2 3 3",
    "oversight:report_open": "5 5 5 5 5 5 5",
    "oversight:report": "L 2 2 2 4 3 3",
    "oversight:report_attachment": "L 4 4 4 4 3 3",
    "oversight:city_report": "L 2 2 2 3 3 3",
    "oversight:city_report_xlsx": "L 2 2 2 3 3 3",
    "oversight:city_report_pdf": "L 2 2 2 3 3 3",
    "oversight:dashboard": "L 2 2 2 3 3 3",
    "oversight:dashboard_export": "L 2 2 2 3 3 3",
}


def walk(resolver=None, prefix="", namespace=""):
    """Every (route key, pattern string) below the root URLconf; the admin's own routes come back under 'admin:'."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}{p.namespace}:"
            yield from walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else prefix + str(p.pattern)), prefix + str(p.pattern), p


# --- the objects the URLs name -----------------------------------------------------------------------------------


def _pk(scoped, model, default=999999):
    """The first object in the foreign scope, else the first anywhere (the demo has none there), else a miss."""
    obj = scoped.order_by("pk").first() or model.objects.order_by("pk").first()
    return obj.pk if obj is not None else default


def objects() -> dict:
    from wuye.assets.models import Elevator, FundUse, Handover
    from wuye.cases.models import Case, CaseAttachment, Revisit, RevisitBatch
    from wuye.intake.models import Inspection, Lead, LeadAttachment
    from wuye.oversight.models import MonthlyReport, MonthlyReportAttachment
    from wuye.registry.models import Estate, ServiceContract, Unit
    from wuye.revenue.models import Disclosure, Entry, EntryVoucher
    from wuye.revenue.models import Objection as RevenueObjection
    from wuye.voting.models import Assembly, Ballot, Motion, MotionDocument
    from wuye.voting.models import Objection as VotingObjection

    estate = Estate.objects.get(code=FOREIGN)
    case = Case.objects.filter(estate=estate).order_by("pk").first()
    lead = Lead.objects.filter(estate=estate).order_by("pk").first() or Lead.objects.order_by("pk").first()
    assembly = Assembly.objects.filter(status="published").order_by("pk").first() or Assembly.objects.first()
    ballot = Ballot.objects.filter(assembly=assembly, channel="paper").order_by("pk").first()
    from wuye.credit.models import CreditEvent, CreditObjection, Notice
    from wuye.credit.selectors import last_quarters

    foreign_company = ServiceContract.objects.filter(estate=estate).order_by("pk").first().company
    notice = Notice.objects.filter(status="published").order_by("pk").first()
    return {
        "credit_code": foreign_company.credit_code,
        "credit_event": _pk(CreditEvent.objects.filter(company=foreign_company), CreditEvent),
        "credit_objection": _pk(CreditObjection.objects.all(), CreditObjection),
        "notice": notice.pk,
        "notice_year": notice.year,
        "notice_seq": notice.seq,
        "quarter": last_quarters()[0],
        "estate": estate,
        "case": case,
        "lead": lead,
        "assembly": assembly,
        "unit": _pk(Unit.objects.filter(building__estate=estate), Unit),
        "contract": _pk(ServiceContract.objects.filter(estate=estate), ServiceContract),
        "contract_company": ServiceContract.objects.filter(estate=estate).order_by("pk").first().company_id,
        "revisit_batch": _pk(RevisitBatch.objects.all(), RevisitBatch),
        "revisit": _pk(Revisit.objects.filter(case__estate=estate), Revisit),
        "attachment": _pk(CaseAttachment.objects.filter(case__estate=estate), CaseAttachment),
        "inspection": _pk(Inspection.objects.filter(estate=estate), Inspection),
        "lead_photo": _pk(LeadAttachment.objects.filter(lead__estate=estate), LeadAttachment),
        "entry": _pk(Entry.objects.filter(account__estate=estate), Entry),
        "voucher": _pk(EntryVoucher.objects.filter(entry__account__estate=estate), EntryVoucher),
        "disclosure": Disclosure.objects.filter(account__estate=estate).order_by("pk").first(),
        "revenue_objection": _pk(
            RevenueObjection.objects.filter(disclosure__account__estate=estate), RevenueObjection
        ),
        "motion": _pk(Motion.objects.filter(assembly=assembly), Motion),
        "document": _pk(MotionDocument.objects.filter(motion__assembly=assembly), MotionDocument),
        "receipt": ballot.receipt if ballot else "NONE",
        "voting_objection": _pk(VotingObjection.objects.filter(assembly=assembly), VotingObjection),
        "elevator": _pk(Elevator.objects.filter(estate=estate), Elevator),
        "fund_use": _pk(FundUse.objects.filter(estate=estate), FundUse),
        "handover": _pk(Handover.objects.filter(estate=estate), Handover),
        "monthly_report": _pk(MonthlyReport.objects.filter(estate=estate), MonthlyReport),
        "monthly_report_attachment": _pk(
            MonthlyReportAttachment.objects.filter(report__estate=estate), MonthlyReportAttachment
        ),
    }


PK_OF = {
    "registry:contract_end": "contract",
    "registry:company_detail": "contract_company",
    "registry:company_edit": "contract_company",
    "duties:company": "contract_company",
    "cases:revisit_batch": "revisit_batch",
    "cases:revisit_record": "revisit",
    "cases:attachment": "attachment",
    "intake:inspection_detail": "inspection",
    "intake:lead_photo": "lead_photo",
    "revenue:entry_reverse": "entry",
    "revenue:entry_vouchers": "entry",
    "revenue:voucher": "voucher",
    "revenue:objection_answer": "revenue_objection",
    "credit:objection_decide": "credit_objection",
    "credit:objection_evidence": "credit_objection",
    "credit:objection_new": "credit_event",
    "credit:notice_preview": "notice",
    "credit:notice_edit": "notice",
    "credit:notice_publish": "notice",
    "assets:elevator": "elevator",
    "assets-api-maintenance": "elevator",
    "assets:fund_use": "fund_use",
    "assets:handover": "handover",
    "oversight:report": "monthly_report",
    "oversight:report_attachment": "monthly_report_attachment",
}


def kwargs_for(key: str, names: list[str], o: dict) -> dict:
    out = {}
    for name in names:
        if name == "pk":
            if key in PK_OF:
                value = o[PK_OF[key]]
            elif key == "revenue:comment_add":
                value = o["disclosure"].pk
            elif key == "triage:decide":
                value = o["lead"].pk
            else:  # voting pages and API
                value = o["assembly"].pk
        elif name == "code":
            if key.startswith("intake:track"):
                value = o["lead"].tracking_code
            elif key == "intake:open311:service":
                value = "1.1"
            else:
                value = o["estate"].code
        else:
            value = {
                "number": lambda: o["case"].number,
                "unit_id": lambda: o["unit"],
                "lead_pk": lambda: o["lead"].pk,
                "op": lambda: "verify",
                "town_code": lambda: o["estate"].town.code,
                "period": lambda: o["disclosure"].period_key,
                "receipt": lambda: o["receipt"],
                "motion_pk": lambda: o["motion"],
                "doc_pk": lambda: o["document"],
                "objection_pk": lambda: o["voting_objection"],
                "credit_code": lambda: o["credit_code"],
                "quarter": lambda: o["quarter"],
                "year": lambda: o["notice_year"],
                "seq": lambda: o["notice_seq"],
                "action": lambda: "close",
                "kind": lambda: "supply",
                "fmt": lambda: "json",
                "request_id": lambda: o["lead"].pk,
                "token": lambda: o["lead"].tracking_code,
                # the admin's routes (no object needed: the login redirect comes first)
                "object_id": lambda: "1",
                "app_label": lambda: "audit",
                "content_type_id": lambda: "1",
                "id": lambda: "1",
                "url": lambda: "nowhere/",
            }[name]()
        out[name] = str(value)
    return out


# --- asking ------------------------------------------------------------------------------------------------------


def answer(resp) -> str:
    code = resp.status_code
    if code in (301, 302):
        where = resp["Location"]
        return "L" if any(login in where for login in LOGIN_PAGES) else "R"
    return {200: "2", 403: "3", 404: "4", 405: "5"}.get(code, str(code))


def clients() -> dict[str, Client]:
    out = {"anonymous": Client()}
    users = {role: User.objects.get(username=name) for role, name in LOGINS.items()}
    users["owner"] = User.objects.filter(role=Role.OWNER).order_by("pk").first()
    for role, user in users.items():
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        out[role] = c
    return out


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo county for the module's tests (each test still runs in its own rolled-back transaction); emptied
    afterwards, as a transactional test leaves the database. Returns where its uploads are."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        call_command("demo", "--seed", "1", "--scale", "0.05", "--quiet-logins", stdout=StringIO())
    yield media
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def county(demo_county, settings):
    settings.MEDIA_ROOT = demo_county


def _routes():
    for key, pattern, p in walk():
        if key.startswith("admin:") or pattern.startswith("admin/"):
            continue
        yield key, pattern, p


def test_every_route_answers_each_role_as_declared(county):
    o, cs = objects(), clients()
    observed, problems = {}, []
    for key, pattern, p in _routes():
        if not p.name:
            problems.append(f"{pattern}: an unnamed route cannot be declared; give it a name")
            continue
        url = reverse(key, kwargs=kwargs_for(key, list(p.pattern.regex.groupindex), o))
        got = " ".join(answer(cs[role].get(url)) for role in ROLES)
        observed[key] = got
        if key not in EXPECTED:
            problems.append(f"{key} ({url}) has no declared answers; observed: {got}")
        elif EXPECTED[key] != got:
            problems.append(f"{key} ({url}): declared {EXPECTED[key]}, observed {got}")
    problems += [f"{key} is declared but no longer routed" for key in set(EXPECTED) - set(observed)]
    table = "\n".join(f'    "{k}": "{v}",' for k, v in observed.items())
    assert not problems, "\n".join(problems) + "\n\nobserved table:\n" + table


ADMIN_OPEN = {"admin:login": "2", "admin:logout": "R"}  # the admin's login form, and logging out of nothing


def test_no_role_but_the_office_head_reaches_the_admin(county):
    """Every admin route (the walk finds them all) sends the public and every non-admin role to the admin login."""
    cs = clients()
    admin_routes = [
        (k, p) for k, pattern, p in walk() if k.startswith("admin:") or pattern.startswith("admin/")
    ]
    assert len(admin_routes) > 50
    leaks = []
    for key, p in admin_routes:
        names = list(p.pattern.regex.groupindex)
        url = reverse(key, kwargs=kwargs_for(key, names, {})) if p.name else "/admin/nowhere/"
        for role in ROLES:
            if role == "bureau_admin":
                continue
            got = answer(cs[role].get(url))
            if got != ADMIN_OPEN.get(key, "L"):
                leaks.append(f"{role} {url}: {got}")
    assert not leaks, "\n".join(leaks)
    admin = cs["bureau_admin"]
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/admin/audit/auditentry/").status_code == 200
    assert (
        admin.get("/admin/audit/auditcheckpoint/add/").status_code == 403
    )  # checkpoints are never hand-made


def test_company_staff_see_their_own_estate_and_case_but_not_another_company_s(county):
    from wuye.cases.models import Case

    cs = clients()
    company = cs["company_staff"]
    own = Case.objects.filter(estate__code="ZS0001").order_by("pk").first()
    foreign = Case.objects.filter(estate__code=FOREIGN).order_by("pk").first()
    assert company.get("/registry/estates/ZS0001/").status_code == 200
    assert company.get(f"/registry/estates/{FOREIGN}/").status_code == 404
    assert company.get(f"/cases/{own.number}/").status_code == 200
    assert company.get(f"/cases/{foreign.number}/").status_code == 404
    assert company.get(f"/api/v1/cases/{own.number}/").status_code == 200
    assert company.get(f"/api/v1/cases/{foreign.number}/").status_code == 404
    committee = cs["committee_member"]
    assert committee.get("/revenue/estates/ZS0001/").status_code == 200
    assert committee.get(f"/revenue/estates/{FOREIGN}/").status_code == 404


# --- many counties (issue #19, item 3) ----------------------------------------------------------------------------


def _county_clients():
    """A second county in the demo county's city (昭平县: its office head and task force), a city viewer of another
    city and the province viewer, logged in."""
    from wuye.accounts.models import User
    from wuye.portal import demo_counties
    from wuye.registry.models import City
    from wuye.testing import make_user

    demo_counties.build(counties=2, seed=1, out=StringIO())
    other_city = City.objects.create(code="450300", name="桂林市")
    users = {
        "tf_b": User.objects.get(username="tf2"),
        "admin_b": User.objects.get(username="admin2"),
        "province": User.objects.get(username="province"),
        "city_other": make_user(Role.CITY_VIEWER, city_id=other_city.pk),
    }
    out = clients()
    for name, user in users.items():
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        out[name] = c
    return out


# one for the deployment, deliberately: the credit notices (red and black lists) are the province's register
SHARED_ACROSS_COUNTIES = {"credit:notice_preview", "credit:notice_edit"}


def test_a_bureau_of_another_county_gets_404_on_this_county_s_records(county):
    """The task force and office head of county B (昭平县) ask for county A's (钟山县) estate, case, lead, account,
    assembly and API rows: 404 (or the role's own refusal), never the page. Every route naming an object of A is
    tried, not a chosen few."""
    o, cs = objects(), _county_clients()
    leaks = []
    for key, _pattern, p in _routes():
        names = list(p.pattern.regex.groupindex)
        if not p.name or not names or key in SHARED_ACROSS_COUNTIES:
            continue
        url = reverse(key, kwargs=kwargs_for(key, names, o))
        if answer(cs["anonymous"].get(url)) == "2":
            continue  # a public page (the estate's poster, the tracking page, the published result)
        for who in ("tf_b", "admin_b"):
            got = answer(cs[who].get(url))
            if got not in ("3", "4", "5"):
                leaks.append(f"{who} {key} ({url}): {got}")
    assert not leaks, "\n".join(leaks)
    tf_b = cs["tf_b"]
    estate, case, lead, assembly = o["estate"], o["case"], o["lead"], o["assembly"]
    assert tf_b.get(f"/registry/estates/{estate.code}/").status_code == 404
    assert tf_b.get(f"/cases/{case.number}/").status_code == 404
    assert tf_b.get(f"/api/v1/cases/{case.number}/").status_code == 404
    assert tf_b.get(f"/revenue/estates/{estate.code}/").status_code == 404
    assert tf_b.get(reverse("voting:detail", kwargs={"pk": assembly.pk})).status_code == 404
    assert tf_b.get(reverse("triage:queue")).status_code == 200
    assert lead.tracking_code not in tf_b.get(reverse("triage:queue")).content.decode()
    rows = tf_b.get("/api/v1/registry/estates/").json()
    codes = {r["code"] for r in (rows["results"] if isinstance(rows, dict) else rows)}
    assert codes and all(c.startswith("ZP") for c in codes)
    own = tf_b.get("/cases/").content.decode()
    assert "ZP20" in own and case.number not in own


def test_city_viewers_see_their_city_and_the_province_sees_all_but_writes_nothing(county):
    o, cs = objects(), _county_clients()
    estate, case = o["estate"], o["case"]
    # the demo's city viewer: 钟山县 and 昭平县 are both in 贺州市
    assert cs["city_viewer"].get(f"/registry/estates/{estate.code}/").status_code == 200
    assert cs["city_viewer"].get("/registry/estates/ZP0001/").status_code == 200
    # a city viewer of 桂林市 sees neither
    assert cs["city_other"].get(f"/registry/estates/{estate.code}/").status_code == 404
    assert cs["city_other"].get(f"/cases/{case.number}/").status_code == 404
    assert cs["city_other"].get("/registry/estates/ZP0001/").status_code == 404
    # the province viewer reads every county, like a city viewer of all of them: same answer on every route
    province, city = cs["province"], cs["city_viewer"]
    differ = []
    for key, _pattern, p in _routes():
        if not p.name or key.startswith("accounts:"):
            continue
        url = reverse(key, kwargs=kwargs_for(key, list(p.pattern.regex.groupindex), o))
        got, want = answer(province.get(url)), answer(city.get(url))
        if got != want:
            differ.append(f"GET {key} ({url}): province {got}, city {want}")
    assert not differ, "\n".join(differ)
    assert province.get("/registry/estates/ZP0001/").status_code == 200
    assert province.get(f"/cases/{case.number}/").status_code == 200
    # and writes nothing: every staff write answers 403 (or 404/405) to the province viewer
    writes = {
        "registry:estate_create": {},
        "registry:estate_edit": {"code": estate.code},
        "registry:company_create": {},
        "cases:create": {},
        "cases:act": {"number": case.number, "op": "verify"},
        "intake:desk": {},
        "revenue:account_open": {"code": estate.code},
        "voting:create": {},
    }
    for key, kwargs in writes.items():
        got = answer(province.post(reverse(key, kwargs=kwargs), {}))
        assert got in ("3", "4", "5"), f"POST {key}: {got}"


def test_with_two_counties_the_admin_is_the_operator_s_alone(county):
    """The admin lists every county's rows unfiltered: once a second county exists, neither county's office head
    enters it (sent to the admin login, like every other role); the operator — a superuser with no county — does."""
    from wuye.accounts.models import User

    cs = _county_clients()
    for who in ("bureau_admin", "admin_b"):
        assert answer(cs[who].get("/admin/")) == "L", who
        assert answer(cs[who].get("/admin/registry/owner/")) == "L", who
    operator = User.objects.create_superuser("operator", password="x" * 16)
    c = Client()
    c.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    assert c.get("/admin/").status_code == 200
    assert c.get("/admin/registry/county/").status_code == 200
