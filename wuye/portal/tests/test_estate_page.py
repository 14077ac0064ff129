import pytest
from django.test import Client, override_settings

from wuye.portal.sections import EstateSection
from wuye.testing import make_company, make_estate

pytestmark = pytest.mark.django_db


def test_the_public_estate_page_shows_the_estate_and_links_to_the_form_without_login():
    estate = make_estate(name="幸福里", company=make_company())
    response = Client().get(f"/estates/{estate.code}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "幸福里" in text
    assert f"/q/{estate.code}/" in text
    assert "物业服务" in text


def test_an_unknown_estate_is_not_found():
    assert Client().get("/estates/NOPE999/").status_code == 404


def extra_section(estate):
    return EstateSection(
        title="测试栏目", template="portal/sections/management.html", context={}, warning=True
    )


def dict_section(estate):
    return {"title": "字典栏目", "template": "portal/sections/management.html", "context": {}}


def no_section(estate):
    return None


@override_settings(
    WUYE_ESTATE_SECTIONS=[
        "wuye.portal.estate_sections.management",
        "wuye.portal.tests.test_estate_page.extra_section",
        "wuye.portal.tests.test_estate_page.dict_section",
        "wuye.portal.tests.test_estate_page.no_section",
    ]
)
def test_apps_add_sections_and_a_provider_may_leave_its_section_out():
    estate = make_estate()
    text = Client().get(f"/estates/{estate.code}/").content.decode()
    assert "测试栏目" in text
    assert "字典栏目" in text
    assert text.index("测试栏目") < text.index("反映本小区问题")  # a warning comes first
