from django.test import Client


def test_the_exposure_page_ignores_garbled_filters(db):
    client = Client()
    for query in ({"year": "²"}, {"year": "10000"}, {"company": "9" * 30}, {"year": "abc", "company": "-1"}):
        assert client.get("/exposure/", query).status_code == 200
