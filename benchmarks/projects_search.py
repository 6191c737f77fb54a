"""Project search at 50,000 projects on PostgreSQL: p50/p95 of a whole explorer search (count, page, every facet).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ceris_bench .venv/bin/python benchmarks/projects_search.py

The database must exist; it is migrated, and its projects are replaced by
50,000 made from the real CORDIS sample rows (../shared/data/cordis/) with new
ids and varied programme, year, country, funding scheme, status and areas.
Target: p95 under 100 ms.
"""

import csv
import os
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "data" / "cordis" / "h2020-project-sample.csv"
SIZE = int(os.environ.get("PROJECTS", 50_000))
RUNS = int(os.environ.get("RUNS", 30))

QUERIES = [
    ("common word (a fifth of rows)", {"q": "platform"}),
    ("word + programme", {"q": "security", "programme": ["H2020"]}),
    ("two words + area", {"q": "efficient design", "area": ["DRS"]}),
    ("acronym prefix", {"q": "robo"}),
    ("no words, facets", {"programme": ["HORIZON"], "start_year": [2021, 2022], "country": ["DE", "FR"]}),
    ("rare word", {"q": "radicalisation"}),
    ("word, sorted by EU contribution", {"q": "technologies", "sort": "largest"}),
]


def sample_rows():
    with open(SAMPLE, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter=";") if len(row) >= 17]
    return [(row[1], row[3], row[16]) for row in rows[1:] if row[1]]


def fill(db, Project, project_areas, ThematicArea):
    import sqlalchemy as sa

    rows = sample_rows()
    rng = random.Random(10)
    area_ids = db.session.scalars(sa.select(ThematicArea.id)).all()
    db.session.execute(sa.text("TRUNCATE projects RESTART IDENTITY CASCADE"))
    batch, links = [], []
    for number in range(1, SIZE + 1):
        acronym, title, objective = rows[number % len(rows)]
        batch.append(
            {
                "id": number,
                "acronym": f"{acronym}{number}",
                "title": title,
                "objective": objective,
                "programme": rng.choice(["H2020", "H2020", "HORIZON", "ISF", "BMVI", "UCPM", "DIGITAL"]),
                "status": rng.choice(["SIGNED", "CLOSED", "TERMINATED"]),
                "start_date": date(rng.randint(2014, 2025), rng.randint(1, 12), 1),
                "eu_contribution": Decimal(rng.randint(100_000, 15_000_000)),
                "coordinator_country": rng.choice(["DE", "FR", "IT", "ES", "EL", "BE", "NL", "PL", "AT", "FI"]),
                "funding_scheme": rng.choice(["RIA", "IA", "CSA", "HORIZON-RIA", "HORIZON-IA"]),
                "cordis_id": str(900000 + number),
                "source": "cordis",
            }
        )
        links += [{"project_id": number, "area_id": area} for area in rng.sample(area_ids, rng.randint(0, 2))]
        if len(batch) == 5000:
            db.session.execute(sa.insert(Project), batch)
            if links:
                db.session.execute(sa.insert(project_areas), links)
            batch, links = [], []
    if batch:
        db.session.execute(sa.insert(Project), batch)
    if links:
        db.session.execute(sa.insert(project_areas), links)
    db.session.commit()
    # A table in its steady state, as autovacuum leaves it: statistics, visibility map and hint bits
    # set (measuring while autovacuum works through 50,000 fresh rows would time the vacuum).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM (ANALYZE) projects"))
        connection.execute(sa.text("VACUUM (ANALYZE) project_areas"))


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is migrated and its projects replaced).")
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-not-for-production-0000")
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    from flask_migrate import upgrade

    from app import create_app
    from app.community.models import ThematicArea
    from app.community.services import seed_thematic_areas
    from app.extensions import db
    from app.projects import explorer
    from app.projects.models import Project, project_areas

    app = create_app()
    with app.app_context():
        upgrade()
        seed_thematic_areas()
        started = time.perf_counter()
        fill(db, Project, project_areas, ThematicArea)
        print(f"{SIZE:,} projects made in {time.perf_counter() - started:.1f} s")
        every = []
        print(f"{'query':34} {'results':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for name, spec in QUERIES:
            spec = dict(spec)
            sort = spec.pop("sort", "relevance")
            filters = explorer.Filters(**spec)
            explorer.search(filters, sort=sort)  # warm the cache
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                result = explorer.search(filters, sort=sort, per_page=20)
                times.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
            every += times
            times.sort()
            print(f"{name:34} {result.total:>8,} {statistics.median(times):>8.1f} {times[int(len(times) * 0.95) - 1]:>8.1f}")
        every.sort()
        p95 = every[int(len(every) * 0.95) - 1]
        print(f"{'all':34} {'':>8} {statistics.median(every):>8.1f} {p95:>8.1f}   target p95 < 100 ms: {'met' if p95 < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
