"""Help is linked from the main navigation on every page (issue 12)."""

import re

HELP_LINK = re.compile(r'<nav aria-label="Main"[^>]*>(?:(?!</nav>).)*<a href="/help"', re.S)


def test_the_navigation_links_to_help_for_visitors(client):
    page = client.get("/").get_data(as_text=True)

    assert HELP_LINK.search(page)


def test_the_navigation_links_to_help_for_signed_in_people(signed_in, reviewer):
    page = signed_in(reviewer).get("/reviews").get_data(as_text=True)

    assert HELP_LINK.search(page)


def test_the_help_link_is_current_on_the_help_pages(client):
    page = client.get("/help").get_data(as_text=True)

    assert '<a href="/help" aria-current="page">' in page
