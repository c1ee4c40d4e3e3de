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
    "typeCode",
    "freqCode",
    "period",
    "reporterCode",
    "flowCode",
    "partnerCode",
    "partner2Code",
    "classificationCode",
    "cmdCode",
    "customsCode",
    "motCode",
    "primaryValue",
]
NON_NEGATIVE = ["qty", "altQty", "netWgt", "grossWgt", "cifvalue", "fobvalue", "primaryValue"]
FLOW_CODES = ["M", "X", "RM", "RX"]
FREQ_CODES = ["A", "M"]

# One value per flow, partner, commodity and breakdown within a slice.
RECORD_KEY = [
    "typeCode",
    "freqCode",
    "period",
    "reporterCode",
    "flowCode",
    "partnerCode",
    "partner2Code",
    "classificationCode",
    "cmdCode",
    "customsCode",
    "mosCode",
    "motCode",
]

KAZAKHSTAN = 398
TAJIKISTAN = 762


# What each column means (the dbt docs of raw.comtrade_records are generated from these, with
# the provenance columns': catalog/dbt_sources.py).
DESCRIPTIONS: dict[str, str] = {
    "typeCode": "C = goods, S = services.",
    "freqCode": "A = annual, M = monthly.",
    "refPeriodId": "Comtrade period id (YYYYMMDD of the first day of the period).",
    "refYear": "Reference year.",
    "refMonth": "Reference month 1..12 for monthly rows, 52 for annual rows.",
    "period": "'YYYY' for annual rows, 'YYYYMM' for monthly rows.",
    "reporterCode": "UN M49-based Comtrade reporter code (398 Kazakhstan, 762 Tajikistan).",
    "reporterISO": "Reporter ISO alpha-3 code.",
    "reporterDesc": "Reporter name.",
    "flowCode": "M import, X export, RM re-import, RX re-export.",
    "flowDesc": "Flow name.",
    "partnerCode": "Partner M49 code (0 = World).",
    "partnerISO": "Partner ISO alpha-3 code.",
    "partnerDesc": "Partner name.",
    "partner2Code": "Second partner (consignment) code; 0 = World = no breakdown.",
    "partner2ISO": "Second partner ISO code.",
    "partner2Desc": "Second partner name.",
    "classificationCode": "Classification of cmdCode as reported (e.g. H5, H6).",
    "classificationSearchCode": "Classification family searched (HS).",
    "isOriginalClassification": "True when reported in the original classification (not converted).",
    "cmdCode": "'TOTAL' or an HS code with 2, 4 or 6 digits.",
    "cmdDesc": "Commodity description.",
    "aggrLevel": "0 for TOTAL, 2/4/6 for HS digits.",
    "isLeaf": "True for the most detailed code.",
    "customsCode": "Customs procedure; 'C00' = all procedures (no breakdown).",
    "customsDesc": "Customs procedure name.",
    "mosCode": "Mode of supply (services); '0' for goods.",
    "motCode": "Mode of transport; 0 = all modes (no breakdown).",
    "motDesc": "Mode of transport name.",
    "qtyUnitCode": "Quantity unit code.",
    "qtyUnitAbbr": "Quantity unit abbreviation.",
    "qty": "Quantity in qtyUnitAbbr.",
    "isQtyEstimated": "Quantity estimated flag.",
    "altQtyUnitCode": "Alternative quantity unit code.",
    "altQtyUnitAbbr": "Alternative quantity unit abbreviation.",
    "altQty": "Alternative quantity.",
    "isAltQtyEstimated": "Alternative quantity estimated flag.",
    "netWgt": "Net weight in kg.",
    "isNetWgtEstimated": "Net weight estimated flag.",
    "grossWgt": "Gross weight in kg.",
    "isGrossWgtEstimated": "Gross weight estimated flag.",
    "cifvalue": "CIF value in USD.",
    "fobvalue": "FOB value in USD.",
    "primaryValue": "Trade value in USD (CIF for imports, FOB for exports).",
    "legacyEstimationFlag": "Legacy estimation flag.",
    "isReported": "False for mirror/estimated values.",
    "isAggregate": "True for aggregated rows.",
}
