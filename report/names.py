"""Names of regions and agencies in the page's language.

English: the warehouse's names as they are. Russian: regions from the KATO classifier (dim_region
name_ru, by the queries), agencies from the catalogue: national bodies by their whole English name,
regional ones by a pattern ("{region}: Health Department") with the region's Russian name put in.
Kazakh: the agencies' patterns are translated, but the warehouse has no official Kazakh names of the
regions (the KATO file it holds is the Russian edition), so regions are given in Russian there and
the page says so (KAZAKH_NAMES_NOTE).
"""

from report.i18n import N_, SOURCE, _, lang

NO_REGION = N_("No region")

# The organisations of the eOtinish seed (dbt_project/seeds/eotinish_organisations.csv): national
# bodies by name, regional ones by the pattern their names follow.
NATIONAL_AGENCIES = (
    N_("Ministry of Labour and Social Protection of the Population"),
    N_("Ministry of Health"),
    N_("Ministry of Education"),
    N_("Ministry of Internal Affairs"),
    N_("Ministry of Digital Development, Innovations and Aerospace Industry"),
    N_("Ministry of Industry and Construction"),
    N_("Ministry of Transport"),
    N_("Ministry of Agriculture"),
    N_("Ministry of Energy"),
    N_("Ministry of Justice"),
    N_("Ministry of Finance"),
    N_("Ministry of Ecology and Natural Resources"),
    N_("Ministry of National Economy"),
    N_("Ministry of Science and Higher Education"),
    N_("Ministry of Culture and Information"),
    N_("Ministry of Water Resources and Irrigation"),
    N_("Ministry of Emergency Situations"),
    N_("Ministry of Trade and Integration"),
    N_("Anti-Corruption Agency"),
    N_("Agency for Protection and Development of Competition"),
    N_("Agency for Regulation and Development of the Financial Market"),
    N_("Agency for Strategic Planning and Reforms"),
    N_("Supreme Court"),
    N_("Prosecutor General's Office"),
    N_('State Corporation "Government for Citizens"'),
    N_("Social Health Insurance Fund"),
)
REGIONAL_AGENCIES = (
    N_("Akimat of {region}"),
    N_("{region}: Department of Energy and Housing and Utilities"),
    N_("{region}: Department of Passenger Transport and Roads"),
    N_("{region}: Department of Land Relations"),
    N_("{region}: Department of Employment and Social Programmes"),
    N_("{region}: Health Department"),
    N_("{region}: Education Department"),
    N_("{region}: Department of Housing Relations and Housing Inspection"),
    N_("{region}: Department of Entrepreneurship and Industry"),
    N_("{region}: Department of Natural Resources and Environmental Management"),
    N_("Police Department of {region}"),
    N_("{region} Regional Court"),
    N_("{region} City Court"),
)

KAZAKH_NAMES_NOTE = N_(
    "Names of regions, and of regions within agencies' names, are shown in Russian, as in the KATO "
    "classifier held by the warehouse: it has no official list of their Kazakh names."
)


def local_names() -> bool:
    """Whether the page shows the regions' Russian names (every page but the English one)."""
    return lang() != SOURCE


def region(name: str | None) -> str:
    if not name or name == NO_REGION:
        return _(NO_REGION)
    return name


def agency(row: dict) -> str:
    """The agency's name in the page's language; its English name when there is no translation.
    row: agency (the English name, maybe with its id), org_name, region_name_en, region_name_ru."""
    shown = row["agency"]
    if lang() == SOURCE:
        return shown
    english = row.get("org_name") or shown
    suffix = shown[len(english) :] if shown.startswith(english) else ""  # " (<org_id>)" of a clash
    region_en, region_ru = row.get("region_name_en"), row.get("region_name_ru")
    if english.startswith("Organisation ") and english[13:].isdigit():  # no dim_agency: by its id
        return _("Organisation {id}").format(id=english[13:]) + suffix
    if english in NATIONAL_AGENCIES:
        return _(english) + suffix
    if region_en and region_ru and region_en in english:
        pattern = english.replace(region_en, "{region}", 1)
        if pattern in REGIONAL_AGENCIES and _(pattern) != pattern:
            return _(pattern).format(region=region_ru) + suffix
    return shown
