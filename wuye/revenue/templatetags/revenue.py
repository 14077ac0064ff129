from django import template

from wuye.revenue.privacy import public_counterparty as _public_counterparty

register = template.Library()


@register.filter
def public_counterparty(value: str) -> str:
    return _public_counterparty(value)
