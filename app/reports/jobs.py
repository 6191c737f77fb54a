"""The report build job (RQ, or in-process in the embedded default)."""
from app.jobs import job


@job
def build_report(job_id):
    """Build and publish the version a BackgroundJob asks for; safe to run twice (the second run finds it done)."""
    from app.reports.publishing import run_build  # publishing enqueues this job: an import cycle

    return run_build(job_id)
