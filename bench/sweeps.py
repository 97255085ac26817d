"""The deadline sweep, timed in-process through the product's own service.

``nothing``: the sweep when no threshold was crossed since the last run (the
common case, every five minutes). ``crossing K``: K open cases are made to
cross their first reminder between two sweeps (their thresholds are moved, as
a policy or holiday change would), then one sweep is timed until every alert
is recorded and every message is in the outbox.

    python -m bench.sweeps --database-url URL --crossing 1000 --crossing 10000

Prints one JSON object. Run it in a database copy: it changes cases.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import timedelta
from typing import Any

WORKING = ("received", "screening", "in_progress")


def _crossing(k: int, after: Any) -> dict[str, Any]:
    import sqlalchemy as sa

    from suggestion.core.extensions import db
    from suggestion.core.time import utcnow
    from suggestion.notify.models import Notification
    from suggestion.sla.sweep import run_sweep

    # The open cases first; if there are fewer than K, reopen the latest
    # outcomes (as an officer's "reopen" would). Only assigned cases, never
    # corruption reports: each has one recipient (its assignee), so that the
    # work per case is the same at every scale and the figure is per case.
    chosen = list(
        db.session.scalars(
            sa.text(
                "SELECT id FROM cases WHERE status IN :working AND kind <> 'corruption' "
                "AND assignee_id IS NOT NULL ORDER BY received_at DESC LIMIT :k"
            ).bindparams(sa.bindparam("working", expanding=True)),
            {"working": list(WORKING), "k": k},
        )
    )
    if len(chosen) < k:
        more = list(
            db.session.scalars(
                sa.text(
                    "SELECT id FROM cases WHERE status IN ('resolved', 'closed') "
                    "AND kind <> 'corruption' AND assignee_id IS NOT NULL "
                    "ORDER BY received_at DESC LIMIT :n"
                ),
                {"n": k - len(chosen)},
            )
        )
        db.session.execute(
            sa.text(
                "UPDATE cases SET status = 'in_progress', resolved_at = NULL, closed_at = NULL, "
                "outcome_working_days = NULL, satisfaction = NULL, rated_at = NULL "
                "WHERE id = ANY(:ids)"
            ),
            {"ids": more},
        )
        chosen += more
    moment = max(utcnow(), after) + timedelta(seconds=1)
    db.session.execute(
        sa.text(
            "UPDATE cases SET remind_at = :moment, final_remind_at = :moment + interval '3 days', "
            "due_at = :moment + interval '4 days', escalate_at = :moment + interval '5 days', "
            "progress_due_at = :moment + interval '30 days' WHERE id = ANY(:ids)"
        ),
        {"moment": moment, "ids": chosen},
    )
    db.session.commit()
    # As autovacuum would after such a change, so that the sweep is timed on
    # a table in its usual state, not on the set-up's dead rows.
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE cases")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    sweep_at = moment + timedelta(seconds=1)
    started = time.perf_counter()
    report = run_sweep(now=sweep_at)
    seconds = time.perf_counter() - started
    after_count = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    crossed = report.counts.get("remind", 0)
    if crossed != k:
        raise SystemExit(f"expected {k} reminders, the sweep recorded {dict(report.counts)}")
    return {
        "crossing": k,
        "seconds": round(seconds, 3),
        "per_case_ms": round(1000 * seconds / k, 3),
        "messages": int(after_count or 0) - int(before or 0),
        "counts": dict(report.counts),
        "swept_at": sweep_at.isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--crossing", type=int, action="append", default=[])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    os.environ.update(
        SUGGESTION_ENV="production", DATABASE_URL=args.database_url, MAIL_BACKEND="folder"
    )
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")

    from datetime import datetime

    from suggestion import create_app
    from suggestion.core.time import utcnow
    from suggestion.sla.sweep import run_sweep

    app = create_app()
    result: dict[str, Any] = {}
    with app.app_context():
        times = []
        last: datetime = utcnow()
        for _ in range(args.repeat):
            last = max(utcnow(), last + timedelta(milliseconds=1))
            started = time.perf_counter()
            report = run_sweep(now=last)
            times.append(time.perf_counter() - started)
            if any(report.counts.values()):
                raise SystemExit(f"the quiet sweep found work: {dict(report.counts)}")
        result["nothing_ms"] = round(1000 * statistics.median(times), 2)
        result["nothing_runs_ms"] = [round(1000 * t, 2) for t in times]
        result["crossing"] = []
        for k in args.crossing:
            figures = _crossing(k, last)
            last = datetime.fromisoformat(figures.pop("swept_at"))
            result["crossing"].append(figures)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
