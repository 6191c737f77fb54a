from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import record_id, select_choices
from app.i18n import lazy_gettext as _l
from app.reviews.models import ACCEPT, REJECT, REVISE

SCORE_CHOICES = select_choices((str(score), str(score)) for score in range(1, 6))


class ReviewForm(FlaskForm):
    recommendation = RadioField(
        _l("Recommendation"),
        choices=select_choices([(ACCEPT, _l("Accept")), (REVISE, _l("Ask for changes")), (REJECT, _l("Reject"))]),
        validators=[DataRequired()],
    )
    relevance = RadioField(_l("Relevance (1 low – 5 high)"), choices=SCORE_CHOICES, validators=[DataRequired()])
    evidence = RadioField(_l("Evidence (1 low – 5 high)"), choices=SCORE_CHOICES, validators=[DataRequired()])
    urgency = RadioField(_l("Urgency (1 low – 5 high)"), choices=SCORE_CHOICES, validators=[DataRequired()])
    comment_to_author = TextAreaField(_l("Comment to the author"), validators=[Optional(), Length(max=20000)])
    confidential_comment = TextAreaField(_l("Confidential comment to the editors"), validators=[Optional(), Length(max=20000)])


class AcceptForm(FlaskForm):
    """Accepting a review request: nothing to fill in but the CSRF token."""


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why you decline"), validators=[DataRequired(), Length(max=5000)])


class AssignForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), choices=[], coerce=record_id, validate_choice=False)
