"""Thematic areas from CORDIS codes: which of the six CERIS areas a security research project belongs to.

Horizon 2020, by legal basis: the eight activities of Societal Challenge 7
"Secure societies - Protecting freedom and security of Europe and its citizens",
in the order of the H2020 specific programme (Council Decision 2013/743/EU,
Annex I, Part III, section 7.3 "Broad lines of the activities", points (a) to
(h)); CORDIS numbers them H2020-EU.3.7.1. to H2020-EU.3.7.8. in that order, and
its records agree (e.g. CIP-01-2016-2017, physical and cyber threats to critical
infrastructure, carries H2020-EU.3.7.4.;H2020-EU.3.7.2.; DS-02-2016, digital
security, carries H2020-EU.3.7.4.):

  H2020-EU.3.7.1  (a) Fight crime, illegal trafficking and terrorism, including
                  understanding and tackling terrorist ideas and beliefs           -> FCT
  H2020-EU.3.7.2  (b) Protect and improve the resilience of critical
                  infrastructures, supply chains and transport modes               -> INFRA
  H2020-EU.3.7.3  (c) Strengthen security through border management                -> BM
  H2020-EU.3.7.4  (d) Improve cyber security                                       -> CS
  H2020-EU.3.7.5  (e) Increase Europe's resilience to crises and disasters          -> DRS
  H2020-EU.3.7.6  (f) Ensure privacy and freedom, including in the Internet, and
                  enhance the societal, legal and ethical understanding of all
                  areas of security, risk and management                           -> SSRI
  H2020-EU.3.7.7  (g) Enhance standardisation and interoperability of systems,
                  including for emergency purposes                                 -> SSRI
  H2020-EU.3.7.8  (h) Support the Union's external security policies, including
                  through conflict prevention and peace-building                   -> SSRI

(f) to (h) are cross-cutting (ethics and society, standardisation, external
policy; Horizon Europe's Cluster 3 has no area of their own for them): CERIS
files such work under "Strengthened Security Research and Innovation" (SSRI),
its cross-cutting area. The bare parent code H2020-EU.3.7. says "security
research" without saying which area, so it gives none; it is what the current
CORDIS project.csv holds for the 421 Secure societies projects (the sub-programme
codes are in legalBasis.csv and in older extracts), so the topic is used as well.

H2020 security topics name their area too, in the three work programmes of
part 14 "Secure societies":
  2014-2015  DRS-<n>-<year> (disaster resilience), FCT-<n>-<year>, BES-<n>-<year>
             (border and external security), DS-<n>-<year> (digital security),
             CIP-<n>-<year> (critical infrastructure protection);
  2016-2017  SEC-<nn>-<DRS|FCT|BES|GM>-<year>, CIP-01-2016-2017, DS-<nn>-<year>;
  2018-2020  SU-<FCT|BES|DS|INFRA|DRS|GM><nn>-<years>.
BES goes to BM (its topics are mostly border security), DS to CS, CIP and INFRA
to INFRA, GM (general matters) to SSRI. These prefixes are used by no other part
of Horizon 2020 (the Security Union topics of other parts read SU-ICT-, SU-TDS-,
and are not security research projects by legal basis, so they are left out).

Horizon Europe, by topic code only (the legal basis HORIZON.2.3* also covers
EU Missions projects co-funded from the cluster, so it over-counts): Cluster 3
topics are HORIZON-CL3-<year>-<AREA>-<nn>-<nn> (2021-2024 work programmes) or
HORIZON-CL3-<year>-<nn>-<AREA>-<nn> (2025 on), AREA one of the six codes.
"""

import re

AREA_CODES = ("FCT", "BM", "INFRA", "CS", "DRS", "SSRI")

H2020_SUB_PROGRAMMES = {
    "1": "FCT",
    "2": "INFRA",
    "3": "BM",
    "4": "CS",
    "5": "DRS",
    "6": "SSRI",
    "7": "SSRI",
    "8": "SSRI",
}

H2020_TOPIC_AREAS = {"FCT": "FCT", "BES": "BM", "DS": "CS", "INFRA": "INFRA", "CIP": "INFRA", "DRS": "DRS", "GM": "SSRI"}

_H2020_LEGAL_BASIS = re.compile(r"^H2020-EU\.3\.7\.([1-8])(?:\.|$)")
_H2020_TOPICS = (
    re.compile(r"^SU-(FCT|BES|DS|INFRA|DRS|GM)\d"),  # 2018-2020: SU-FCT01-2018-2019-2020
    re.compile(r"^SEC-\d{1,2}-(FCT|BES|DRS|GM)-20\d\d"),  # 2016-2017: SEC-12-FCT-2016-2017
    re.compile(r"^(FCT|BES|DS|DRS|CIP)-\d{1,2}-20\d\d"),  # 2014-2017: DRS-1-2015, DS-02-2016, CIP-01-2016-2017
)
_HORIZON_TOPIC = re.compile(r"^HORIZON-CL3-(\d{4})-(?:\d{2}-)?(FCT|BM|INFRA|CS|DRS|SSRI)-\d{2}(?:-\d{2})?$")


def split_codes(value):
    """The codes of a multi-valued CORDIS field ("H2020-EU.3.7.1.;H2020-EU.3.7.8.")."""
    return [code.strip() for code in (value or "").split(";") if code.strip()]


def area_of_h2020_legal_basis(code):
    """The area code a Horizon 2020 Secure societies legal basis names (H2020-EU.3.7.1. ...), or None."""
    match = _H2020_LEGAL_BASIS.match((code or "").strip().upper())
    return H2020_SUB_PROGRAMMES[match.group(1)] if match else None


def area_of_h2020_topic(code):
    """The area code a Horizon 2020 Secure societies topic names (SU-FCT01-2018, DRS-1-2015, ...), or None."""
    code = (code or "").strip().upper()
    for pattern in _H2020_TOPICS:
        match = pattern.match(code)
        if match:
            return H2020_TOPIC_AREAS[match.group(1)]
    return None


def area_of_call_topic(code):
    """The area code a Cluster 3 topic code names, or None."""
    match = _HORIZON_TOPIC.match((code or "").strip().upper())
    return match.group(2) if match else None


def year_of_call_topic(code):
    match = _HORIZON_TOPIC.match((code or "").strip().upper())
    return int(match.group(1)) if match else None


def areas_from_codes(programme, topics, legal_basis):
    """The area codes the project's codes give (a set; empty when none says), in the order of AREA_CODES."""
    found = set()
    if programme == "H2020":
        for code in split_codes(legal_basis):
            area = area_of_h2020_legal_basis(code)
            if area:
                found.add(area)
        for code in split_codes(topics):
            area = area_of_h2020_topic(code)
            if area:
                found.add(area)
    elif programme == "HORIZON":
        for code in split_codes(topics):
            area = area_of_call_topic(code)
            if area:
                found.add(area)
    return [code for code in AREA_CODES if code in found]
