"""A CSV of historical cases in the import format of DESIGN §2."""

from __future__ import annotations

import csv
import random
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from pathlib import Path

from suggestion.cases.importing import COLUMNS

CATEGORIES = {
    "complaint": ["data-service", "survey", "staff-conduct", "website", "other"],
    "inquiry": ["data-service", "survey", "website", "other"],
    "suggestion": ["data-service", "website", "other"],
    "compliment": ["staff-conduct", "other"],
    "corruption": ["bribery", "procurement", "abuse-of-power"],
}


def write_import_csv(path: Path, rows: int, seed: int = 7) -> None:
    """``rows`` cases received in the last two years, most with an outcome."""
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    kinds = list(CATEGORIES)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for i in range(rows):
            kind = rng.choices(kinds, (45, 25, 14, 7, 9))[0]
            received = today - timedelta(days=rng.randint(30, 730))
            resolved = received + timedelta(days=rng.randint(1, 40)) if rng.random() < 0.9 else None
            closed = resolved + timedelta(days=3) if resolved and rng.random() < 0.8 else None
            writer.writerow(
                [
                    f"OLD-{i:07d}",
                    kind,
                    rng.choice(CATEGORIES[kind]),
                    rng.choice(["letter", "phone", "walk_in", "email"]),
                    f"เรื่องเดิมจากระบบเก่า ลำดับที่ {i}",
                    "รายละเอียดของเรื่องร้องเรียนที่นำเข้าจากระบบเดิม",
                    f"{received.isoformat()}T{rng.randint(8, 16):02d}:{rng.randrange(60):02d}:00+07:00",
                    "",
                    resolved.isoformat() if resolved else "",
                    closed.isoformat() if closed else "",
                    "",
                    "",
                    rng.choice(["", "", "4", "5", "3"]) if closed else "",
                ]
            )
