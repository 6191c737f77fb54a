"""Which contributions a reviewer may open: those they are assigned to.

Assignments arrive with the review workflow; until then reviewers see no
submitted contributions other than their own.
"""


def clause(user):
    return None
