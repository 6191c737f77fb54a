"""schemathesis over /api/v1/openapi.json, as each role: no 5xx, and every response as the document says.

One test per role (anonymous, contributor, reviewer, editor, admin); inside it every
operation is a subtest with its own bounded, derandomised Hypothesis run. The test
starts from the suite's fresh state and seeds a small world first (contributions in
several states, a draft and a published report, the build job), and path parameters
are drawn from the seeded ids half of the time, so requests reach real rows as well
as missing ones. What the fuzzer changes stays for the operations after it within
the role; no API call deletes anything, so the seeded ids stay valid.

The operations are driven through schemathesis's public strategies rather than its
`schema.parametrize()`: that needs the app at import time, and its fixture-based
loader does not run on pytest 9 (it sets `Function._nodeid`, which pytest 9 dropped).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.support import token_headers
from tests.contributions.samples import payload, put_in_state, user
from tests.reports.support import REPORTS_FOLDER, bearer, create_report, make_contribution, publish_and_wait

ROLES = ["anonymous", "contributor", "reviewer", "editor", "admin"]

# What "matches the document" means here: a documented status code, the documented
# content type, a body valid against the documented schema, documented headers.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# Bounded for CI: a few examples per operation and phase, reproducible from run to run.
FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(app, client, make_user, monkeypatch):
    """The callers and the rows their requests may reach."""
    from app.contributions import services

    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)
    people = {
        "contributor": make_user(["contributor"], organisation="Guardia Civil"),
        "reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Politie"),
        "second_reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
        "editor": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
        "admin": make_user(["admin"], organisation="CERIS"),
    }
    contribution_ids = []
    with app.app_context():
        author = user(people["contributor"].id)
        reviewers = [user(people["reviewer"].id), user(people["second_reviewer"].id)]
        for state in ("draft", "submitted", "in_review", "changes_requested", "accepted"):
            contribution = services.create_draft(author, payload("capability_gap", title=f"A capability gap, {state}"))
            put_in_state(contribution, state, reviewers, author)
            contribution_ids.append(contribution.id)
    editor_headers = bearer(app, people["editor"])
    draft = create_report(client, editor_headers, title="A draft report")
    published = create_report(client, editor_headers, title="A published report")
    make_contribution(app, "An accepted gap for the report", author_id=people["contributor"].id)
    job = publish_and_wait(client, editor_headers, published["id"])
    reports = [draft, published]
    return {
        "people": people,
        "contribution_id": contribution_ids,
        "report_id": [report["id"] for report in reports],
        "section_id": [section["id"] for report in reports for section in report["sections"]],
        "job_id": [job["id"]],
    }


def _cases(operation, world):
    """Valid and invalid requests; half of them aimed at seeded rows (ids not in the world stay generated)."""
    names = [parameter.name for parameter in operation.path_parameters]
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    if names and all(name in world for name in names):
        seeded = st.fixed_dictionaries({name: st.sampled_from(world[name]) for name in names})
        strategies += [
            seeded.flatmap(lambda values: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=values)),
            seeded.flatmap(lambda values: operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=values)),
        ]
    return st.one_of(strategies)


def _fuzz(operation, world, headers):
    @FUZZ_SETTINGS
    @given(case=_cases(operation, world))
    def fuzz(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_as_documented(app, world, role, subtests):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {} if role == "anonymous" else token_headers(app, world["people"][role].id)
    for result in schema.get_all_operations():
        operation = result.ok()  # raises when the document describes an operation badly
        with subtests.test(msg=operation.label):
            _fuzz(operation, world, headers)
