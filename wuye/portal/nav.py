"""Navigation per role. Entries whose URL is not (yet) routed are left out, so apps can add pages freely."""

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from wuye.accounts.models import Role

B, T, C, S, M, OW = (
    Role.BUREAU_ADMIN,
    Role.TASK_FORCE,
    Role.CITY_VIEWER,
    Role.COMPANY_STAFF,
    Role.COMMITTEE_MEMBER,
    Role.OWNER,
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


NAV: tuple[NavItem, ...] = (
    NavItem("工作台", "portal:home", frozenset({B, T, C, S, M})),
    NavItem("我的主页", "portal:home", frozenset({OW})),
    NavItem("我要反映问题", "portal:report", frozenset({OW})),
    NavItem("线索分拣", "triage:queue", frozenset({B, T})),
    NavItem("整治台账", "cases:list", frozenset({B, T, C, S, M})),
    NavItem("线索录入", "intake:desk", frozenset({B, T})),
    NavItem("12345 导入", "intake:import_12345", frozenset({B, T})),
    NavItem("现场检查", "intake:inspections", frozenset({B, T})),
    NavItem("问卷结果", "intake:questionnaire_results", frozenset({C})),
    NavItem("公共收益", "revenue:home", frozenset({B, T, C, S, M})),
    NavItem("维修资金", "revenue:fund_county", frozenset({B, T, C})),
    NavItem("电梯", "assets:elevator_county", frozenset({B, T, C})),
    NavItem("电梯与移交", "assets:handovers", frozenset({S, M})),
    NavItem("退出移交", "assets:handovers", frozenset({B, T, C})),
    NavItem("履约台账", "duties:home", frozenset({B, T, C, S})),
    NavItem("电子投票", "voting:home", frozenset({B, T, M, OW})),
    NavItem("企业月报", "oversight:reports", frozenset({B, T, C, S})),
    NavItem("数据看板", "oversight:dashboard", frozenset({B, T, C})),
    NavItem("小区档案", "registry:estate_list", frozenset({B, T, C, S, M})),
    NavItem("物业企业", "registry:company_list", frozenset({B, T, C, S})),
    NavItem("企业信用", "credit:bureau", frozenset({B, T, C})),
    NavItem("信用异议", "credit:objections", frozenset({S})),
    NavItem("我的消息", "notify:inbox", frozenset({B, T, C, S, M, OW})),
    NavItem("后台", "admin:index", frozenset({B})),
)

PUBLIC_NAV: tuple[tuple[str, str], ...] = (
    ("首页", "portal:home"),
    ("我要反映问题", "portal:report"),
    ("查询办理进度", "intake:track"),
    ("小区公示", "portal:estates"),
    ("企业信用", "credit:public_list"),
    ("曝光台", "credit:exposure"),
    ("整治进度", "oversight:progress"),
    ("业主登录", "accounts:owner_login"),
    ("工作人员登录", "accounts:login"),
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def nav_for(user: Any) -> list[tuple[str, str]]:  # a User, an AnonymousUser or None
    if not getattr(user, "is_authenticated", False):
        items = [(label, _url(name)) for label, name in PUBLIC_NAV]
    else:
        # the province viewer reads what a city viewer reads, of every county
        role = Role.CITY_VIEWER if user.role == Role.PROVINCE_VIEWER else user.role
        items = [(item.label, _url(item.url_name)) for item in NAV if role in item.roles]
    return [(label, url) for label, url in items if url]
