"""Putting a domain error on the form field it names."""

from typing import Any

from .errors import DomainError


def form_add_domain_error(form: Any, exc: DomainError) -> None:
    """Attach `exc` to the form field named by `exc.field` (a form field name), or to the form as a whole.

    A domain error's message is complete Chinese on its own (it names the field in words), so the same text reads
    right beside the field, at the top of the form or in an API response.
    """
    name = exc.field if exc.field and exc.field in form.fields else None
    form.add_error(name, exc.message)
