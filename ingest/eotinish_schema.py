"""eOtinish (citizens' appeals to state bodies) export layout: two files per day.

    appeals_YYYY-MM-DD.jsonl | .csv        appeals created or changed that day (a snapshot per appeal)
    appeal_events_YYYY-MM-DD.jsonl | .csv  history events received that day (may be late, out of
                                           order, or re-sent)

Field names follow the eOtinish back end (public.appeals, public.appeals_applications,
public.appeals_history; ../shared/reference/schemas/eotinish_backend_schema.md), flattened into one
appeal record. The applicant's personal data arrives in clear in the export and must never reach
the warehouse in clear: identifiers are replaced by a keyed hash at read time, free text is dropped.
"""

# --- appeals export --------------------------------------------------------------------------------
# (column, DuckDB type) as exported. Timestamps are ISO 8601 local time (Asia/Almaty, no zone).
APPEAL_SOURCE_COLUMNS: list[tuple[str, str]] = [
    ("id", "VARCHAR"),  # 'YYMMDD' + 8-digit counter, e.g. '22052600000992'
    ("reg_number", "VARCHAR"),  # e.g. 'ЖТ-2022-00000742'
    ("current_state", "VARCHAR"),  # APPEAL_STATES
    ("current_working_state", "VARCHAR"),  # WORKING_STATES
    ("start_date", "TIMESTAMP"),  # registration
    ("deadline", "DATE"),  # start + 15 working days by default (+ prolongations)
    ("finish_date", "TIMESTAMP"),  # answer sent, empty while open
    ("org_id", "INTEGER"),  # receiving organisation
    ("executive_org_id", "INTEGER"),  # executing organisation
    ("appeal_source_id", "VARCHAR"),  # channel: APPEAL_SOURCES
    ("prolong_count", "INTEGER"),
    ("prolong_days", "INTEGER"),
    ("complaint_exist", "BOOLEAN"),
    ("is_duplicate_of", "VARCHAR"),  # id of the original appeal, if a duplicate
    ("has_lawsuit", "BOOLEAN"),
    ("type_id", "VARCHAR"),  # APPEAL_TYPES
    ("issue_category_id", "VARCHAR"),
    ("subissue_category_id", "VARCHAR"),
    ("location_id", "VARCHAR"),  # KATO code (9 digits) of the applicant's locality
    ("appeal_form", "VARCHAR"),  # APPEAL_FORMS
    ("appeal_character", "VARCHAR"),  # APPEAL_CHARACTERS
    ("language_id", "VARCHAR"),  # 'kk' | 'ru' | 'en'
    ("person_age", "INTEGER"),
    ("created_date", "TIMESTAMP"),
    ("modified_date", "TIMESTAMP"),
    # personal data, in clear in the export:
    ("applicant_iin", "VARCHAR"),  # 12-digit individual identification number
    ("applicant_name", "VARCHAR"),
    ("applicant_phone", "VARCHAR"),
    ("applicant_email", "VARCHAR"),
    ("applicant_address", "VARCHAR"),
    ("data", "VARCHAR"),  # the appeal's free text
]

# --- history events export -------------------------------------------------------------------------
EVENT_SOURCE_COLUMNS: list[tuple[str, str]] = [
    ("id", "VARCHAR"),  # event id, unique; a re-sent event repeats it
    ("appeal_id", "VARCHAR"),
    ("type", "VARCHAR"),  # EVENT_TYPES
    ("state", "VARCHAR"),  # APPEAL_STATES: the appeal's state after the event
    ("working_state", "VARCHAR"),  # WORKING_STATES
    ("actor_org_id", "INTEGER"),
    ("target_org_id", "INTEGER"),
    ("actor_user_id", "VARCHAR"),  # an official's account id (not citizen data)
    ("date", "TIMESTAMP"),  # when the event happened
    ("created_date", "TIMESTAMP"),  # when the back end recorded it
    ("message", "VARCHAR"),  # free text (may quote the applicant): dropped
    ("system_message_ru", "VARCHAR"),  # free text: dropped
]

# Identifiers replaced by a keyed hash (HMAC-SHA256, hex) so repeat applicants can be counted.
HASHED_COLUMNS = {"applicant_iin": "applicant_key"}
# Free text and direct identifiers that are dropped.
DROPPED_COLUMNS = {
    "applicant_name",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "data",
    "message",
    "system_message_ru",
}


def staged_column_names(columns: list[tuple[str, str]]) -> list[str]:
    """The columns of an export that reach the warehouse: hashed ones renamed, dropped ones gone."""
    return [HASHED_COLUMNS.get(name, name) for name, _ in columns if name not in DROPPED_COLUMNS]


APPEAL_STATES = [
    "CREATED",
    "ASSIGNED",
    "IN_PROGRESS",
    "PROLONGED",
    "ANSWERED",
    "CLOSED",
    "REOPENED",
    "WITHDRAWN",
]
WORKING_STATES = ["NEW", "IN_WORK", "ON_PROLONGATION", "RESPONSE_SENT", "DONE", "RETURNED"]
EVENT_TYPES = ["CHANGE_STATUS", "FORWARD", "PROLONG", "ANSWER", "REOPEN", "COMMENT"]
APPEAL_TYPES = [
    "REQUEST",
    "STATEMENT",
    "COMPLAINT",
    "PROPOSAL",
    "REPORT",
    "RESPONSE",
    "INFO_REQUEST",
    "MEDIA_REQUEST",
    "LAWYER_REQUEST",
]
APPEAL_SOURCES = ["PA", "EGOV", "MOBILE", "PAPER", "EMAIL", "VISIT", "CALL_CENTER"]
APPEAL_FORMS = ["ELECTRONIC", "PAPER_ON_PURPOSE", "ORAL"]
APPEAL_CHARACTERS = ["INDIVIDUAL", "COLLECTIVE"]
LANGUAGES = ["kk", "ru", "en"]

DEFAULT_DEADLINE_WORKING_DAYS = 15
# No suite checks text columns for IINs: the read itself replaces every valid IIN in every field
# by its keyed token (ingest.privacy, redact_pii_list), and a regex cannot tell an IIN from a digit run
# of the same shape (a UUID's last group, say), so such a check only rejected good rows.


# What each column of raw.eotinish_appeals / raw.eotinish_appeal_events means (their dbt docs are
# generated from these: catalog/dbt_sources.py).
APPEAL_DESCRIPTIONS: dict[str, str] = {
    "id": "Appeal id, 'YYMMDD' + 8-digit counter.",
    "reg_number": "Registration number, e.g. 'ЖТ-2022-00000742'.",
    "current_state": "Appeal state (APPEAL_STATES).",
    "current_working_state": "Working state (WORKING_STATES).",
    "start_date": "Registration time (Asia/Almaty local, no zone).",
    "deadline": "Answer deadline (start + 15 working days by default, plus prolongations).",
    "finish_date": "Time the answer was sent; null while open.",
    "org_id": "Receiving organisation.",
    "executive_org_id": "Executing organisation.",
    "appeal_source_id": "Channel (APPEAL_SOURCES).",
    "prolong_count": "Number of prolongations.",
    "prolong_days": "Days added by prolongations.",
    "complaint_exist": "True when a complaint was filed about the appeal's handling.",
    "is_duplicate_of": "Id of the original appeal when this one is a duplicate.",
    "has_lawsuit": "True when a lawsuit is linked.",
    "type_id": "Appeal type (APPEAL_TYPES).",
    "issue_category_id": "Category.",
    "subissue_category_id": "Subcategory.",
    "location_id": "KATO code (9 digits) of the applicant's locality.",
    "appeal_form": "Form (APPEAL_FORMS).",
    "appeal_character": "INDIVIDUAL or COLLECTIVE.",
    "language_id": "kk, ru or en.",
    "person_age": "Applicant's age.",
    "created_date": "Record creation time.",
    "modified_date": "Record modification time (orders the snapshots).",
    "applicant_key": "HMAC-SHA256 hex of the applicant's IIN (the IIN itself is never loaded).",
    "_partition_date": "Day of the export file.",
}
EVENT_DESCRIPTIONS: dict[str, str] = {
    "id": "Event id; a re-sent event repeats it.",
    "appeal_id": "Appeal the event belongs to.",
    "type": "Event type (EVENT_TYPES).",
    "state": "The appeal's state after the event (APPEAL_STATES).",
    "working_state": "Working state after the event (WORKING_STATES).",
    "actor_org_id": "Organisation that acted.",
    "target_org_id": "Organisation the appeal was sent to (forwarding, answers).",
    "actor_user_id": "Official's account id (not citizen data).",
    "date": "When the event happened.",
    "created_date": "When the back end recorded it.",
    "is_late": "True when the event's date is before the export file's day.",
    "_partition_date": "Day of the export file.",
}
