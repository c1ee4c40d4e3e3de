"""The UN Comtrade v1 record layout, as the `get` API returns it (CSV columns or JSON keys).

Column order and meanings: ../shared/reference/schemas/comtrade_v1_get_columns.md (copied into
docs of the dbt source). Raw tables keep the API's own camelCase names so that a row can be traced
back to the file it came from; dbt staging renames them to snake_case.
"""

# (column, DuckDB type) in the API's CSV order.
COMTRADE_COLUMNS: list[tuple[str, str]] = [
    ("typeCode", "VARCHAR"),
    ("freqCode", "VARCHAR"),
    ("refPeriodId", "INTEGER"),
    ("refYear", "INTEGER"),
    ("refMonth", "INTEGER"),
    ("period", "VARCHAR"),
    ("reporterCode", "INTEGER"),
    ("reporterISO", "VARCHAR"),
    ("reporterDesc", "VARCHAR"),
    ("flowCode", "VARCHAR"),
    ("flowDesc", "VARCHAR"),
    ("partnerCode", "INTEGER"),
    ("partnerISO", "VARCHAR"),
    ("partnerDesc", "VARCHAR"),
    ("partner2Code", "INTEGER"),
    ("partner2ISO", "VARCHAR"),
    ("partner2Desc", "VARCHAR"),
    ("classificationCode", "VARCHAR"),
    ("classificationSearchCode", "VARCHAR"),
    ("isOriginalClassification", "BOOLEAN"),
    ("cmdCode", "VARCHAR"),
    ("cmdDesc", "VARCHAR"),
    ("aggrLevel", "INTEGER"),
    ("isLeaf", "BOOLEAN"),
    ("customsCode", "VARCHAR"),
    ("customsDesc", "VARCHAR"),
    ("mosCode", "VARCHAR"),
    ("motCode", "INTEGER"),
    ("motDesc", "VARCHAR"),
    ("qtyUnitCode", "INTEGER"),
    ("qtyUnitAbbr", "VARCHAR"),
    ("qty", "DOUBLE"),
    ("isQtyEstimated", "BOOLEAN"),
    ("altQtyUnitCode", "INTEGER"),
    ("altQtyUnitAbbr", "VARCHAR"),
    ("altQty", "DOUBLE"),
    ("isAltQtyEstimated", "BOOLEAN"),
    ("netWgt", "DOUBLE"),
    ("isNetWgtEstimated", "BOOLEAN"),
    ("grossWgt", "DOUBLE"),
    ("isGrossWgtEstimated", "BOOLEAN"),
    ("cifvalue", "DECIMAL(18,2)"),
    ("fobvalue", "DECIMAL(18,2)"),
    ("primaryValue", "DECIMAL(18,2)"),
    ("legacyEstimationFlag", "INTEGER"),
    ("isReported", "BOOLEAN"),
    ("isAggregate", "BOOLEAN"),
]
COLUMN_NAMES = [name for name, _ in COMTRADE_COLUMNS]

# Columns a record cannot be understood without; the others may be empty (Comtrade leaves
# quantities, weights and CIF/FOB blank for many lines).
REQUIRED_VALUES = [
    "typeCode", "freqCode", "period", "reporterCode", "flowCode", "partnerCode",
    "partner2Code", "classificationCode", "cmdCode", "customsCode", "motCode", "primaryValue",
]
NON_NEGATIVE = ["qty", "altQty", "netWgt", "grossWgt", "cifvalue", "fobvalue", "primaryValue"]
FLOW_CODES = ["M", "X", "RM", "RX"]
FREQ_CODES = ["A", "M"]

# One value per flow, partner, commodity and breakdown within a slice.
RECORD_KEY = [
    "typeCode", "freqCode", "period", "reporterCode", "flowCode", "partnerCode", "partner2Code",
    "classificationCode", "cmdCode", "customsCode", "mosCode", "motCode",
]

KAZAKHSTAN = 398
TAJIKISTAN = 762
