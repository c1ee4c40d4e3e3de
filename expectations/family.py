"""Expectation suites for the Digital Family Map extracts and proactive-service events: known
codes, one row per member (or family) and month, dates in range, plausible amounts, and every
member (family) of an extract present in the civil registry extract of the same month."""

from expectations.kato import known_kato
from expectations.runner import ExpectationSpec, compound_unique, unexpected_rows, validate_query
from ingest import family_schema as schema

INDEX = ["_source_file", "_source_row"]
REGISTRY = "raw.family_civil_registry"


def _in_set(column: str, values: list) -> ExpectationSpec:
    return ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def _not_null(*columns: str) -> list[ExpectationSpec]:
    return [ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def _between(column: str, low, high) -> ExpectationSpec:
    return ExpectationSpec(
        "ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high}
    )


def _columns(columns) -> ExpectationSpec:
    return ExpectationSpec(
        "ExpectTableColumnsToMatchSet",
        {"column_set": schema.staged_column_names(columns) + INDEX, "exact_match": False},
    )


def _date_in_range(column: str, what: str) -> ExpectationSpec:
    """A date not after the extract's month and not before 1900."""
    return unexpected_rows(
        f"select _source_file, _source_row, {column} from {{batch}} "
        f"where {column} < date '1900-01-01' "
        f"or {column} >= _partition_month + interval 1 month",
        column=column,
        check="date_in_range",
        message=f"the {what} is before 1900 or after the extract's month",
    )


def _in_registry(key: str) -> ExpectationSpec:
    """Every member (family) of an extract is in the civil registry extract of the same month."""
    what = "member" if key == "member_key" else "family"
    # (GX puts `{batch}` in the FROM clause with an alias of its own: no alias of ours here.)
    return unexpected_rows(
        f"""select _source_file, _source_row, {key} from {{batch}}
        where {key} is not null and {key} || '|' || _partition_month::varchar not in (
            select {key} || '|' || _partition_month::varchar from {REGISTRY})""",
        column=key,
        check=f"{what}_in_civil_registry",
        message=f"the {what} is not in the civil registry extract of the same month",
    )


def _plausible(column: str, high: int) -> ExpectationSpec:
    return _between(column, 0, high)


def suite(source: str) -> list[ExpectationSpec]:
    columns = schema.SOURCES[source]
    specs = [ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}), _columns(columns)]
    key = "family_key" if source == "housing" else "member_key"
    specs += _not_null(key)
    if source == "civil_registry":
        specs += [
            *_not_null("family_key", "relation_to_head", "sex", "birth_date", "region_kato"),
            _in_set("relation_to_head", schema.RELATIONS),
            _in_set("sex", schema.SEXES),
            _in_set("marital_status", schema.MARITAL_STATUSES),
            known_kato("region_kato"),
            _date_in_range("birth_date", "birth date"),
            _date_in_range("death_date", "death date"),
            unexpected_rows(
                "select _source_file, _source_row, death_date from {batch} where death_date < birth_date",
                column="death_date",
                check="death_after_birth",
                message="the death date is before the birth date",
            ),
            # A family exists when it has its head: a member of a family without one is a member of
            # an unknown family.
            unexpected_rows(
                """select _source_file, _source_row, family_key from (
                    select *, count(*) filter (where relation_to_head = 'HEAD')
                        over (partition by family_key, _partition_month) as heads
                    from {batch}) where heads <> 1""",
                column="family_key",
                check="family_has_one_head",
                message="the member's family has no head (or more than one) in this extract",
            ),
            compound_unique(["member_key", "_partition_month"]),
        ]
        return specs
    specs.append(_in_registry(key))
    if source == "income":
        specs += [
            _in_set("income_source", schema.INCOME_SOURCES),
            _plausible("income_kzt", schema.MAX_MONTHLY_KZT),
            _plausible("pension_kzt", schema.MAX_MONTHLY_KZT),
        ]
    elif source == "property":
        specs += [
            _plausible("real_estate_count", 100),
            _plausible("vehicle_count", 100),
            _plausible("property_value_kzt", schema.MAX_PROPERTY_KZT),
        ]
    elif source == "loans":
        specs += [_plausible("loans_active", 100), _plausible("loan_debt_kzt", schema.MAX_PROPERTY_KZT)]
    elif source == "employment":
        specs += [*_not_null("employment_status"), _in_set("employment_status", schema.EMPLOYMENT_STATUSES)]
    elif source == "social_benefits":
        specs += [
            *_not_null("benefit_type"),
            _in_set("benefit_type", schema.BENEFIT_TYPES),
            _plausible("benefit_kzt", schema.MAX_MONTHLY_KZT),
        ]
        return [*specs, compound_unique(["member_key", "benefit_type", "_partition_month"])]
    elif source == "disability":
        specs += [
            *_not_null("disability_group"),
            _in_set("disability_group", schema.DISABILITY_GROUPS),
            _date_in_range("established_on", "date the disability was established"),
        ]
    elif source == "education":
        specs += [
            _in_set("institution_type", schema.INSTITUTION_TYPES),
            _in_set("education_level", schema.EDUCATION_LEVELS),
        ]
    elif source == "housing":
        specs += [
            *_not_null("dwelling_type"),
            _in_set("dwelling_type", schema.DWELLING_TYPES),
            _plausible("area_m2", 5000),
            _plausible("rooms", 100),
        ]
    return [*specs, compound_unique([key, "_partition_month"])]


def events_suite() -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        _columns(schema.EVENT_COLUMNS),
        *_not_null(
            "event_id",
            "offer_id",
            "family_key",
            "member_key",
            "benefit_type",
            "event_type",
            "event_time",
            "region_kato",
        ),
        _in_set("benefit_type", schema.BENEFIT_TYPES),
        _in_set("event_type", schema.EVENT_TYPES),
        known_kato("region_kato"),
        _plausible("amount_kzt", schema.MAX_MONTHLY_KZT),
        # An event is in its own day's file, or later; never earlier.
        ExpectationSpec(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "_partition_date", "column_B": "event_date", "or_equal": True},
        ),
        unexpected_rows(
            "select _source_file, _source_row, amount_kzt from {batch} "
            "where event_type = 'PAID' and amount_kzt is null",
            column="amount_kzt",
            check="paid_has_amount",
            message="a payment without its amount",
        ),
        compound_unique(["event_id", "_partition_date"]),
    ]


def validator(source: str):
    name = schema.feed_name(source)

    def validate(batch, label: str):
        """Run the suite inside DuckDB on a batch of staged rows (ingest.feeds.ValidationBatch)."""
        return validate_query(name, suite(source), batch.con, batch.sql, label)

    return validate


def validate_proactive_events(batch, label: str):
    return validate_query("family_proactive_events", events_suite(), batch.con, batch.sql, label)
