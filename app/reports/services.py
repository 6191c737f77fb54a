"""Report rules, by responsibility; this module re-exports their public names for the rest of the app.

- access.py: who sees and edits what ("editor of one of the report's areas", written once), finding reports
- reports.py: templates per kind, what a viewer sees, lists, creating and editing reports
- curation.py: sections, their criteria, items and suggestions, contributions leaving and coming back
- publishing.py: the lifecycle on the workflow engine (workflows/report.toml), the published version
- jobs.py: the build job (queued with the freeze), retrying builds left waiting
- build.py: the published document and its files (HTML, PDF, JSON); files.py: finding and reading them
- errors.py: the report refusals (service errors)
- public.py: the public side: dissemination materials (published reports by kind, area, year), the gaps they rank

Views, the API, the CLI and the build job call these; none of them decides
anything about reports themselves.
"""

from app.reports.access import (  # noqa: F401
    area_editor_clause,
    can_edit,
    can_manage_reports,
    can_view,
    editable_reports_clause,
    feeding_states,
    feeds_reports,
    find_editable,
    find_viewable,
    get_editable,
    get_report,
    get_viewable,
    is_area_editor,
    is_public,
    lifecycle,
)
from app.reports.curation import (  # noqa: F401
    SYNTHESIS_MAX,
    Entry,
    SectionEntries,
    add_section,
    candidates,
    contribution_accepted,
    contribution_left_accepted,
    criteria,
    criteria_clause,
    entries_by_section,
    get_section,
    included_contributions,
    matching_accepted,
    move_item,
    move_section,
    remove_section,
    section_entries,
    set_item,
    update_section,
    workshops_for_choice,
)
from app.reports.errors import ReportConflict, ReportError, ReportForbidden, ReportInputError  # noqa: F401
from app.reports.files import (  # noqa: F401
    download_name,
    get_version,
    report_folder,
    reports_folder,
    version_document,
    version_file,
)
from app.reports.jobs import enqueue_build, retry_queued_builds, run_build  # noqa: F401
from app.reports.public import (  # noqa: F401
    PUBLICATION_KINDS,
    RankedGap,
    clean_publication_filters,
    latest_publications,
    publication_years,
    publications,
    ranked_gaps,
)
from app.reports.publishing import (  # noqa: F401
    BUILD_JOB_KIND,
    Lifecycle,
    begin_change,
    build_job,
    lifecycle_of,
    publish,
)
from app.reports.reports import (  # noqa: F401
    KIND_TEMPLATES,
    TITLE_MAX,
    ReportView,
    create_report,
    editable_reports,
    list_reports,
    published_clause,
    published_reports,
    report_view_for,
    update_report,
)
