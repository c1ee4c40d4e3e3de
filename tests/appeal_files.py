"""Small hand-made eOtinish export files for tests, with (fake) personal data in clear."""

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

from ingest.eotinish_schema import APPEAL_SOURCE_COLUMNS, EVENT_SOURCE_COLUMNS

APPEAL_COLUMNS = [name for name, _ in APPEAL_SOURCE_COLUMNS]
EVENT_COLUMNS = [name for name, _ in EVENT_SOURCE_COLUMNS]
IIN = "900315300123"  # fake, but IIN-shaped: the warehouse must never hold it


def appeal(number: int, day: str, **changes) -> dict:
    start = datetime.fromisoformat(day) + timedelta(hours=9, minutes=number)
    row = {
        "id": f"{start:%y%m%d}{number:08d}",
        "reg_number": f"ЖТ-{start:%Y}-{number:08d}",
        "current_state": "CREATED",
        "current_working_state": "NEW",
        "start_date": start.isoformat(),
        "deadline": (start + timedelta(days=21)).date().isoformat(),
        "finish_date": None,
        "org_id": 932,
        "executive_org_id": 932,
        "appeal_source_id": "EGOV",
        "prolong_count": 0,
        "prolong_days": 0,
        "complaint_exist": False,
        "is_duplicate_of": None,
        "has_lawsuit": False,
        "type_id": "STATEMENT",
        "issue_category_id": "cat-roads",
        "subissue_category_id": "cat-roads-potholes",
        "location_id": "351010000",
        "appeal_form": "ELECTRONIC",
        "appeal_character": "INDIVIDUAL",
        "language_id": "ru",
        "person_age": 34,
        "created_date": start.isoformat(),
        "modified_date": start.isoformat(),
        "applicant_iin": IIN,
        "applicant_name": "Айгерим Сапарова",
        "applicant_phone": "+7 701 555 0101",
        "applicant_email": "a.saparova@example.kz",
        "applicant_address": "Караганда, ул. Ерубаева 1",
        "data": f"Прошу отремонтировать дорогу. Мой ИИН {IIN}, телефон +77015550101",
    }
    row.update(changes)
    return row


def event(event_id: str, appeal_id: str, state: str, when: str, **changes) -> dict:
    row = {
        "id": event_id,
        "appeal_id": appeal_id,
        "type": "CHANGE_STATUS",
        "state": state,
        "working_state": "IN_WORK",
        "actor_org_id": 932,
        "target_org_id": 932,
        "actor_user_id": "u-17",
        "date": when,
        "created_date": when,
        "message": f"Заявитель {IIN} уведомлён",
        "system_message_ru": "Статус изменён",
    }
    row.update(changes)
    return row


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
