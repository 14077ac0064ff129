"""Text that users type: no control characters (they are 500s on PostgreSQL and garble exports), no bidi overrides.

`validate_text` is the one validator, run by every Django form `CharField` and every DRF serializer `CharField` and
their subclasses (see `install`, called from `CommonConfig.ready`), so no form or serializer can forget it. Paths
without a form call the helpers themselves: Open311 `check_text` (a 400), imports and mail `remove_controls`.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

# C0 controls except TAB, LF, CR; DEL; C1 controls. NUL is the one PostgreSQL refuses outright.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they make a name or a text read
# differently to the person it is shown to ("Trojan source" in a complaint, a reversed name on a ballot list).
BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
LINE_BREAK_RE = re.compile(r"[\r\n]")


def _describe(char: str) -> str:
    return "空字符（NUL）" if char == "\x00" else f"控制字符 U+{ord(char):04X}"


def check_text(value: str, *, field: str, multiline: bool = True) -> None:
    """Raise ValueError with a Chinese message naming `field` when `value` holds a forbidden character."""
    found = CONTROL_RE.search(value)
    if found is None and not multiline:
        found = LINE_BREAK_RE.search(value)
    if found is not None:
        raise ValueError(f"{field}含有不允许的{_describe(found.group())}，请删除后重试")


def strip_bidi(value: str) -> str:
    return BIDI_RE.sub("", value)


def remove_controls(value: str) -> str:
    """For data imported from other systems (12345 exports, registry sheets, mail): drop, don't refuse."""
    return strip_bidi(CONTROL_RE.sub("", value))


def clean_text(value: str, *, field: str, multiline: bool = True) -> str:
    """Checked and with bidi overrides removed: what may be stored and shown to others."""
    check_text(value, field=field, multiline=multiline)
    return strip_bidi(value)


def validate_text(value: object) -> None:
    """Django/DRF validator: refuses control characters other than TAB, LF and CR."""
    if not isinstance(value, str):
        return
    found = CONTROL_RE.search(value)
    if found is not None:
        raise ValidationError(
            "含有不允许的%(char)s，请删除后重试",
            code="control_character",
            params={"char": _describe(found.group())},
        )


def install() -> None:
    """Make every form and serializer text field refuse control characters and drop bidi overrides.

    Done once at start-up rather than by a base class, because forms come from many places (ModelForms, the
    admin, DRF's ModelSerializer mapping) and a forgotten base class would be a silent hole.
    """
    from django import forms
    from rest_framework import serializers

    if getattr(forms.CharField, "_wuye_text", False):
        return
    form_to_python = forms.CharField.to_python
    form_validate = forms.CharField.validate

    # The signatures are the stubs' for the methods replaced below.
    def validate(self: forms.Field, value: Any) -> None:
        # in validate(), not default_validators: EmailField, URLField, SlugField… replace those with their own
        form_validate(self, value)
        validate_text(value)

    def to_python(self: forms.CharField, value: Any | None) -> str | None:
        result = form_to_python(self, value)
        return strip_bidi(result) if isinstance(result, str) else result

    serializer_to_internal = serializers.CharField.to_internal_value

    def to_internal_value(self: serializers.Field[str, str, str, Any], data: str) -> str:
        result = serializer_to_internal(self, data)
        if not isinstance(result, str):
            return result
        try:  # here, not in default_validators: DRF drops those when a field is given validators=[...]
            validate_text(result)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code="control_character") from None
        return strip_bidi(result)

    forms.CharField.to_python = to_python  # type: ignore[method-assign]
    forms.CharField.validate = validate  # type: ignore[method-assign]
    serializers.CharField.to_internal_value = to_internal_value  # type: ignore[method-assign]
    forms.CharField._wuye_text = True  # type: ignore[attr-defined]
