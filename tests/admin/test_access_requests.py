"""Access requests: listed pending first; approving sends an invitation, rejecting records why."""

import re

import sqlalchemy as sa

from app.auth.models import AccessRequest, Invitation
from app.extensions import db
from tests.support import post_form


def _request(in_app, request_id):
    def read():
        row = db.session.get(AccessRequest, request_id)
        return {"state": row.state, "note": row.decision_note, "invitation_id": row.invitation_id}

    return in_app(read)


def test_list_shows_pending_requests_before_decided_ones(admin_client, make_access_request, in_app):
    from app.timeutil import utcnow

    make_access_request(email="decided@example.eu", name="Dora Decided", state="rejected", decided_at=utcnow())
    make_access_request(email="waiting@example.eu", name="Wim Waiting")
    html = admin_client.get("/admin/access-requests").get_data(as_text=True)
    names = re.findall(r'<th scope="row"><a href="/admin/access-requests/\d+">([^<]+)</a>', html)
    assert names == ["Wim Waiting", "Dora Decided"]


def test_request_page_shows_the_motivation(admin_client, make_access_request):
    request_id = make_access_request(motivation="We run the <b>border</b> practitioners' network.")
    html = admin_client.get(f"/admin/access-requests/{request_id}").get_data(as_text=True)
    assert "We run the &lt;b&gt;border&lt;/b&gt; practitioners&#39; network." in html


def test_new_request_notifies_admins_with_a_link_to_the_list(admin, admin_client, client, mailbox):
    post_form(
        client,
        "/request-access",
        {"name": "Nina New", "email": "nina@example.eu", "organisation": "Carabinieri", "motivation": "Trend reports."},
        token_from="/request-access",
    )
    (message,) = mailbox.wait_for(1, recipient=admin.email)
    link = re.search(r"http://127\.0\.0\.1:5000(/admin/access-requests)\b", message.get_body(("plain",)).get_content())
    assert link
    assert "Nina New" in admin_client.get(link.group(1)).get_data(as_text=True)


def test_approval_sends_an_invitation(admin_client, make_access_request, mailbox, in_app):
    request_id = make_access_request(email="ana@example.eu")
    response = post_form(
        admin_client,
        f"/admin/access-requests/{request_id}/approve",
        {"roles": ["contributor", "reviewer"], "areas": ["BM"]},
        token_from=f"/admin/access-requests/{request_id}",
    )
    assert response.status_code == 302
    (message,) = mailbox.wait_for(1, recipient="ana@example.eu")
    assert "/invitations/accept/" in message.get_body(("plain",)).get_content()
    state = _request(in_app, request_id)
    assert state["state"] == "approved"
    invitation = in_app(lambda: db.session.get(Invitation, state["invitation_id"]))
    assert sorted(invitation.roles) == ["contributor", "reviewer"] and invitation.area_codes == ["BM"]


def test_approval_without_a_role_is_refused(admin_client, make_access_request, in_app):
    request_id = make_access_request()
    response = post_form(admin_client, f"/admin/access-requests/{request_id}/approve", {}, token_from="/admin/")
    assert response.status_code == 422
    assert "Choose at least one role." in response.get_data(as_text=True)
    assert _request(in_app, request_id)["state"] == "pending"


def test_approval_for_an_existing_account_is_refused(admin_client, make_access_request, make_user, mailbox, in_app):
    user = make_user(["contributor"])
    request_id = make_access_request(email=user.email)
    response = post_form(admin_client, f"/admin/access-requests/{request_id}/approve", {"roles": ["contributor"]}, token_from="/admin/")
    assert response.status_code == 422
    assert "A user with this e-mail address already exists." in response.get_data(as_text=True)
    assert _request(in_app, request_id)["state"] == "pending"
    assert in_app(lambda: db.session.scalar(db.select(db.func.count(Invitation.id)))) == 0


def test_deciding_a_decided_request_is_a_conflict(admin_client, make_access_request, in_app):
    from app.timeutil import utcnow

    request_id = make_access_request(state="rejected", decided_at=utcnow(), decision_note="Not eligible")
    response = post_form(admin_client, f"/admin/access-requests/{request_id}/approve", {"roles": ["contributor"]}, token_from="/admin/")
    assert response.status_code == 409
    assert "This request has already been decided." in response.get_data(as_text=True)
    assert _request(in_app, request_id)["state"] == "rejected"


def test_rejection_records_the_reason(admin_client, make_access_request, mailbox, in_app):
    request_id = make_access_request(email="spam@example.eu")
    response = post_form(
        admin_client,
        f"/admin/access-requests/{request_id}/reject",
        {"note": "Not a security research organisation."},
        token_from=f"/admin/access-requests/{request_id}",
    )
    assert response.status_code == 302
    state = _request(in_app, request_id)
    assert state["state"] == "rejected" and state["note"] == "Not a security research organisation."
    assert state["invitation_id"] is None


def test_rejection_needs_a_reason(admin_client, make_access_request, in_app):
    request_id = make_access_request()
    response = post_form(admin_client, f"/admin/access-requests/{request_id}/reject", {"note": "  "}, token_from="/admin/")
    assert response.status_code == 422
    assert "Say why the request is rejected." in response.get_data(as_text=True)
    assert _request(in_app, request_id)["state"] == "pending"


def test_list_costs_the_same_queries_for_few_or_many_deciders(admin_client, make_access_request, make_user, count_queries):
    from app.timeutil import utcnow

    def decided_by_new_admins(count):
        for _ in range(count):
            decider = make_user(["admin"])
            make_access_request(email=f"r{decider.id}@example.eu", state="rejected", decided_at=utcnow(), decided_by_id=decider.id)

    decided_by_new_admins(2)
    with count_queries() as few:
        admin_client.get("/admin/access-requests")
    decided_by_new_admins(8)
    with count_queries() as many:
        admin_client.get("/admin/access-requests")
    assert len(many) == len(few)


def test_a_stale_second_approval_sends_no_second_invitation(admin, make_access_request, mailbox, in_app):
    """Two admins (or a double click) approving the same request: one invitation, one refusal."""
    from app.auth import services
    from app.auth.models import User

    request_id = make_access_request()

    def approve_twice():
        approver = db.session.get(User, admin.id)
        first_view = db.session.get(AccessRequest, request_id)
        services.approve_access_request(first_view, approver)
        # The second admin's page was loaded before the first approval.
        stale_view = db.session.get(AccessRequest, request_id)
        stale_view.state = "pending"
        db.session.expunge(stale_view)
        try:
            services.approve_access_request(stale_view, approver)
        except services.AccountError as error:
            return error.message
        return None

    refusal = in_app(approve_twice)
    assert str(refusal) == "This request has already been decided."
    assert in_app(lambda: db.session.scalar(db.select(db.func.count()).select_from(Invitation))) == 1
    mailbox.wait_for(1, recipient="applicant@example.eu")


def test_network_named_in_a_request_reuses_an_existing_one_whatever_the_case(admin, make_access_request, in_app):
    from app.auth import services
    from app.auth.models import User
    from app.community.models import Network

    def approve():
        db.session.add(Network(name="ILEAnet", kind="practitioners"))
        db.session.commit()
        request_id = make_access_request(network_name="ileanet")
        services.approve_access_request(db.session.get(AccessRequest, request_id), db.session.get(User, admin.id))
        return db.session.scalar(db.select(db.func.count()).select_from(Network))

    assert in_app(approve) == 1


# --- the network the applicant named ------------------------------------------------


def _network_select(html):
    return re.search(r'<select[^>]*name="network".*?</select>', html, re.S).group(0)


def test_approval_form_preselects_the_known_network_the_applicant_named(admin_client, make_access_request, in_app):
    from tests.factories import NetworkFactory

    network_id = in_app(lambda: NetworkFactory(name="ILEAnet").id)
    request_id = make_access_request(network_name="ileanet")
    select = _network_select(admin_client.get(f"/admin/access-requests/{request_id}").get_data(as_text=True))
    assert re.search(rf'<option[^>]*selected[^>]*value="{network_id}"|<option[^>]*value="{network_id}"[^>]*selected', select)


def test_approval_form_offers_to_create_an_unknown_network(admin_client, make_access_request):
    request_id = make_access_request(network_name="Brand New Net")
    select = _network_select(admin_client.get(f"/admin/access-requests/{request_id}").get_data(as_text=True))
    assert re.search(r'<option[^>]*selected[^>]*value="named"|<option[^>]*value="named"[^>]*selected', select)
    assert "Brand New Net" in select


def test_approval_joins_the_network_chosen_on_the_form(admin_client, make_access_request, in_app):
    from tests.factories import NetworkFactory

    other_id = in_app(lambda: NetworkFactory(name="Other Net").id)
    request_id = make_access_request(email="chooser@example.eu", network_name="Brand New Net")
    response = post_form(
        admin_client,
        f"/admin/access-requests/{request_id}/approve",
        {"roles": ["contributor"], "network": str(other_id)},
        token_from=f"/admin/access-requests/{request_id}",
    )
    assert response.status_code == 302
    invitation_id = _request(in_app, request_id)["invitation_id"]
    assert in_app(lambda: db.session.get(Invitation, invitation_id).network_id) == other_id


def test_approval_with_the_named_network_creates_it(admin_client, make_access_request, in_app):
    from app.community.models import Network

    request_id = make_access_request(email="namer@example.eu", network_name="Brand New Net")
    response = post_form(
        admin_client,
        f"/admin/access-requests/{request_id}/approve",
        {"roles": ["contributor"], "network": "named"},
        token_from=f"/admin/access-requests/{request_id}",
    )
    assert response.status_code == 302
    names = in_app(lambda: db.session.scalars(sa.select(Network.name)).all())
    assert names == ["Brand New Net"]


def test_approval_with_no_network_joins_none(admin_client, make_access_request, in_app):
    request_id = make_access_request(email="loner@example.eu", network_name="Brand New Net")
    post_form(
        admin_client,
        f"/admin/access-requests/{request_id}/approve",
        {"roles": ["contributor"], "network": ""},
        token_from=f"/admin/access-requests/{request_id}",
    )
    invitation_id = _request(in_app, request_id)["invitation_id"]
    assert in_app(lambda: db.session.get(Invitation, invitation_id).network_id) is None
