"""Thematic areas from CORDIS codes, pinned code by code.

Horizon 2020 Secure societies legal bases: Council Decision 2013/743/EU (the
H2020 specific programme), Annex I, Part III, section 7.3, activities (a) to
(h), which CORDIS numbers H2020-EU.3.7.1. to H2020-EU.3.7.8. in that order.
Topics: the Horizon 2020 work programmes, part 14 "Secure societies"
(2014-2015, 2016-2017, 2018-2020). Horizon Europe: the Cluster 3 work
programmes (../shared/data/cordis/README notes).
"""

import pytest

from app.projects.classification import area_of_h2020_legal_basis, area_of_h2020_topic, areas_from_codes


@pytest.mark.parametrize(
    ("code", "area"),
    [
        # (a) Fight crime, illegal trafficking and terrorism, incl. understanding and tackling terrorist ideas and beliefs
        ("H2020-EU.3.7.1.", "FCT"),
        # (b) Protect and improve the resilience of critical infrastructures, supply chains and transport modes
        ("H2020-EU.3.7.2.", "INFRA"),
        # (c) Strengthen security through border management
        ("H2020-EU.3.7.3.", "BM"),
        # (d) Improve cyber security
        ("H2020-EU.3.7.4.", "CS"),
        # (e) Increase Europe's resilience to crises and disasters
        ("H2020-EU.3.7.5.", "DRS"),
        # (f) Ensure privacy and freedom, incl. in the Internet; societal, legal and ethical understanding of security
        ("H2020-EU.3.7.6.", "SSRI"),
        # (g) Enhance standardisation and interoperability of systems, including for emergency purposes
        ("H2020-EU.3.7.7.", "SSRI"),
        # (h) Support the Union's external security policies, incl. through conflict prevention and peace-building
        ("H2020-EU.3.7.8.", "SSRI"),
    ],
)
def test_each_secure_societies_legal_basis_gives_its_area(code, area):
    assert area_of_h2020_legal_basis(code) == area
    # Written without the final dot, as some extracts do, it says the same.
    assert area_of_h2020_legal_basis(code.rstrip(".")) == area


@pytest.mark.parametrize(
    "code",
    ["H2020-EU.3.7.", "H2020-EU.3.7", "H2020-EU.3.7.9.", "H2020-EU.3.6.1.", "H2020-EU.1.3.", "H2020-EU.3.7.10.", ""],
)
def test_other_legal_bases_give_no_area(code):
    # The bare parent says "security research" but not which area.
    assert area_of_h2020_legal_basis(code) is None


@pytest.mark.parametrize(
    ("code", "area"),
    [
        # Work programme 2018-2020
        ("SU-FCT02-2018-2019-2020", "FCT"),
        ("SU-BES02-2018-2019-2020", "BM"),
        ("SU-DS04-2018-2020", "CS"),
        ("SU-INFRA01-2018-2019-2020", "INFRA"),
        ("SU-DRS03-2018-2019-2020", "DRS"),
        ("SU-GM01-2018-2019-2020", "SSRI"),
        # Work programme 2016-2017
        ("SEC-12-FCT-2016-2017", "FCT"),
        ("SEC-14-BES-2016", "BM"),
        ("SEC-05-DRS-2016-2017", "DRS"),
        ("SEC-21-GM-2016-2017", "SSRI"),
        ("CIP-01-2016-2017", "INFRA"),
        ("DS-02-2016", "CS"),
        # Work programme 2014-2015
        ("DRS-1-2015", "DRS"),
        ("FCT-5-2014", "FCT"),
        ("BES-13-2015", "BM"),
        ("DS-01-2014", "CS"),
        ("CIP-01-2014", "INFRA"),
    ],
)
def test_each_secure_societies_topic_form_gives_its_area(code, area):
    assert area_of_h2020_topic(code) == area


@pytest.mark.parametrize(
    "code",
    ["SU-ICT-01-2018", "SU-TDS-02-2018", "MSCA-IF-2019", "EIC-SMEInst-2018-2020", "DT-ICT-01-2019", "SEC-12-XYZ-2016", ""],
)
def test_topics_outside_secure_societies_give_no_area(code):
    assert area_of_h2020_topic(code) is None


def test_a_project_gets_every_area_its_codes_name_in_the_areas_order():
    areas = areas_from_codes("H2020", "SEC-14-BES-2016", "H2020-EU.3.7.8.;H2020-EU.3.7.1.")

    assert areas == ["FCT", "BM", "SSRI"]


def test_h2020_codes_do_not_classify_a_horizon_europe_project_and_the_reverse():
    assert areas_from_codes("HORIZON", "SU-FCT01-2018", "H2020-EU.3.7.1.") == []
    assert areas_from_codes("H2020", "HORIZON-CL3-2021-FCT-01-01", "") == []
    assert areas_from_codes("HORIZON", "HORIZON-CL3-2021-FCT-01-01", "HORIZON.2.3") == ["FCT"]
    assert areas_from_codes("HORIZON", "HORIZON-CL3-2025-01-DRS-02", "") == ["DRS"]
