from django.test import override_settings


@override_settings(DEBUG=False)
def test_it_renders_404_in_the_app_look(login, cast):
    client = login(cast.kam_a)
    response = client.get("/accounts/999999/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"kam/app.css" in response.content


@override_settings(DEBUG=False)
def test_it_renders_403_with_the_reason(login, cast):
    client = login(cast.access)
    response = client.get(f"/accounts/{cast.account_a.pk}/edit/")
    assert response.status_code == 403
    assert b"Only the account" in response.content


def test_the_410_and_500_templates_render(rf):
    from django.template.loader import render_to_string

    assert "no longer available" in render_to_string("410.html", request=rf.get("/"))
    assert "Something went wrong" in render_to_string("500.html")
