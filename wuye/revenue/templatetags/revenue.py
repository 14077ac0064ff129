"""Statement rows are rendered in Python: a quarter can hold thousands of lines, and the template engine would
spend seconds on them."""

from html import escape as esc
from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from wuye.common.dates import cn_date
from wuye.common.money import format_yuan
from wuye.revenue.models import EntryKind, EntryUse, IncomeSource
from wuye.revenue.privacy import public_counterparty as _public_counterparty

register = template.Library()


@register.filter
def public_counterparty(value: str) -> str:
    return _public_counterparty(value)


KIND = dict(EntryKind.choices)
SOURCE = dict(IncomeSource.choices)
USE = dict(EntryUse.choices)


def _notes(e: Any) -> str:
    parts = [esc(e.description)]
    if e.source:
        parts.append(f'<br><small class="muted">{esc(SOURCE.get(e.source, e.source))}</small>')
    if e.use:
        parts.append(f'<br><small class="muted">{esc(USE.get(e.use, e.use))}</small>')
    if e.resolution_id:
        parts.append(
            f"<br><small>依据：{esc(e.resolution.title)}（{cn_date(e.resolution.decided_on)}）</small>"
        )
    elif e.needs_resolution:
        parts.append('<br><span class="badge bad">须经业主大会决议，未引用</span>')
    if e.reverses_id:
        parts.append(f"<br><small>原因：{esc(e.reason)}</small>")
    later = getattr(e, "later_reversal", None)
    if later is not None:
        parts.append(
            f'<br><span class="badge warn">已于 {cn_date(later.occurred_on)} 冲正（第 {later.number} 号）</span>'
        )
    return "".join(parts)


@register.simple_tag(takes_context=True)
def statement_rows(
    context: Any, st: Any, *, can_object: bool = False, estate: Any = None, disclosure: Any = None
) -> SafeString:
    """Plain f-strings with every user-supplied value passed through html.escape (the template engine and
    format_html were too slow for thousands of rows)."""
    rows = []
    objection_cell = ""
    if can_object:
        url = esc(reverse("revenue:public_objection", args=[estate.code, disclosure.period_key]))
        csrf = esc(get_token(context["request"]))
        objection_cell = (
            '<td class="no-print" data-label="异议"><details><summary>提出异议</summary><form method="post" action="'
            + url
            + '">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="'
            + csrf
            + '"><input type="hidden" name="entry" '
            'value="{pk}"><label for="obj{pk}">异议内容</label><textarea id="obj{pk}" name="text" rows="3" required>'
            '</textarea><button type="submit">提交</button></form></details></td>'
        )
    voucher_base = reverse("revenue:voucher", args=[0])[:-2]  # "/revenue/vouchers/"
    for line in st.lines:
        e = line.entry
        vouchers = getattr(e, "voucher_list", [])
        links = (
            " ".join(f'<a href="{voucher_base}{v.pk}/">凭证{i}</a>' for i, v in enumerate(vouchers, start=1))
            if vouchers
            else '<span class="muted">无</span>'
        )
        amount = format_yuan(e.amount)
        inflow, outflow = (amount, "") if e.direction == "in" else ("", amount)
        # data-label: on a phone each row becomes a card of "label value" lines (table.stack in wuye.css)
        row = (
            f'<tr id="e{e.number}"><td data-label="序号">{e.number}</td>'
            f'<td class="nowrap" data-label="日期">{cn_date(e.occurred_on)}</td>'
            f'<td data-label="类型">{KIND.get(e.kind, "")}</td><td data-label="摘要">{_notes(e)}</td>'
            f'<td data-label="对方单位">{esc(_public_counterparty(e.counterparty))}</td>'
            f'<td class="num" data-label="收入">{inflow}</td><td class="num" data-label="支出">{outflow}</td>'
            f'<td class="num" data-label="余额">{format_yuan(line.balance)}</td><td data-label="凭证">{links}</td>'
        )
        if objection_cell:
            row += objection_cell.replace("{pk}", str(e.pk))
        rows.append(row + "</tr>")
    if not rows:
        return mark_safe('<tr><td colspan="9">本期无收支。</td></tr>')  # noqa: S308
    return mark_safe("\n".join(rows))  # noqa: S308 - every user-supplied value above is escaped


@register.filter
def period_label(key: str) -> str:
    """'2026Q3' → '2026年第3季度', '2026-03' → '2026年3月' (what owners read on the notice board)."""
    from wuye.revenue.periods import period_from_key

    try:
        return period_from_key(key).label
    except (ValueError, KeyError):
        return key
