"""Every form and serializer text field, whatever its class, refuses control characters and drops bidi overrides."""

import re

import pytest
from django import forms
from rest_framework import serializers

from wuye.common.text import check_text, clean_text


class _Form(forms.Form):
    name = forms.CharField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)
    site = forms.URLField(required=False, assume_scheme="https")
    mail = forms.EmailField(required=False)
    code = forms.SlugField(required=False)


class _Serializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    site = serializers.URLField(required=False)
    code = serializers.CharField(required=False, validators=[lambda v: None])  # validators given explicitly


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "张\x00三"), ("note", "a\x1bb"), ("site", "https://x.example/a\x01b"), ("code", "ab\x7f")],
)
def test_form_fields_of_every_kind_refuse_control_characters(field, value):
    form = _Form(data={field: value})
    assert not form.is_valid()
    assert "不允许" in form.errors[field][0]


def test_form_keeps_tabs_and_line_breaks_and_drops_bidi_overrides():
    form = _Form(data={"note": "第一行\r\n\t第二行", "name": "\u202e张三\u2069"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "张三" and "第二行" in form.cleaned_data["note"]


@pytest.mark.parametrize(
    ("field", "value"), [("name", "a\x08b"), ("site", "https://x.example/\x01"), ("code", "a\x0cb")]
)
def test_serializer_fields_refuse_control_characters(field, value):
    s = _Serializer(data={field: value})
    assert not s.is_valid()
    assert "不允许" in str(s.errors[field][0])


def test_serializer_drops_bidi_overrides():
    s = _Serializer(data={"name": "李\u202d四"})
    assert s.is_valid() and s.validated_data["name"] == "李四"


def test_helpers_name_the_field_and_one_line_fields_refuse_breaks():
    with pytest.raises(ValueError, match=re.escape("email含有不允许的控制字符 U+000A")):
        check_text("a@b.c\nBcc: x", field="email", multiline=False)
    assert clean_text("ok\u202etext", field="description") == "oktext"
