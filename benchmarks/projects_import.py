"""Project import speed and memory: a CORDIS project.csv of 50,000 rows through the same import as the command line.

    createdb -h 127.0.0.1 -U postgres ceris_bench_import
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ceris_bench_import .venv/bin/python benchmarks/projects_import.py

The database must exist; it is migrated. The file is made from the 137 real
H2020 sample rows (../shared/data/cordis/h2020-project-sample.csv) with new ids
(900,000,000 on, so no real project is touched): every other copy is rewritten
as a raw Horizon Europe row (ISO dates, decimal commas, a Cluster 3 topic,
grantDoi), so both variants are read. The import runs twice: first every row
is created, then every row is found unchanged. Figures: projects per second
and the process's peak resident memory; PROJECTS=10000 gives the same peak if
memory is constant. Target: more than 2,000 projects/s on PostgreSQL.
"""

import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "data" / "cordis" / "h2020-project-sample.csv"
SIZE = int(os.environ.get("PROJECTS", 50_000))
FIRST_ID = 900_000_000
AREAS = ("FCT", "BM", "INFRA", "CS", "DRS", "SSRI")


def iso(day):
    """dd.mm.yy -> yyyy-mm-dd (the sample's dates are all this century)."""
    if not day:
        return ""
    d, m, y = day.split(" ")[0].split(".")
    return f"20{y}-{m}-{d}"


def make_file(path):
    """Stream SIZE rows to `path`; nothing but one row is held at a time."""
    with open(SAMPLE, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        rows = list(reader)  # the 137 sample rows, the generator's material
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow([*header, "grantDoi"])
        for number in range(SIZE):
            row = list(rows[number % len(rows)])
            cordis_id = FIRST_ID + number
            row[0] = str(cordis_id)
            row[1] = f"{row[1]}{number}"[:100]
            if number % 2:
                # Horizon Europe, raw: ISO dates, decimal commas, a Cluster 3 topic.
                row[4], row[5], row[10] = iso(row[4]), iso(row[5]), iso(row[10])
                row[6], row[7] = row[6].replace(".", ","), row[7].replace(".", ",")
                row[8] = "HORIZON.2.3.1;HORIZON.2.3"
                row[9] = f"HORIZON-CL3-2022-{AREAS[number % 6]}-01-0{number % 9 + 1}"
                row[11] = "HORIZON"
                row[17] = iso(row[17]) + " 10:00:00" if row[17] else ""
                row.append(f"10.3030/{cordis_id}")
            else:
                row.append("")
            writer.writerow(row)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    os.environ.setdefault("REDIS_URL", "")
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from app.community.services import seed_thematic_areas
    from app.extensions import db
    from app.projects import services
    from app.projects.models import Project

    app = create_app()
    with app.app_context():
        upgrade()
        seed_thematic_areas()
        print(f"database: {db.engine.dialect.name}")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "project.csv")
            started = time.perf_counter()
            make_file(path)
            print(f"{SIZE:,} rows written in {time.perf_counter() - started:.1f} s ({os.path.getsize(path) / 1e6:.0f} MB)")
            # The generated ids, all nine digits: compared as text, the range is exact.
            old = sa.select(Project.id).where(Project.cordis_id.between(str(FIRST_ID), str(FIRST_ID + SIZE - 1)))
            db.session.execute(sa.delete(Project).where(Project.id.in_(old)))
            db.session.commit()
            before = peak_rss_mb()

            for run in ("first import", "again"):
                started = time.perf_counter()
                summary = services.import_file(path)
                seconds = time.perf_counter() - started
                print(f"{run:<13} {seconds:6.1f} s  {SIZE / seconds:8,.0f} projects/s  {services.summary_text(summary)}")
            print(f"peak resident memory: {peak_rss_mb():.0f} MB (before the imports: {before:.0f} MB)")

            db.session.execute(sa.delete(Project).where(Project.id.in_(old)))
            db.session.commit()


if __name__ == "__main__":
    main()
