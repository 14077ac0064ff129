"""The county's settings: every number (deadlines, thresholds, rates, targets, …) declared once, read through one
accessor.

A deployment overrides a declared key in `settings.WUYE` (the settings modules fill it from the environment); a key
there that is not declared below stops the start-up (`check_county_settings`, run by `CommonConfig.ready`), and
reading an undeclared key raises. The declared default is the only default: readers never repeat it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Setting:
    """One county setting: its key, default, unit and the words a bureau user knows it by."""

    key: str
    default: Any
    unit: str
    label: str
    # a mapping setting: a county overrides some entries (True) or replaces the whole table (False)
    merge: bool = True

    def coerce(self, value: Any) -> Any:
        """The configured value in the default's type (settings from the environment arrive as text)."""
        default = self.default
        if isinstance(default, bool):
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}
            return bool(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, Decimal):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a number") from None
            if not number.is_finite():
                raise ValueError(f"{value!r} is not a finite number")
            return number
        if isinstance(default, tuple):  # a list of addresses, names…: from the environment as "a, b, c"
            items = value.split(",") if isinstance(value, str) else value
            return tuple(str(v).strip() for v in items if str(v).strip())
        if isinstance(default, frozenset):
            return frozenset(int(v) for v in value)
        if isinstance(default, Mapping):
            if not isinstance(value, Mapping):
                raise ValueError(f"{value!r} is not a mapping")
            if not self.merge:
                return dict(value)
            unknown = set(value) - set(default)
            if unknown:
                raise ValueError(f"unknown entries {sorted(unknown)}; declared: {sorted(default)}")
            return {**default, **value}  # a county overrides some entries, the others keep their default
        return str(value)


_DECLARED: tuple[Setting, ...] = (
    # who the county is
    Setting("BUREAU_NAME", "钟山县住房和城乡建设局", "", "主管部门名称"),
    Setting("COUNTY_NAME", "钟山县", "", "县（区）名称"),
    Setting("COUNTY_CODE", "451122", "", "县（区）行政区划代码"),
    Setting("CASE_NUMBER_PREFIX", "ZS", "", "台账编号前缀"),
    # the city of the deployment's first county (many counties: issue #19)
    Setting("CITY_CODE", "451100", "", "市行政区划代码"),
    Setting("CITY_NAME", "贺州市", "", "市名称"),
    # what a province viewer's pages are headed with (they read every county, so no county's bureau name fits)
    Setting("PROVINCE_BUREAU_NAME", "广西壮族自治区住房和城乡建设厅", "", "省级住房城乡建设主管部门名称"),
    Setting("PUBLIC_BASE_URL", "http://127.0.0.1:8000", "", "对外网址（二维码、公示链接）"),
    # how it runs
    Setting("SMS_BACKEND", "wuye.accounts.sms.ConsoleSmsBackend", "", "短信发送方式"),
    # Tencent Cloud SMS (SMS_BACKEND = "wuye.notify.tencent.TencentSmsBackend"): the account from the environment
    Setting("TENCENT_SMS_SECRET_ID", "", "", "腾讯云短信 SecretId"),
    Setting("TENCENT_SMS_SECRET_KEY", "", "", "腾讯云短信 SecretKey"),
    Setting("TENCENT_SMS_SDK_APP_ID", "", "", "腾讯云短信应用 SdkAppId"),
    Setting("TENCENT_SMS_SIGN_NAME", "", "", "腾讯云短信签名"),
    Setting("TENCENT_SMS_TEMPLATE_ID", "", "", "腾讯云短信通知模板 ID（一个变量，即消息正文）"),
    Setting("TENCENT_SMS_REGION", "ap-guangzhou", "", "腾讯云短信地域"),
    Setting("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com", "", "腾讯云短信接口域名"),
    Setting("TENCENT_SMS_SCHEME", "https", "", "腾讯云短信接口协议"),
    Setting("TENCENT_SMS_TIMEOUT_SECONDS", 10, "秒", "腾讯云短信接口超时"),
    # background jobs (lead hooks, SMS): "inline" after the commit in this process (SQLite, `make run`, tests),
    # "procrastinate" as rows of the PostgreSQL job queue run by `manage.py procrastinate worker` (production)
    Setting("JOBS", "inline", "", "后台任务的运行方式"),
    # §13: bureau staff log in with a password and a TOTP code (on in production)
    Setting("REQUIRE_BUREAU_2FA", False, "", "专班人员必须使用动态口令"),
    Setting("OTP_TTL_SECONDS", 300, "秒", "短信验证码有效期"),
    Setting("OTP_RESEND_SECONDS", 60, "秒", "短信验证码重发间隔"),
    Setting("OTP_MAX_ATTEMPTS", 5, "次", "短信验证码最多尝试次数"),
    # owners' login codes: limits per client and county-wide in the shared cache (trust issue #12)
    Setting("SMS_LIMIT_WINDOW_SECONDS", 3600, "秒", "短信验证码限额的统计时段"),
    Setting("SMS_PER_CLIENT", 10, "次", "每个访问地址在统计时段内可申请的验证码数"),
    Setting("SMS_GLOBAL", 500, "次", "全县在统计时段内可发送的验证码数"),
    # bureau staff's second factor: wrong codes per login session and per account, then a pause
    Setting("TOTP_MAX_FAILURES_SESSION", 5, "次", "每次登录动态口令最多错误次数"),
    Setting("TOTP_MAX_FAILURES_ACCOUNT", 10, "次", "账号连续动态口令错误上限"),
    Setting("TOTP_LOCKOUT_MINUTES", 15, "分钟", "动态口令错误过多后的锁定时间"),
    Setting("ENROLMENT_LINK_HOURS", 72, "小时", "动态口令绑定链接有效期"),
    # uploads: decompression bombs are refused from the headers (wuye.common.uploads)
    Setting("UPLOAD_MAX_PIXELS", 40_000_000, "像素", "上传图片的最大像素数"),
    Setting("XLSX_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024, "字节", "上传表格解压后的最大体积"),
    Setting("XLSX_MAX_RATIO", 100, "倍", "上传表格的最大压缩比"),
    # the reverse proxy in front of the app: only its X-Forwarded-For names the client (wuye.common.clientip)
    Setting("TRUSTED_PROXIES", (), "", "可信反向代理地址"),
    Setting("CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR", "", "代理传递访问地址的请求头"),
    Setting("RETRY_AFTER_SECONDS", 5, "秒", "数据库暂不可用时建议的重试间隔"),
    # the county's complaint hotline and mailbox, shown on every public page
    Setting("HOTLINE", "0774-5551234", "", "投诉举报电话"),
    Setting("MAILBOX", "wuye-jubao@example.cn", "", "投诉举报邮箱"),
    # the web process loads the triage model at start-up (wuye/wsgi.py), so no resident waits for it
    Setting("PRELOAD_TRIAGE", True, "", "启动时加载智能分拣模型"),
    # public endpoints: (requests, seconds) per client and scope
    Setting(
        "INTAKE_RATE_LIMITS",
        {
            "qr_submit": (20, 60),  # submissions of the QR form per client per minute
            "qr_view": (120, 60),
            "track": (60, 60),  # tracking-code look-ups: slows down guessing
            "feedback": (20, 60),
            "open311_read": (120, 60),
            "open311_write": (20, 60),
        },
        "次/秒",
        "公开接口访问频率上限",
    ),
    # registry: a contract still binds its company for this long after its end date (until the handover)
    Setting("CONTRACT_GRACE_DAYS", 30, "天", "物业服务合同到期后的过渡期"),
    # the ledger
    # time limits by tier, as the 12345 hotline counts them (wuye.cases.timelimits: the one rule). A case opened
    # from an urgent lead (困人、燃气、消防…) is urgent. The company signs for (签收) a new case within the sign
    # limit; the handling limit is the default deadline when the task force orders the rectification (or reopens).
    Setting("CASE_URGENT_SIGN_HOURS", 2, "小时", "紧急事项签收（响应）时限"),
    Setting("CASE_SIGN_HOURS", 24, "小时", "一般、复杂事项签收时限"),
    Setting("CASE_URGENT_HANDLE_HOURS", 24, "小时", "紧急事项办理时限"),
    Setting("CASE_HANDLE_DAYS", 7, "天", "一般事项办理时限"),
    Setting("CASE_COMPLEX_HANDLE_DAYS", 15, "天", "复杂事项办理时限"),
    Setting("HANDOVER_DAYS", 30, "天", "物业交接期限"),
    # triage
    Setting(
        "TRIAGE",
        {
            "DUP_THRESHOLD": 0.25,  # minimum score to be shown as a possible duplicate
            "DUP_CATEGORY_BONUS": 0.10,  # added when the case has the category suggested for the new report
            "DUP_MAX_CANDIDATES": 300,  # most recent open cases of the estate considered
            "DUP_LEADS_PER_CASE": 5,  # merged reports of a case whose texts also count
            "ARTIFACT_DIR": "",  # where the model files are; empty: the ones shipped in the repository
        },
        "",
        "智能分拣参数",
    ),
    # §9: departments a non-property complaint (NONE) is transferred to, and the words of their topics; a county
    # replaces the whole table
    Setting(
        "TRIAGE_DEPARTMENTS",
        {
            "县公安局（辖区派出所）": (
                "邻居",
                "噪音",
                "吵",
                "报警",
                "民警",
                "派出所",
                "打架",
                "偷",
                "诈骗",
                "狗",
                "咬人",
                "出租车",
            ),
            "县城市管理和综合执法局": ("城管", "占道", "烧烤", "摊", "油烟", "违建", "废品", "夜市", "渣土"),
            "县住建局（市政）": (
                "市政",
                "人行道",
                "马路",
                "县道",
                "公路",
                "城市道路",
                "路灯",
                "斑马线",
                "窨井",
                "排水渠",
                "路面",
            ),
            "县自然资源局（不动产登记）": ("房产证", "不动产", "办证", "土地证", "产权证", "登记"),
            "县住建局（房地产市场）": ("开发商", "交房", "延期交房", "层高", "违约金", "商品房"),
            "县生态环境局": ("环保", "污染", "排污", "河道", "河水", "粉尘", "KTV", "低音炮", "工地", "打桩"),
            "县市场监督管理局": ("假货", "过期", "退货", "退款", "超市", "商家", "价格", "网购"),
            "县教育局": ("学校", "学区", "划片", "幼儿园", "老师", "上学"),
            "县人力资源和社会保障局": ("工资", "欠薪", "社保", "退休金", "养老金", "劳动"),
            "县卫生健康局": ("医院", "挂号", "医生", "卫生院", "疫苗"),
            "县交通运输局": ("公交", "客运", "车站", "班车"),
            "县水利局": ("水利", "河堤", "水库", "倒垃圾"),
            "供电公司": ("供电", "停电检修", "电线杆", "高压线", "电费", "电表"),
            "自来水公司": ("自来水", "水费", "抄表", "水压"),
            "燃气公司": ("燃气公司", "安检", "停气", "燃气费"),
            "通信运营商": ("宽带", "网络", "信号", "运营商", "光纤"),
            "所在社区居委会": ("社区", "低保", "调解", "租房", "房东", "押金"),
        },
        "",
        "转办部门及其事项关键词",
        merge=False,
    ),
    # R3 public revenue
    Setting(
        "REVENUE_MAX_COST_SHARE", Decimal("0.30"), "比例", "物业企业管理成本分成上限（超过须业主大会决议）"
    ),
    Setting("DISCLOSURE_PERIOD", "quarter", "", "公共收益公示周期（quarter 季度 / month 月）"),
    Setting("DISCLOSURE_GRACE_DAYS", 15, "天", "公示期结束后的公示宽限期"),
    Setting("DISCLOSURE_OBJECTION_DAYS", 30, "天", "业主对公示提出异议的期限"),
    Setting("OBJECTION_ANSWER_DAYS", 10, "天", "物业企业答复异议的期限"),
    # R4 special maintenance fund (county-published)
    Setting("FUND_RATE_YUAN_PER_M2", Decimal("60.00"), "元/㎡", "住宅专项维修资金首期交存标准"),
    # R1 voting: art. 278 items needing three quarters; objection period after the results (询异公示)
    Setting(
        "VOTING_THREE_QUARTER_ITEMS", frozenset({6, 7, 8}), "项", "须四分之三同意的表决事项（民法典第278条）"
    ),
    Setting("VOTING_OBJECTION_DAYS", 7, "天", "表决结果询异公示期"),
    # §10 / R8 credit (the defaults of the first rule version; the office head edits dated versions in the app)
    Setting("CREDIT_RECORD_MONTHS", 12, "月", "信用记录有效期"),
    Setting("CREDIT_BASE_SCORE", 80, "分", "信用基础分"),
    Setting(
        "CREDIT_EVENT_POINTS",
        {
            "interview": -5,
            "penalty": -10,
            "referral": -3,
            "restrict_honours": -5,
            "revenue_finding": -5,
            "revisit_failed": -3,
            "satisfaction_poor": -3,
            "satisfaction_good": 3,
            "closed_early": 1,
            "report_late": -1,
            "report_missing": -2,
            "handover_overdue": -10,
            "commendation": 5,
            "fund_misuse": -20,
            "refuse_to_leave": -20,
            "safety_incident": -20,
        },
        "分",
        "信用事件分值（按事件类型）",
    ),
    Setting("CREDIT_LEVEL_BANDS", {"AAA": 95, "AA": 85, "A": 70}, "分", "信用等级分数线（低于 A 级为 B 级）"),
    Setting(
        "CREDIT_VETO_TYPES", ("fund_misuse", "refuse_to_leave", "safety_incident"), "", "一票否决事件类型"
    ),
    Setting("CREDIT_OBJECTION_DAYS", 15, "天", "企业对信用事件提出异议的期限"),
    Setting("CREDIT_SATISFACTION_MIN", 5, "份", "计入信用的季度满意度最少评价数"),
    Setting("CREDIT_SATISFACTION_GOOD", Decimal("4.50"), "分", "季度满意度良好信息线（1–5 分）"),
    Setting("CREDIT_SATISFACTION_POOR", Decimal("2.50"), "分", "季度满意度不良信息线（1–5 分）"),
    Setting("CREDIT_EARLY_CLOSE_DAYS", 3, "天", "提前完成整改（早于完成时限的天数）"),
    Setting("CREDIT_HONOURS_LEVELS", ("AAA", "AA"), "", "可参加评优评先的信用等级"),
    Setting(
        "CREDIT_LEGAL_BASIS",
        {
            "veto": "《物业管理条例》第五十九条至第六十四条；《广西壮族自治区物业管理条例》相关规定",
            "level": "《物业服务企业信用信息管理办法》（县住建局）信用等级为 B 级的管理措施",
            "restrict_honours": "《物业管理条例》第四十九条；专班督办措施（限制评优评先）",
        },
        "",
        "联合惩戒的依据（按限制原因）",
    ),
    Setting("EXPOSURE_RETENTION_MONTHS", 36, "月", "曝光台信息公开期限"),
    Setting("NOTICE_NUMBER_PREFIX", "钟住建通", "", "通报文号前缀"),
    # the audit trail's parallel chains: concurrent writers spread over them instead of queueing behind one head
    Setting("AUDIT_CHAINS", 16, "条", "审计链并行链数"),
    # issue #18 — a company's standing duties (wuye.duties)
    Setting("DUTIES_DISCLOSURE_MAX_AGE_DAYS", 365, "天", "公示信息超过该天数未更新视为过期"),
    Setting("DUTIES_DRILL_PERIOD_DAYS", 365, "天", "应急演练的最长间隔"),
    Setting("DUTIES_HAZARD_CHECK_DAYS", 90, "天", "公用部位设施设备检查的最长间隔"),
    Setting("DUTIES_FIRE_CHECK_DAYS", 31, "天", "消防设施检查的最长间隔"),
    Setting("DUTIES_FIRE_FIX_DAYS", 3, "天", "消防设施故障、通道堵塞的处置期限"),
    Setting("DUTIES_RENOVATION_ACT_DAYS", 3, "天", "装修违规行为劝阻或报告的期限"),
    Setting(
        "DUTIES_SERVICE_GRADES",
        {
            "一级": (
                ("clean_floor", "清洁", "楼道每日清扫 1 次、每周拖洗 2 次"),
                ("clean_yard", "清洁", "道路、广场每日清扫 2 次，垃圾日产日清"),
                ("green", "绿化", "草坪每月修剪 2 次，无枯死、无杂草"),
                ("guard", "秩序维护", "主出入口 24 小时值守，每日巡逻不少于 4 次"),
                ("equipment", "设施设备", "共用设施设备每月巡检 1 次，消防设施每月检查 1 次"),
                ("response", "报修响应", "急修 30 分钟内到场，一般报修 24 小时内处理"),
            ),
            "二级": (
                ("clean_floor", "清洁", "楼道每 2 日清扫 1 次、每周拖洗 1 次"),
                ("clean_yard", "清洁", "道路、广场每日清扫 1 次，垃圾日产日清"),
                ("green", "绿化", "草坪每月修剪 1 次，无明显杂草"),
                ("guard", "秩序维护", "主出入口 24 小时值守，每日巡逻不少于 2 次"),
                ("equipment", "设施设备", "共用设施设备每季度巡检 1 次，消防设施每月检查 1 次"),
                ("response", "报修响应", "急修 1 小时内到场，一般报修 48 小时内处理"),
            ),
            "三级": (
                ("clean_floor", "清洁", "楼道每周清扫 2 次"),
                ("clean_yard", "清洁", "道路每日清扫 1 次，垃圾每日清运"),
                ("green", "绿化", "草坪每季度修剪 1 次"),
                ("guard", "秩序维护", "主出入口白天值守，每日巡逻不少于 1 次"),
                ("equipment", "设施设备", "共用设施设备每半年巡检 1 次，消防设施每月检查 1 次"),
                ("response", "报修响应", "急修 2 小时内到场，一般报修 72 小时内处理"),
            ),
        },
        "",
        "物业服务等级标准（等级 → 条款：编码、项目、标准）",
        merge=False,
    ),
    # the inspection checklist items (intake checklists.json) that each clause of a service standard covers
    Setting(
        "DUTIES_CHECKLIST_CLAUSES",
        {
            "svc_clean": ("clean_floor", "clean_yard"),
            "svc_green": ("green",),
            "svc_guard": ("guard",),
            "fire_equipment": ("equipment",),
        },
        "",
        "检查表项目对应的服务标准条款",
        merge=False,
    ),
    # Notifications (wuye.notify): SMS waits out the quiet hours; a failed send is retried a few times, never twice sent
    Setting("NOTIFY_QUIET_START", "22:00", "时:分", "短信免打扰开始时间"),
    Setting("NOTIFY_QUIET_END", "08:00", "时:分", "短信免打扰结束时间"),
    Setting("NOTIFY_MAX_ATTEMPTS", 3, "次", "短信发送失败后最多尝试次数"),
    Setting("NOTIFY_RETRY_MINUTES", 5, "分钟", "短信发送失败后的重试间隔"),
    Setting("NOTIFY_STALE_MINUTES", 10, "分钟", "发送结果不明的短信在此时间后记为失败（不重发）"),
    # event -> Chinese template; {placeholders} are filled from the event's context, {link} is the absolute link.
    # A county rewords an entry; a new event adds its entry here.
    Setting(
        "NOTIFY_TEMPLATES",
        {
            # to the complainant who left a phone (tracking code and link, never the company's staff names)
            "case_verified": "您反映的问题（查询码{code}）经核实已立案，正在督促整改。查看进度：{link}",
            "case_rectified": "您反映的问题（查询码{code}）物业企业已报整改完成，待专班验收。查看进度：{link}",
            "case_returned": "您反映的问题（查询码{code}）整改未通过验收，已退回重新整改。查看进度：{link}",
            "case_accepted": "您反映的问题（查询码{code}）已整改验收并销号。如仍未解决，请在此反馈：{link}",
            # to the company's staff
            "company_case_new": "【新事项】{estate}：{title}（{number}），请于{sign_by}前签收；整改时限：{deadline}。{link}",
            "company_deadline_soon": "【即将到期】{estate}：{title}（{number}）将于{deadline}到期，请按时整改。{link}",
            "company_overdue": "【已逾期】{estate}：{title}（{number}）已超过整改时限{deadline}，请立即整改。{link}",
            "company_returned": "【退回整改】{estate}：{title}（{number}）验收未通过：{reason}。{link}",
            "company_reopened": "【重新整改】{estate}：{title}（{number}）已销号事项重新办理：{reason}。新的整改时限：{deadline}。{link}",
            # to owners and committee members
            "assembly_open": "{estate}业主大会表决已开始：{title}，{closes}截止。请登录投票：{link}",
            "assembly_closing": "{estate}业主大会表决将于{closes}截止：{title}。尚未投票的请及时投票：{link}",
            "disclosure_due": "{estate}公共收益{period}收支情况应于{due}前公示，请督促物业企业按时公示。{link}",
            # to the company: the monthly report (issue #15)
            "monthly_report_due_soon": "{company}：{month}整改工作月报应于{due}前报送（{estate}）。{link}",
            "monthly_report_due_today": "{company}：{month}整改工作月报今天（{due}）截止报送（{estate}）。{link}",
            # to the company: the review of its objection to a credit record (issue #16)
            "credit_event_recorded": "{company}：新增信用记录“{event}”。如有异议，请于{deadline}前在平台提出：{link}",
            "credit_objection_decided": "{company}：您对信用记录“{event}”提出的异议已复核，结论：{outcome}。{link}",
            # to the outgoing company: its handover is past the deadline (issue #17)
            "handover_overdue": "【移交逾期】{estate}：移交期限{deadline}已过，尚有{open}项未移交，请立即配合交接。{link}",
        },
        "",
        "消息模板",
    ),
    # Declared for the issues that will read them (nothing reads them yet):
    # R6 elevators — read by the elevator checks of wuye.assets (issue #17, 老旧电梯)
    Setting("OLD_ELEVATOR_YEARS", 15, "年", "老旧电梯的使用年限"),
    Setting("ELEVATOR_MAINTENANCE_DAYS", 15, "天", "电梯维护保养间隔"),
    Setting("ELEVATOR_FAULT_COUNT", 3, "次", "电梯频繁故障的次数（统计期内达到即为紧急线索）"),
    Setting("ELEVATOR_FAULT_WINDOW_DAYS", 30, "天", "电梯频繁故障的统计期"),
    Setting("ELEVATOR_FUNDING_DAYS", 90, "天", "业主表决同意更新后资金应到位的期限"),
    # R5: a contract that ended within this many days opens its handover automatically (older ones are history)
    Setting("HANDOVER_LOOKBACK_DAYS", 365, "天", "合同到期自动开启移交的回溯天数"),
    # issue #17 item 2: let common-part parking spaces' expected rent against the ledger's parking income
    Setting("PARKING_RENT_TOLERANCE_PCT", 10, "%", "共有车位应收租金与公共收益停车收入的允许差额比例"),
    Setting("PARKING_RENT_LOOKBACK_DAYS", 365, "天", "共有车位租金核对的已公示期间回溯天数"),
    # §6 — the companies' monthly reports of issue #15 (月报，每月20日前)
    Setting("MONTHLY_REPORT_DAY", 20, "日", "物业企业月报报送截止日"),
    # the first month companies report on through the platform: months before it owe no report (no lateness, no
    # credit event for the months before the county switched the reports on)
    Setting("MONTHLY_REPORT_FIRST_MONTH", "2026-09", "年-月", "首个须在平台报送月报的月份"),
    Setting("MONTHLY_REPORT_MOVE_TO_WORKDAY", True, "", "月报截止日遇周末或法定节假日顺延至下一个工作日"),
    Setting("MONTHLY_REPORT_REMIND_DAYS", 3, "天", "月报截止前提前提醒的天数"),
    # a CSV of public holidays and make-up working days (date,kind,name); empty: wuye/oversight/data/holidays.csv
    Setting("HOLIDAYS_FILE", "", "", "法定节假日及调休数据文件"),
    # §1 — the party-organisation coverage figure of issue #15
    Setting("PARTY_ORG_TARGET", Decimal("0.85"), "比例", "业委会党组织覆盖率目标"),
)

DECLARED: dict[str, Setting] = {s.key: s for s in _DECLARED}


def _configured() -> Mapping[str, Any]:
    return getattr(settings, "WUYE", {}) or {}


# The keys a county may override in its own settings (County.settings): each is read with the county it applies
# to (`county_setting(key, county)`, or `registry.selectors.estate_setting(key, estate)`), which a convention test
# checks in the source. Everything else is one for the deployment: who a county is lives in its row, and how the
# deployment runs (SMS, uploads, the queue, credit rules shared by the city's companies) is one; an override of
# such a key would be silently ignored, so it is refused.
PER_COUNTY = frozenset(
    {
        # who answers the public
        "BUREAU_NAME",
        "HOTLINE",
        "MAILBOX",
        # the ledger's time limits
        "CASE_URGENT_SIGN_HOURS",
        "CASE_SIGN_HOURS",
        "CASE_URGENT_HANDLE_HOURS",
        "CASE_HANDLE_DAYS",
        "CASE_COMPLEX_HANDLE_DAYS",
        "HANDOVER_DAYS",
        "HANDOVER_LOOKBACK_DAYS",
        # public revenue and the maintenance fund
        "REVENUE_MAX_COST_SHARE",
        "DISCLOSURE_GRACE_DAYS",
        "DISCLOSURE_OBJECTION_DAYS",
        "OBJECTION_ANSWER_DAYS",
        "FUND_RATE_YUAN_PER_M2",
        # elevators and parking
        "OLD_ELEVATOR_YEARS",
        "ELEVATOR_MAINTENANCE_DAYS",
        "ELEVATOR_FAULT_COUNT",
        "ELEVATOR_FAULT_WINDOW_DAYS",
        "ELEVATOR_FUNDING_DAYS",
        "PARKING_RENT_TOLERANCE_PCT",
        "PARKING_RENT_LOOKBACK_DAYS",
        # the company's duties on record
        "DUTIES_DISCLOSURE_MAX_AGE_DAYS",
        "DUTIES_RENOVATION_ACT_DAYS",
        "DUTIES_DRILL_PERIOD_DAYS",
        "DUTIES_HAZARD_CHECK_DAYS",
        "DUTIES_FIRE_CHECK_DAYS",
        "DUTIES_FIRE_FIX_DAYS",
    }
)


def _overrides(county: Any) -> Mapping[str, Any]:
    """A county's overrides: the mapping itself, or an object's `.settings` (the registry's County), or none."""
    if county is None:
        return {}
    if isinstance(county, Mapping):
        return county
    return getattr(county, "settings", None) or {}


def county_setting(key: str, county: Any = None) -> Any:
    """The value of a declared key: the county's override (`county` is its overrides mapping or an object with
    `.settings`, e.g. a County), else `settings.WUYE[key]`, else the default; always in the declared type. A
    mapping setting that merges takes the county's entries over the deployment's."""
    declared = DECLARED.get(key)
    if declared is None:
        raise ImproperlyConfigured(f"unknown county setting {key!r}: declare it in wuye.kernel.conf")
    configured = _configured()
    value = declared.coerce(configured[key] if key in configured else declared.default)
    overrides = _overrides(county)
    if key in overrides and key in PER_COUNTY:
        try:
            if isinstance(value, Mapping) and declared.merge:
                return {**value, **declared.coerce(overrides[key])}
            return declared.coerce(overrides[key])
        except (TypeError, ValueError):
            return value  # saved before validation existed: the deployment's value, never a 500
    return value


def county_overrides_errors(overrides: Any) -> list[str]:
    """What is wrong with a county's overrides, in words for the office head (empty when they are valid)."""
    if overrides in (None, ""):
        return []
    if not isinstance(overrides, Mapping):
        return ['本县设置应为键值对（JSON 对象），例如 {"HOTLINE": "0774-1234567"}']
    errors = []
    for key, value in overrides.items():
        declared = DECLARED.get(key)
        if declared is None:
            errors.append(f"本县设置中的“{key}”不是已登记的设置项")
            continue
        if key not in PER_COUNTY:
            errors.append(f"本县设置中的“{key}”（{declared.label}）全部署统一，不能按县设置")
            continue
        try:
            declared.coerce(value)
        except (TypeError, ValueError, ArithmeticError):
            errors.append(f"本县设置中的“{key}”（{declared.label}）取值 {value!r} 不正确")
            continue
        if isinstance(declared.default, int) and not isinstance(declared.default, bool):
            if isinstance(value, bool) or (
                isinstance(value, str) and not value.strip().lstrip("-").isdigit()
            ):
                errors.append(f"本县设置中的“{key}”（{declared.label}）应为整数")
    return errors


def setting_default(key: str) -> Any:
    """A declared key's default (for a reader that shows or compares with it)."""
    if key not in DECLARED:
        raise ImproperlyConfigured(f"unknown county setting {key!r}: declare it in wuye.kernel.conf")
    return DECLARED[key].coerce(DECLARED[key].default)


def check_county_settings(configured: Mapping[str, Any] | None = None) -> None:
    """At start-up: every key of settings.WUYE is declared and its value has the declared type."""
    configured = _configured() if configured is None else configured
    unknown = sorted(set(configured) - set(DECLARED))
    if unknown:
        raise ImproperlyConfigured(
            f"settings.WUYE has undeclared keys {unknown}: declare them in wuye.kernel.conf (or fix the spelling)"
        )
    for key, value in configured.items():
        try:
            DECLARED[key].coerce(value)
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(f"settings.WUYE[{key!r}] = {value!r} is not valid: {exc}") from None
