"""Thematic areas from CORDIS codes: which of the six CERIS areas a security research project belongs to.

Horizon 2020, by legal basis: the specific objectives of Societal Challenge 7
"Secure societies" (H2020 specific programme, Council Decision 2013/743/EU,
Annex I, Part III, section 7.3; the titles CORDIS gives the codes in its
legalBasis.csv / programme list):

  H2020-EU.3.7.1  Fight crime, illegal trafficking and terrorism,
                  including understanding and tackling terrorist ideas and beliefs   -> FCT
  H2020-EU.3.7.2  Protect and improve the resilience of critical infrastructures,
                  supply chains and transport modes                                -> INFRA
  H2020-EU.3.7.3  Strengthen security through border management                    -> BM
  H2020-EU.3.7.4  Improve cyber security                                           -> CS
  H2020-EU.3.7.5  Increase Europe's resilience to crises and disasters             -> DRS
  H2020-EU.3.7.6  Ensure privacy and freedom, including in the Internet, and enhance
                  the societal, legal and ethical understanding of all areas of
                  security, risk and management                                    -> SSRI
  H2020-EU.3.7.7  Enhance standardisation and interoperability of systems,
                  including for emergency purposes                                 -> SSRI
  H2020-EU.3.7.8  Support the Union's external security policies, including
                  through conflict prevention and peace-building                   -> SSRI

3.7.6-3.7.8 are cross-cutting (ethics and society, standardisation, external
policy): CERIS files such work under "Strengthened Security Research and
Innovation" (SSRI), its cross-cutting area. The bare parent code H2020-EU.3.7.
says "security research" without saying which area, so it gives none.

H2020 security topics name their area too (SU-FCT01-2018, SU-BES02-2018 border
and external security, SU-DS04-2018 digital security, SU-INFRA01-2018,
SU-DRS01-2018, SU-GM01-2018 general matters); CORDIS files resaved through a
spreadsheet often lose the legal basis (see the data notes), so the topic is
used as well.

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

H2020_TOPIC_AREAS = {"FCT": "FCT", "BES": "BM", "DS": "CS", "INFRA": "INFRA", "DRS": "DRS", "GM": "SSRI"}

_H2020_LEGAL_BASIS = re.compile(r"^H2020-EU\.3\.7\.([1-8])(?:\.|$)")
_H2020_TOPIC = re.compile(r"^SU-(FCT|BES|DS|INFRA|DRS|GM)\d")
_HORIZON_TOPIC = re.compile(r"^HORIZON-CL3-(\d{4})-(?:\d{2}-)?(FCT|BM|INFRA|CS|DRS|SSRI)-\d{2}(?:-\d{2})?$")


def split_codes(value):
    """The codes of a multi-valued CORDIS field ("H2020-EU.3.7.1.;H2020-EU.3.7.8.")."""
    return [code.strip() for code in (value or "").split(";") if code.strip()]


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
            match = _H2020_LEGAL_BASIS.match(code)
            if match:
                found.add(H2020_SUB_PROGRAMMES[match.group(1)])
        for code in split_codes(topics):
            match = _H2020_TOPIC.match(code.upper())
            if match:
                found.add(H2020_TOPIC_AREAS[match.group(1)])
    elif programme == "HORIZON":
        for code in split_codes(topics):
            area = area_of_call_topic(code)
            if area:
                found.add(area)
    return [code for code in AREA_CODES if code in found]
