"""Digital Family Map (Цифровая карта семьи) inputs as they arrive: one CSV extract a month per
source database, and a daily file of proactive-service events.

    family/family_<source>_YYYY-MM.csv           one extract per source database and month
    family/family_proactive_events_YYYY-MM-DD.csv the day's proactive-service events

The record-level layout of the map is not published (../shared/reference/schemas/
digital_family_map_notes.md): these columns are this warehouse's contract for the extracts, modelled
on the inputs named publicly (civil registry kinship, income, movable and immovable property,
loans, employment, benefits, disability, clinic and school registrations, housing).

Personal data: a member's IIN is replaced by a keyed hash in the read (`member_key`, as eOtinish's
`applicant_key`: ingest/privacy.py); the family id (the civil registry's, which may derive from the
head's IIN) is hashed too (`family_key`); names are never read.
"""

# (column, DuckDB type) per source, as the extracts have them. Dates are ISO (YYYY-MM-DD).
MEMBER = [("member_iin", "VARCHAR")]
SOURCES: dict[str, list[tuple[str, str]]] = {
    "civil_registry": [
        *MEMBER,
        ("family_id", "VARCHAR"),  # the registry's family id (pseudonymised: hashed)
        ("relation_to_head", "VARCHAR"),  # RELATIONS
        ("sex", "VARCHAR"),  # 'M' | 'F'
        ("birth_date", "DATE"),
        ("death_date", "DATE"),  # empty while alive
        ("marital_status", "VARCHAR"),  # MARITAL_STATUSES
        ("region_kato", "VARCHAR"),  # 9-digit KATO code of the region of residence
        ("last_name", "VARCHAR"),  # never read
        ("first_name", "VARCHAR"),  # never read
    ],
    "income": [
        *MEMBER,
        ("income_source", "VARCHAR"),
        ("income_kzt", "DECIMAL(14,2)"),
        ("pension_kzt", "DECIMAL(14,2)"),
    ],
    "property": [
        *MEMBER,
        ("real_estate_count", "INTEGER"),
        ("vehicle_count", "INTEGER"),
        ("property_value_kzt", "DECIMAL(16,2)"),
    ],
    "loans": [
        *MEMBER,
        ("loans_active", "INTEGER"),
        ("loan_debt_kzt", "DECIMAL(16,2)"),
        ("overdue_90_days", "BOOLEAN"),
    ],
    "employment": [*MEMBER, ("employment_status", "VARCHAR")],
    "social_benefits": [*MEMBER, ("benefit_type", "VARCHAR"), ("benefit_kzt", "DECIMAL(14,2)")],
    "disability": [*MEMBER, ("disability_group", "VARCHAR"), ("established_on", "DATE")],
    "health": [
        *MEMBER,
        ("clinic_attached", "BOOLEAN"),
        ("chronic_registered", "BOOLEAN"),
        ("pregnancy_registered", "BOOLEAN"),
    ],
    "education": [*MEMBER, ("institution_type", "VARCHAR"), ("education_level", "VARCHAR")],
    "housing": [
        ("family_id", "VARCHAR"),
        ("dwelling_type", "VARCHAR"),
        ("area_m2", "DECIMAL(8,2)"),
        ("rooms", "INTEGER"),
        ("has_water", "BOOLEAN"),
        ("has_sewerage", "BOOLEAN"),
        ("has_heating", "BOOLEAN"),
    ],
}
EVENT_COLUMNS: list[tuple[str, str]] = [
    ("event_id", "VARCHAR"),
    ("offer_id", "VARCHAR"),  # the offer every event of one proposal shares
    ("family_id", "VARCHAR"),  # hashed
    ("member_iin", "VARCHAR"),  # the recipient: hashed
    ("benefit_type", "VARCHAR"),  # BENEFIT_TYPES
    ("event_type", "VARCHAR"),  # EVENT_TYPES
    ("event_time", "TIMESTAMP"),
    ("answer_deadline", "DATE"),  # on offers: the day the citizen must answer by
    ("amount_kzt", "DECIMAL(14,2)"),  # on PAID events
    ("region_kato", "VARCHAR"),
]
EXTRACTS = tuple(SOURCES)
# The column a feed names when a row has no partition (its first column that is not hashed).
PARTITION_COLUMN = {
    name: next(c for c, _ in columns if c not in ("member_iin", "family_id"))
    for name, columns in SOURCES.items()
}
NON_NEGATIVE = {
    "income": ("income_kzt", "pension_kzt"),
    "property": ("real_estate_count", "vehicle_count", "property_value_kzt"),
    "loans": ("loans_active", "loan_debt_kzt"),
    "social_benefits": ("benefit_kzt",),
    "housing": ("area_m2", "rooms"),
    "proactive_events": ("amount_kzt",),
}

HASHED_COLUMNS = {"member_iin": "member_key", "family_id": "family_key"}
DROPPED_COLUMNS = {"last_name", "first_name"}

RELATIONS = ["HEAD", "SPOUSE", "CHILD", "PARENT", "SIBLING", "GRANDCHILD", "OTHER"]
SEXES = ["M", "F"]
MARITAL_STATUSES = ["SINGLE", "MARRIED", "DIVORCED", "WIDOWED"]
INCOME_SOURCES = ["SALARY", "SELF_EMPLOYED", "PENSION", "BENEFIT", "OTHER"]
EMPLOYMENT_STATUSES = [
    "EMPLOYED",
    "SELF_EMPLOYED",
    "UNEMPLOYED",
    "INACTIVE",
    "STUDENT",
    "RETIRED",
    "PARENTAL_LEAVE",
]
DISABILITY_GROUPS = ["GROUP_1", "GROUP_2", "GROUP_3", "CHILD"]
INSTITUTION_TYPES = ["KINDERGARTEN", "SCHOOL", "COLLEGE", "UNIVERSITY", "NONE"]
EDUCATION_LEVELS = ["NONE", "PRIMARY", "BASIC_SECONDARY", "SECONDARY", "VOCATIONAL", "HIGHER"]
DWELLING_TYPES = ["OWN", "RENT", "SOCIAL", "RELATIVES", "NONE"]
# Up to nine benefits assigned proactively from 1 September 2022 (the five named publicly first).
BENEFIT_TYPES = [
    "CHILDBIRTH",
    "LARGE_FAMILY",
    "CHILD_DISABILITY",
    "TARGETED_SOCIAL_ASSISTANCE",
    "SURVIVOR",
    "CHILDCARE_UNDER_1",
    "DISABILITY",
    "CARER_OF_DISABLED",
    "MATERNITY",
]
EVENT_TYPES = ["OFFER_SENT", "ACCEPTED", "DECLINED", "NO_ANSWER", "ASSIGNED", "PAID"]

# Plausible amounts (KZT a month): anything above is a unit or typing error.
MAX_MONTHLY_KZT = 50_000_000
MAX_PROPERTY_KZT = 50_000_000_000
# The bundled demo stands for 1/1000 of the country (6.3 million families, 19.5 million people in
# January 2023): dbt var family_scale_factor.
DEMO_SCALE_FACTOR = 1000


def feed_name(source: str) -> str:
    return f"family_{source}"


def staged_column_names(columns: list[tuple[str, str]]) -> list[str]:
    return [HASHED_COLUMNS.get(name, name) for name, _ in columns if name not in DROPPED_COLUMNS]
