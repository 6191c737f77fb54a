"""The workflow picture is drawn from the definition and marks the current state."""


def test_help_page_draws_every_state_and_transition(client, app):
    page = client.get("/help/workflows/contribution").get_data(as_text=True)
    workflow = app.extensions["workflows"]["contribution"]
    svg = page[page.index("<svg") : page.index("</svg>")]
    for state in workflow.states.values():
        assert f">{state.label}<" in svg
    for transition in workflow.transitions.values():
        assert f">{transition.label}<" in svg
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg


def test_contribution_page_marks_its_current_state(app, client, make_user, signed_in):
    from tests.api.support import token_headers
    from tests.contributions.samples import payload

    author = make_user(["contributor"])
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()
    page = signed_in(author).get(f"/contributions/{created['id']}").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert '<g class="state current">' in svg
    assert "Draft ◀" in svg and "Contribution review — Draft" in svg


def test_the_svg_is_well_formed(client):
    page = client.get("/help/workflows/contribution").get_data(as_text=True)
    import xml.dom.minidom

    xml.dom.minidom.parseString(page[page.index("<svg") : page.index("</svg>") + 6])


def test_unknown_workflow_is_404(client):
    assert client.get("/help/workflows/nothing").status_code == 404
