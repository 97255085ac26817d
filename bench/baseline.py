"""The baseline: a minimal Flask app on the same database and gunicorn
settings as the site, doing one INSERT (filing) or one indexed SELECT
(tracking) per request. The benchmark reports the site as a share of it.

    gunicorn bench.baseline:app
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask import jsonify
from flask import request

from config import normalise_database_url

app = Flask(__name__)
# The site's engine options (config.py), so that both pay the same per request.
engine = sa.create_engine(normalise_database_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)
metadata = sa.MetaData()
filings = sa.Table(
    "bench_baseline_filings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)


@app.post("/insert")
def insert() -> Any:
    body = request.get_json(silent=True) or {}
    with engine.begin() as conn:
        new_id = conn.execute(
            sa.insert(filings)
            .values(subject=body.get("subject", ""), description=body.get("description", ""))
            .returning(filings.c.id)
        ).scalar_one()
    return jsonify({"id": new_id}), 201


@app.get("/select/<code>")
def select(code: str) -> Any:
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT status, due_at FROM cases WHERE tracking_code = :code"),
            {"code": code},
        ).first()
    if row is None:
        return jsonify({"errors": {"tracking_code": ["not found"]}}), 404
    return jsonify({"status": row.status, "due_at": row.due_at.isoformat()})


def create_table() -> None:
    metadata.create_all(engine)
