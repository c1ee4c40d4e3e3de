"""Deterministic synthetic UN Comtrade v1 data for the Kazakhstan–Tajikistan trade warehouse.

Two generators, both writing the exact v1 `get` record layout of `ingest.comtrade_schema`:

* `write_bundled_dataset` — the small demo set: Kazakhstan (398) and Tajikistan (762) reporting
  their bilateral trade (mirror statistics of the same flows), monthly 2015-01..2025-12, plus
  Kazakh annual files 2015-2024. Yearly totals are calibrated to the published figures in
  `data/reference/kz_tj_trade_reference.csv`; chapters sum to the TOTAL to the cent. The same seed
  gives the same bytes.
* `write_scale_dataset` — any number of rows (Kazakhstan × every ISO 3166 partner × synthetic HS
  6-digit lines × months) in one CSV, for load benchmarks; generated in DuckDB chunks.

CLI::

    python -m demo.trade bundled OUT_DIR [--seed 2023]
    python -m demo.trade scale OUT_PATH [--rows 5000000] [--seed 7] [--no-progress]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from ingest.comtrade_schema import COLUMN_NAMES, KAZAKHSTAN, TAJIKISTAN

# --------------------------------------------------------------------------------------------
# Calibration targets (million USD). Sources: data/reference/kz_tj_trade_reference.csv.
# Columns: KZ-reported exports to TJ, KZ-reported imports from TJ, TJ-reported imports from KZ,
# TJ-reported exports to KZ. Published figures are kept exactly where they exist; the other
# cells are interpolated (pre-2019 splits, TJ side 2015-2020, 2022) or extrapolated (2024 +15%,
# 2025 +12%). Mirror gaps (|KZ - TJ| / max) stay at 2-21 %, TJ higher in some years, lower in
# others, as real mirror statistics do.
#   2016 KZ turnover 606, 2017 800 (+32 %), 2019 KZ 763 vs TJ 957.5, 2020 KZ X 693 / M 98,
#   2021 KZ 800 / 363.6 (= 877.6/1.097, 501.4/1.379) and TJ 820 / 360, 2022 KZ 877.6 / 501.4,
#   2023 TJ 893 / 255.8 (TJ turnover -20 % vs 2022), KZ 2023 ~1100, 2024 KZ Jan-Oct ~1100 (+15 %).
# --------------------------------------------------------------------------------------------
YEARS = tuple(range(2015, 2026))
ANNUAL_YEARS = tuple(range(2015, 2025))

CALIBRATION_MUSD: dict[int, tuple[float, float, float, float]] = {
    #      KZ X    KZ M   TJ M    TJ X
    2015: (590.0, 100.0, 560.0, 115.0),
    2016: (520.0, 86.0, 545.0, 95.0),
    2017: (640.0, 160.0, 700.0, 140.0),
    2018: (650.0, 130.0, 690.0, 118.0),
    2019: (653.8, 109.2, 820.5, 137.0),
    2020: (693.0, 98.0, 740.0, 120.0),
    2021: (800.0, 363.6, 820.0, 360.0),
    2022: (877.6, 501.4, 980.0, 450.0),
    2023: (830.0, 290.0, 893.0, 255.8),
    2024: (950.0, 340.0, 1015.0, 295.0),
    2025: (1065.0, 380.0, 1135.0, 335.0),
}

# Share of the year's value falling in January-June, where a half-year figure is published
# (KZ Statistics Committee H1 2021 and H1 2022; 2023: "turnover exceeded $500 mn" in H1).
H1_SHARE: dict[tuple[int, str, int], float] = {
    (KAZAKHSTAN, "X", 2021): 350.4 / 800.0,
    (KAZAKHSTAN, "M", 2021): 168.5 / 363.6,
    (KAZAKHSTAN, "X", 2022): 362.7 / 877.6,
    (KAZAKHSTAN, "M", 2022): 258.6 / 501.4,
    (KAZAKHSTAN, "X", 2023): 0.465,
    (KAZAKHSTAN, "M", 2023): 0.47,
}

# World unit-value index by year (for deriving net weights from values).
PRICE_INDEX = dict(zip(YEARS, (0.92, 0.85, 0.88, 0.93, 0.91, 0.87, 1.0, 1.22, 1.08, 1.04, 1.05), strict=True))

COUNTRIES = {
    KAZAKHSTAN: ("KAZ", "Kazakhstan"),
    TAJIKISTAN: ("TJK", "Tajikistan"),
    860: ("UZB", "Uzbekistan"),
    0: ("W00", "World"),
}
FLOW_DESC = {"M": "Import", "X": "Export", "RM": "Re-import", "RX": "Re-export"}

# --------------------------------------------------------------------------------------------
# HS chapters (descriptions as Comtrade prints them, HS 2017/2022 wording).
# --------------------------------------------------------------------------------------------
HS_CHAPTERS: dict[str, str] = {
    "01": "Animals; live",
    "02": "Meat and edible meat offal",
    "03": "Fish and crustaceans, molluscs and other aquatic invertebrates",
    "04": "Dairy produce; birds' eggs; natural honey; edible products of animal origin, not "
    "elsewhere specified or included",
    "05": "Animal originated products; not elsewhere specified or included",
    "06": "Trees and other plants, live; bulbs, roots and the like; cut flowers and ornamental foliage",
    "07": "Vegetables and certain roots and tubers; edible",
    "08": "Fruit and nuts, edible; peel of citrus fruit or melons",
    "09": "Coffee, tea, mate and spices",
    "10": "Cereals",
    "11": "Products of the milling industry; malt, starches, inulin, wheat gluten",
    "12": "Oil seeds and oleaginous fruits; miscellaneous grains, seeds and fruit, industrial or "
    "medicinal plants; straw and fodder",
    "13": "Lac; gums, resins and other vegetable saps and extracts",
    "14": "Vegetable plaiting materials; vegetable products not elsewhere specified or included",
    "15": "Animal, vegetable or microbial fats and oils and their cleavage products; prepared "
    "edible fats; animal or vegetable waxes",
    "16": "Meat, fish, crustaceans, molluscs or other aquatic invertebrates, or insects; "
    "preparations thereof",
    "17": "Sugars and sugar confectionery",
    "18": "Cocoa and cocoa preparations",
    "19": "Preparations of cereals, flour, starch or milk; pastrycooks' products",
    "20": "Preparations of vegetables, fruit, nuts or other parts of plants",
    "21": "Miscellaneous edible preparations",
    "22": "Beverages, spirits and vinegar",
    "23": "Food industries, residues and wastes thereof; prepared animal fodder",
    "24": "Tobacco and manufactured tobacco substitutes",
    "25": "Salt; sulphur; earths, stone; plastering materials, lime and cement",
    "26": "Ores, slag and ash",
    "27": "Mineral fuels, mineral oils and products of their distillation; bituminous "
    "substances; mineral waxes",
    "28": "Inorganic chemicals; organic and inorganic compounds of precious metals; of rare earth "
    "metals, of radio-active elements and of isotopes",
    "29": "Organic chemicals",
    "30": "Pharmaceutical products",
    "31": "Fertilizers",
    "32": "Tanning or dyeing extracts; tannins and their derivatives; dyes, pigments and other "
    "colouring matter; paints, varnishes; putty, other mastics; inks",
    "33": "Essential oils and resinoids; perfumery, cosmetic or toilet preparations",
    "34": "Soap, organic surface-active agents; washing, lubricating, polishing or scouring "
    "preparations; artificial or prepared waxes, candles and similar articles",
    "35": "Albuminoidal substances; modified starches; glues; enzymes",
    "36": "Explosives; pyrotechnic products; matches; pyrophoric alloys; certain combustible preparations",
    "37": "Photographic or cinematographic goods",
    "38": "Chemical products n.e.c.",
    "39": "Plastics and articles thereof",
    "40": "Rubber and articles thereof",
    "41": "Raw hides and skins (other than furskins) and leather",
    "42": "Articles of leather; saddlery and harness; travel goods, handbags and similar containers",
    "43": "Furskins and artificial fur; manufactures thereof",
    "44": "Wood and articles of wood; wood charcoal",
    "45": "Cork and articles of cork",
    "46": "Manufactures of straw, esparto or other plaiting materials; basketware and wickerwork",
    "47": "Pulp of wood or other fibrous cellulosic material; recovered (waste and scrap) paper "
    "or paperboard",
    "48": "Paper and paperboard; articles of paper pulp, of paper or paperboard",
    "49": "Printed books, newspapers, pictures and other products of the printing industry",
    "50": "Silk",
    "51": "Wool, fine or coarse animal hair; horsehair yarn and woven fabric",
    "52": "Cotton",
    "53": "Vegetable textile fibres; paper yarn and woven fabrics of paper yarn",
    "54": "Man-made filaments; strip and the like of man-made textile materials",
    "55": "Man-made staple fibres",
    "56": "Wadding, felt and nonwovens, special yarns; twine, cordage, ropes and cables and articles thereof",
    "57": "Carpets and other textile floor coverings",
    "58": "Fabrics; special woven fabrics, tufted textile fabrics, lace, tapestries, trimmings, embroidery",
    "59": "Textile fabrics; impregnated, coated, covered or laminated; textile articles of a kind "
    "suitable for industrial use",
    "60": "Fabrics; knitted or crocheted",
    "61": "Apparel and clothing accessories; knitted or crocheted",
    "62": "Apparel and clothing accessories; not knitted or crocheted",
    "63": "Textiles, made up articles; sets; worn clothing and worn textile articles; rags",
    "64": "Footwear; gaiters and the like; parts of such articles",
    "65": "Headgear and parts thereof",
    "66": "Umbrellas, sun umbrellas, walking-sticks, seat sticks, whips, riding crops; and parts thereof",
    "67": "Feathers and down, prepared; and articles made of feather or of down; artificial "
    "flowers; articles of human hair",
    "68": "Stone, plaster, cement, asbestos, mica or similar materials; articles thereof",
    "69": "Ceramic products",
    "70": "Glass and glassware",
    "71": "Natural, cultured pearls; precious, semi-precious stones; precious metals, metals clad "
    "with precious metal, and articles thereof; imitation jewellery; coin",
    "72": "Iron and steel",
    "73": "Iron or steel articles",
    "74": "Copper and articles thereof",
    "75": "Nickel and articles thereof",
    "76": "Aluminium and articles thereof",
    "78": "Lead and articles thereof",
    "79": "Zinc and articles thereof",
    "80": "Tin; articles thereof",
    "81": "Metals; n.e.c., cermets and articles thereof",
    "82": "Tools, implements, cutlery, spoons and forks, of base metal; parts thereof, of base metal",
    "83": "Metal; miscellaneous products of base metal",
    "84": "Nuclear reactors, boilers, machinery and mechanical appliances; parts thereof",
    "85": "Electrical machinery and equipment and parts thereof; sound recorders and "
    "reproducers; television image and sound recorders and reproducers, parts and "
    "accessories of such articles",
    "86": "Railway, tramway locomotives, rolling-stock and parts thereof; railway or tramway "
    "track fixtures and fittings and parts thereof; mechanical traffic signalling "
    "equipment of all kinds",
    "87": "Vehicles; other than railway or tramway rolling stock, and parts and accessories thereof",
    "88": "Aircraft, spacecraft and parts thereof",
    "89": "Ships, boats and floating structures",
    "90": "Optical, photographic, cinematographic, measuring, checking, medical or surgical "
    "instruments and apparatus; parts and accessories",
    "91": "Clocks and watches and parts thereof",
    "92": "Musical instruments; parts and accessories of such articles",
    "93": "Arms and ammunition; parts and accessories thereof",
    "94": "Furniture; bedding, mattresses, mattress supports, cushions and similar stuffed "
    "furnishings; lamps and lighting fittings, n.e.c.; illuminated signs, illuminated "
    "name-plates and the like; prefabricated buildings",
    "95": "Toys, games and sports requisites; parts and accessories thereof",
    "96": "Miscellaneous manufactured articles",
    "97": "Works of art; collectors' pieces and antiques",
}

# Monthly seasonal multipliers (Jan..Dec).
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 12,
    # New-crop Kazakh wheat and flour move from September; thin before the harvest.
    "wheat": (1.05, 1.0, 1.0, 0.9, 0.8, 0.7, 0.7, 0.85, 1.15, 1.3, 1.3, 1.2),
    # Dried apricots and raisins: autumn after the drying season.
    "dried_fruit": (0.8, 0.7, 0.65, 0.55, 0.5, 0.5, 0.7, 1.0, 1.5, 1.75, 1.6, 1.2),
    # Onions and potatoes: summer-autumn harvest.
    "vegetables": (0.55, 0.45, 0.4, 0.45, 0.65, 1.0, 1.45, 1.65, 1.6, 1.5, 1.2, 0.8),
    # Fuels: winter heating and spring sowing campaigns.
    "fuel": (1.1, 1.0, 1.05, 1.1, 1.0, 0.9, 0.9, 0.95, 1.0, 1.05, 1.0, 0.95),
    # Cement and steel follow the building season.
    "construction": (0.6, 0.7, 0.9, 1.1, 1.2, 1.2, 1.2, 1.2, 1.15, 1.0, 0.9, 0.75),
    # Tajik hydro surplus in summer.
    "electricity": (0.3, 0.3, 0.5, 0.9, 1.5, 1.8, 1.9, 1.7, 1.1, 0.6, 0.4, 0.3),
    # Raw cotton after the autumn harvest.
    "cotton": (1.3, 1.3, 1.2, 1.0, 0.8, 0.6, 0.5, 0.5, 0.7, 1.1, 1.4, 1.6),
    # Bottled mineral water: summer demand.
    "water": (0.7, 0.7, 0.8, 0.9, 1.1, 1.3, 1.4, 1.4, 1.2, 1.0, 0.8, 0.7),
}


@dataclass(frozen=True)
class Line:
    """An HS heading (4-digit) with some of its subheadings (6-digit)."""

    hs4: str
    desc: str
    share: float  # of the chapter value
    usd_per_kg: float | None  # None: no weight/quantity (electricity)
    subs: tuple[tuple[str, str, float], ...] = ()  # (hs6, description, share of the heading)


@dataclass(frozen=True)
class Chapter:
    code: str
    share: float
    season: str = "flat"
    usd_per_kg: float = 2.0
    lines: tuple[Line, ...] = ()


ELECTRICITY = Line("2716", "Electrical energy", 1.0, None, (("271600", "Electrical energy", 1.0),))

# Kazakhstan -> Tajikistan: grain and flour, fuels, ferrous metals, building materials, vehicles.
KZ_TO_TJ: tuple[Chapter, ...] = (
    Chapter("01", 0.004, usd_per_kg=2.5),
    Chapter("02", 0.008, usd_per_kg=3.5),
    Chapter("04", 0.015, usd_per_kg=2.2),
    Chapter(
        "10",
        0.24,
        "wheat",
        0.24,
        (
            Line(
                "1001",
                "Wheat and meslin",
                0.95,
                0.23,
                (
                    ("100199", "Cereals; wheat and meslin, other than durum wheat, other than seed", 0.97),
                    ("100119", "Cereals; wheat, durum, other than seed", 0.02),
                ),
            ),
            Line("1003", "Barley", 0.03, 0.2, (("100390", "Cereals; barley, other than seed", 0.98),)),
        ),
    ),
    Chapter(
        "11",
        0.11,
        "wheat",
        0.3,
        (Line("1101", "Wheat or meslin flour", 0.94, 0.3, (("110100", "Wheat or meslin flour", 1.0),)),),
    ),
    Chapter("12", 0.01, usd_per_kg=0.5),
    Chapter(
        "15",
        0.035,
        usd_per_kg=1.1,
        lines=(
            Line(
                "1512",
                "Sunflower-seed, safflower or cotton-seed oil and their fractions",
                0.75,
                1.1,
                (("151219", "Sunflower-seed or safflower oil and their fractions; other than crude", 0.92),),
            ),
        ),
    ),
    Chapter(
        "17",
        0.015,
        usd_per_kg=0.6,
        lines=(
            Line(
                "1701",
                "Cane or beet sugar and chemically pure sucrose, in solid form",
                0.7,
                0.55,
                (
                    (
                        "170199",
                        "Sugars; cane or beet sugar, refined, in solid form, other than "
                        "flavoured or coloured",
                        0.95,
                    ),
                ),
            ),
        ),
    ),
    Chapter(
        "19",
        0.015,
        usd_per_kg=1.6,
        lines=(
            Line(
                "1905",
                "Bread, pastry, cakes, biscuits and other bakers' wares",
                0.6,
                1.8,
                (("190590", "Bakers' wares n.e.c.", 0.7),),
            ),
        ),
    ),
    Chapter("21", 0.01, usd_per_kg=2.0),
    Chapter("22", 0.008, usd_per_kg=0.8),
    Chapter("23", 0.008, "wheat", 0.15),
    Chapter("24", 0.01, usd_per_kg=9.0),
    Chapter(
        "25",
        0.03,
        "construction",
        0.06,
        (
            Line(
                "2523",
                "Portland cement, aluminous cement, slag cement, supersulphate cement and "
                "similar hydraulic cements",
                0.7,
                0.055,
                (("252329", "Cement; portland, other than white cement", 0.9),),
            ),
        ),
    ),
    Chapter(
        "27",
        0.17,
        "fuel",
        0.65,
        (
            Line(
                "2710",
                "Petroleum oils and oils from bituminous minerals, not crude; preparations n.e.c.",
                0.78,
                0.75,
                (
                    (
                        "271019",
                        "Petroleum oils, not crude; medium and heavy oils and preparations "
                        "(e.g. diesel fuel)",
                        0.55,
                    ),
                    (
                        "271012",
                        "Petroleum oils, not crude; light oils and preparations (e.g. motor spirit)",
                        0.4,
                    ),
                ),
            ),
            Line(
                "2711",
                "Petroleum gases and other gaseous hydrocarbons",
                0.1,
                0.5,
                (("271112", "Propane, liquefied", 0.6),),
            ),
            Line(
                "2701",
                "Coal; briquettes, ovoids and similar solid fuels manufactured from coal",
                0.08,
                0.06,
                (("270112", "Coal; bituminous, whether or not pulverised, but not agglomerated", 0.9),),
            ),
        ),
    ),
    Chapter("28", 0.012, usd_per_kg=0.4),
    Chapter("30", 0.01, usd_per_kg=25.0),
    Chapter("31", 0.008, "construction", 0.3),
    Chapter("33", 0.006, usd_per_kg=4.0),
    Chapter("34", 0.01, usd_per_kg=1.5),
    Chapter("38", 0.006, usd_per_kg=1.8),
    Chapter("39", 0.02, usd_per_kg=1.6),
    Chapter("40", 0.006, usd_per_kg=3.0),
    Chapter("44", 0.01, "construction", 0.4),
    Chapter("48", 0.012, usd_per_kg=1.0),
    Chapter("68", 0.005, "construction", 0.3),
    Chapter("70", 0.005, "construction", 0.7),
    Chapter(
        "72",
        0.07,
        "construction",
        0.65,
        (
            Line(
                "7208",
                "Iron or non-alloy steel; flat-rolled products, width 600mm or more, "
                "hot-rolled, not clad, plated or coated",
                0.3,
                0.6,
                (
                    (
                        "720839",
                        "Iron or non-alloy steel; flat-rolled, in coils, hot-rolled, thickness less than 3mm",
                        0.6,
                    ),
                ),
            ),
            Line(
                "7213",
                "Iron or non-alloy steel; bars and rods, hot-rolled, in irregularly wound coils",
                0.25,
                0.6,
                (
                    (
                        "721391",
                        "Iron or non-alloy steel; bars and rods, hot-rolled, circular "
                        "cross-section, diameter less than 14mm",
                        0.8,
                    ),
                ),
            ),
            Line(
                "7210",
                "Iron or non-alloy steel; flat-rolled, width 600mm or more, clad, plated or coated",
                0.2,
                0.8,
                (
                    (
                        "721049",
                        "Iron or non-alloy steel; flat-rolled, otherwise plated or coated with zinc",
                        0.7,
                    ),
                ),
            ),
        ),
    ),
    Chapter("73", 0.03, "construction", 1.2),
    Chapter("76", 0.004, usd_per_kg=3.5),
    Chapter("84", 0.03, usd_per_kg=9.0),
    Chapter("85", 0.02, usd_per_kg=12.0),
    Chapter(
        "87",
        0.04,
        usd_per_kg=6.0,
        lines=(
            Line(
                "8704",
                "Vehicles; for the transport of goods",
                0.45,
                5.5,
                (
                    (
                        "870422",
                        "Vehicles; compression-ignition engine, for transport of goods, g.v.w. "
                        "exceeding 5 but not exceeding 20 tonnes",
                        0.6,
                    ),
                ),
            ),
            Line(
                "8703",
                "Motor cars and other motor vehicles principally designed for the transport of persons",
                0.3,
                9.0,
                (
                    (
                        "870323",
                        "Vehicles; spark-ignition engine of a cylinder capacity exceeding "
                        "1500cc but not exceeding 3000cc",
                        0.55,
                    ),
                ),
            ),
        ),
    ),
    Chapter("94", 0.006, usd_per_kg=3.0),
)

# Tajikistan -> Kazakhstan: ores and concentrates, dried fruit and nuts, vegetables, aluminium,
# cotton, mineral water, antimony.
TJ_TO_KZ: tuple[Chapter, ...] = (
    Chapter("05", 0.003, usd_per_kg=1.0),
    Chapter(
        "07",
        0.08,
        "vegetables",
        0.2,
        (
            Line(
                "0703",
                "Onions, shallots, garlic, leeks and other alliaceous vegetables; fresh or chilled",
                0.55,
                0.15,
                (("070310", "Vegetables, alliaceous; onions and shallots, fresh or chilled", 0.95),),
            ),
            Line(
                "0701",
                "Potatoes; fresh or chilled",
                0.2,
                0.18,
                (("070190", "Vegetables; potatoes, fresh or chilled, other than seed", 0.95),),
            ),
        ),
    ),
    Chapter(
        "08",
        0.16,
        "dried_fruit",
        1.6,
        (
            Line(
                "0813",
                "Fruit, dried, other than that of heading no. 0801 to 0806; mixtures of nuts or dried fruits",
                0.35,
                2.2,
                (("081310", "Fruit, edible; apricots, dried", 0.75),),
            ),
            Line(
                "0806",
                "Grapes, fresh or dried",
                0.3,
                1.2,
                (("080620", "Fruit, edible; grapes, dried", 0.85),),
            ),
            Line(
                "0802",
                "Nuts (excluding coconuts, Brazils and cashew nuts); fresh or dried",
                0.15,
                4.5,
                (("080212", "Nuts, edible; almonds, fresh or dried, shelled", 0.5),),
            ),
        ),
    ),
    Chapter("09", 0.006, usd_per_kg=2.5),
    Chapter("12", 0.01, "cotton", 0.5),
    Chapter("17", 0.01, usd_per_kg=1.5),
    Chapter("20", 0.025, "dried_fruit", 1.3),
    Chapter(
        "22",
        0.045,
        "water",
        0.3,
        (
            Line(
                "2201",
                "Waters, including natural or artificial mineral waters and aerated waters, "
                "not containing added sugar or sweetening matter nor flavoured; ice and "
                "snow",
                0.8,
                0.28,
                (
                    (
                        "220110",
                        "Waters; mineral and aerated, not containing added sugar or other "
                        "sweetening matter nor flavoured",
                        0.95,
                    ),
                ),
            ),
        ),
    ),
    Chapter(
        "25",
        0.02,
        "construction",
        0.05,
        (
            Line(
                "2523",
                "Portland cement, aluminous cement, slag cement, supersulphate cement and "
                "similar hydraulic cements",
                0.6,
                0.05,
                (("252329", "Cement; portland, other than white cement", 0.9),),
            ),
        ),
    ),
    Chapter(
        "26",
        0.33,
        "flat",
        1.4,
        (
            Line(
                "2603",
                "Copper ores and concentrates",
                0.35,
                2.1,
                (("260300", "Copper ores and concentrates", 1.0),),
            ),
            Line(
                "2608",
                "Zinc ores and concentrates",
                0.3,
                0.9,
                (("260800", "Zinc ores and concentrates", 1.0),),
            ),
            Line(
                "2607",
                "Lead ores and concentrates",
                0.22,
                1.4,
                (("260700", "Lead ores and concentrates", 1.0),),
            ),
            Line(
                "2616",
                "Precious metal ores and concentrates",
                0.08,
                6.0,
                (("261690", "Precious metal ores and concentrates; other than silver", 1.0),),
            ),
        ),
    ),
    Chapter("27", 0.015, "electricity", 0.05, (ELECTRICITY,)),
    Chapter("28", 0.01, usd_per_kg=0.8),
    Chapter("39", 0.008, usd_per_kg=1.4),
    Chapter("41", 0.004, usd_per_kg=1.2),
    Chapter("51", 0.003, usd_per_kg=2.0),
    Chapter(
        "52",
        0.07,
        "cotton",
        1.8,
        (
            Line(
                "5201",
                "Cotton; not carded or combed",
                0.6,
                1.7,
                (("520100", "Cotton; not carded or combed", 1.0),),
            ),
            Line(
                "5205",
                "Cotton yarn (other than sewing thread), containing 85% or more by weight "
                "of cotton, not put up for retail sale",
                0.3,
                2.8,
            ),
        ),
    ),
    Chapter("61", 0.01, usd_per_kg=12.0),
    Chapter("62", 0.008, usd_per_kg=14.0),
    Chapter("63", 0.006, usd_per_kg=4.0),
    Chapter("68", 0.006, "construction", 0.2),
    Chapter("71", 0.005, usd_per_kg=400.0),
    Chapter(
        "76",
        0.11,
        "flat",
        2.3,
        (
            Line(
                "7601",
                "Aluminium; unwrought",
                0.9,
                2.3,
                (
                    ("760110", "Aluminium; unwrought, not alloyed", 0.8),
                    ("760120", "Aluminium; unwrought, alloys", 0.15),
                ),
            ),
        ),
    ),
    Chapter(
        "81",
        0.03,
        usd_per_kg=7.0,
        lines=(
            Line(
                "8110",
                "Antimony and articles thereof, including waste and scrap",
                0.85,
                7.5,
                (("811010", "Antimony; unwrought, powders", 0.9),),
            ),
        ),
    ),
    Chapter("84", 0.01, usd_per_kg=8.0),
)

# Structural shifts by year (multipliers on a chapter's base share): the 2021-2022 jump in
# Tajik ore and concentrate deliveries, Kazakh wheat prices in 2022.
STRUCTURE: dict[tuple[str, str, int], float] = {
    ("TJ2KZ", "26", 2021): 1.35,
    ("TJ2KZ", "26", 2022): 1.5,
    ("TJ2KZ", "26", 2023): 1.2,
    ("TJ2KZ", "26", 2015): 0.7,
    ("TJ2KZ", "26", 2016): 0.65,
    ("TJ2KZ", "76", 2016): 1.3,
    ("KZ2TJ", "10", 2022): 1.2,
    ("KZ2TJ", "11", 2022): 1.15,
    ("KZ2TJ", "27", 2022): 1.15,
    ("KZ2TJ", "10", 2020): 1.1,
    ("KZ2TJ", "87", 2024): 1.3,
    ("KZ2TJ", "87", 2025): 1.4,
}

# Small re-export / re-import chapters.
RE_FLOW_CHAPTERS = ("84", "85", "87", "73", "39", "90")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([seed, *key])


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` cents over `weights` (largest remainder): exact sum, zero stays zero."""
    w = np.asarray(weights, dtype=np.float64)
    out = np.zeros(w.shape, dtype=np.int64)
    flat_w = w.ravel()
    s = flat_w.sum()
    if total <= 0 or s <= 0:
        return out
    raw = flat_w / s * total
    base = np.floor(raw).astype(np.int64)
    rest = int(total - base.sum())
    if rest:
        frac = np.where(flat_w > 0, raw - base, -1.0)
        order = np.argsort(-frac, kind="stable")[:rest]
        base[order] += 1
    return base.reshape(w.shape)


def _money_csv(cents: int | None) -> str:
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    c = abs(cents)
    return f"{sign}{c // 100}.{c % 100:02d}"


def _money_json(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def _kg(x: float) -> float:
    return float(round(x, 3))


def _period_fields(freq: str, year: int, month: int | None) -> dict[str, object]:
    if freq == "A":
        return {
            "freqCode": "A",
            "refPeriodId": year * 10000 + 101,
            "refYear": year,
            "refMonth": 52,
            "period": str(year),
        }
    return {
        "freqCode": "M",
        "refPeriodId": year * 10000 + month * 100 + 1,
        "refYear": year,
        "refMonth": month,
        "period": f"{year}{month:02d}",
    }


def _classification(year: int) -> str:
    return "H5" if year <= 2021 else "H6"


# --------------------------------------------------------------------------------------------
# Bundled dataset
# --------------------------------------------------------------------------------------------
@dataclass
class _Row:
    """One generated record before serialisation (money in integer cents)."""

    reporter: int
    partner: int
    flow: str
    year: int
    month: int
    cmd: str
    desc: str
    level: int
    primary: int
    cif: int | None
    fob: int | None
    net_wgt: float | None = None
    qty: float | None = None  # None: N/A unit with qty 0
    gross_wgt: float | None = None
    customs: str = "C00"
    mot: int = 0
    partner2: int = 0
    net_wgt_estimated: bool = False


def _direction_truth(direction: str, year: int, seed: int) -> np.ndarray:
    """The 'true' chapter x month flow pattern of one direction and year (relative weights)."""
    chapters = KZ_TO_TJ if direction == "KZ2TJ" else TJ_TO_KZ
    rng = _rng(seed, 1 if direction == "KZ2TJ" else 2, year)
    n = len(chapters)
    share = np.array([c.share * STRUCTURE.get((direction, c.code, year), 1.0) for c in chapters])
    share = share * np.exp(rng.normal(0.0, 0.12, n))
    season = np.array([SEASONS[c.season] for c in chapters])
    trend = np.linspace(0.96, 1.04, 12)  # growth within the year
    noise = np.exp(rng.normal(0.0, 0.15, (n, 12)))
    truth = share[:, None] * season * trend[None, :] * noise
    # Small chapters skip some months entirely.
    small = np.array([c.share < 0.012 for c in chapters])
    gaps = (rng.random((n, 12)) < 0.15) & small[:, None]
    truth[gaps] = 0.0
    return truth


def _side_values(
    truth: np.ndarray, *, importer: bool, reporter: int, flow: str, year: int, seed: int
) -> np.ndarray:
    """Chapter x month values in cents as one side records them, calibrated to the target."""
    rng = _rng(seed, reporter, 0 if flow == "X" else 1, year, 7)
    w = truth.copy()
    if importer:  # goods arrive after they leave: part of each month lands in the next one
        lag = rng.uniform(0.15, 0.3)
        w[:, 1:] = (1 - lag) * truth[:, 1:] + lag * truth[:, :-1]
    w = w * np.exp(rng.normal(0.0, 0.08, w.shape))  # recording noise
    w = w * np.exp(rng.normal(0.0, 0.12, (w.shape[0], 1)))  # chapter-level asymmetry
    kz_x, kz_m, tj_m, tj_x = CALIBRATION_MUSD[year]
    target_musd = {
        (KAZAKHSTAN, "X"): kz_x,
        (KAZAKHSTAN, "M"): kz_m,
        (TAJIKISTAN, "M"): tj_m,
        (TAJIKISTAN, "X"): tj_x,
    }[(reporter, flow)]
    total = int(round(target_musd * 1e8))
    h1 = H1_SHARE.get((reporter, flow, year))
    if h1 is None:
        return _allocate(total, w)
    first = int(round(total * h1))
    out = np.zeros(w.shape, dtype=np.int64)
    out[:, :6] = _allocate(first, w[:, :6])
    out[:, 6:] = _allocate(total - first, w[:, 6:])
    return out


def _flow_rows(
    chapters: Sequence[Chapter],
    values: np.ndarray,
    *,
    reporter: int,
    partner: int,
    flow: str,
    year: int,
    seed: int,
) -> list[list[_Row]]:
    """Rows (TOTAL, chapters, headings, subheadings, a few breakdowns) per month."""
    rng = _rng(seed, reporter, 0 if flow == "X" else 1, year, 11)
    price = PRICE_INDEX[year]
    is_import = flow == "M"
    # CIF/FOB ratio of each chapter for the year (only Tajikistan reports FOB on imports).
    fob_ratio = rng.uniform(0.9, 0.97, len(chapters))
    report_fob = is_import and reporter == TAJIKISTAN
    months: list[list[_Row]] = []
    for m in range(12):
        rows: list[_Row] = []
        chapter_rows: list[_Row] = []
        total_wgt = 0.0
        total_fob = 0
        for ci, ch in enumerate(chapters):
            value = int(values[ci, m])
            # Draw every random number even for empty cells so that the stream stays aligned.
            line_noise = np.exp(rng.normal(0.0, 0.06, (len(ch.lines), 4)))
            wgt_noise = np.exp(rng.normal(0.0, 0.05, len(ch.lines) + 1))
            if value <= 0:
                continue
            sub_rows: list[_Row] = []
            line_value_sum = 0
            line_wgt_sum = 0.0
            shares = np.array([ln.share for ln in ch.lines]) * line_noise[:, 0]
            if shares.sum() > 0.985:
                shares *= 0.985 / shares.sum()
            for li, ln in enumerate(ch.lines):
                v4 = int(math.floor(value * shares[li]))
                if v4 <= 0:
                    continue
                w4 = (
                    None if ln.usd_per_kg is None else _kg(v4 / 100 / (ln.usd_per_kg * price * wgt_noise[li]))
                )
                sub_rows.append(
                    _line_row(
                        reporter,
                        partner,
                        flow,
                        year,
                        m + 1,
                        ln.hs4,
                        ln.desc,
                        4,
                        v4,
                        w4,
                        fob_ratio[ci] if report_fob else None,
                        is_import,
                    )
                )
                line_value_sum += v4
                line_wgt_sum += w4 or 0.0
                sub_shares = np.array([s[2] for s in ln.subs]) * line_noise[li, 1 : 1 + len(ln.subs)]
                if sub_shares.sum() > 1.0:
                    sub_shares /= sub_shares.sum()
                for si, (hs6, desc6, _) in enumerate(ln.subs):
                    v6 = int(math.floor(v4 * sub_shares[si]))
                    if v6 <= 0:
                        continue
                    w6 = None if w4 is None else _kg(w4 * v6 / v4)
                    sub_rows.append(
                        _line_row(
                            reporter,
                            partner,
                            flow,
                            year,
                            m + 1,
                            hs6,
                            desc6,
                            6,
                            v6,
                            w6,
                            fob_ratio[ci] if report_fob else None,
                            is_import,
                        )
                    )
            rest_wgt = (value - line_value_sum) / 100 / (ch.usd_per_kg * price * wgt_noise[-1])
            ch_wgt = _kg(line_wgt_sum + rest_wgt)
            ch_fob = int(math.floor(value * fob_ratio[ci])) if report_fob else None
            chapter_row = _Row(
                reporter,
                partner,
                flow,
                year,
                m + 1,
                ch.code,
                HS_CHAPTERS[ch.code],
                2,
                value,
                cif=value if is_import else None,
                fob=ch_fob if is_import else value,
                net_wgt=ch_wgt,
                net_wgt_estimated=True,
            )
            chapter_rows.append(chapter_row)
            rows_for_chapter = [chapter_row, *sub_rows]
            rows.extend(rows_for_chapter)
            total_wgt += ch_wgt
            total_fob += ch_fob or 0
        month_total = int(values[:, m].sum())
        total_row = _Row(
            reporter,
            partner,
            flow,
            year,
            m + 1,
            "TOTAL",
            "All Commodities",
            0,
            month_total,
            cif=month_total if is_import else None,
            fob=(total_fob if report_fob else None) if is_import else month_total,
            net_wgt=_kg(total_wgt),
            net_wgt_estimated=True,
        )
        rows.insert(0, total_row)
        rows.extend(_breakdowns(rng, chapter_rows, reporter=reporter, flow=flow))
        months.append(rows)
    return months


def _line_row(
    reporter: int,
    partner: int,
    flow: str,
    year: int,
    month: int,
    cmd: str,
    desc: str,
    level: int,
    value: int,
    wgt: float | None,
    fob_ratio: float | None,
    is_import: bool,
) -> _Row:
    fob = int(math.floor(value * fob_ratio)) if fob_ratio is not None else None
    return _Row(
        reporter,
        partner,
        flow,
        year,
        month,
        cmd,
        desc,
        level,
        value,
        cif=value if is_import else None,
        fob=fob if is_import else value,
        net_wgt=wgt,
        qty=wgt,
        gross_wgt=None if wgt is None else _kg(wgt * 1.03),
    )


# Which chapters a reporter/flow breaks down, and how (customs procedure, transport mode, or
# second partner = transit country Uzbekistan).
BREAKDOWNS: dict[tuple[int, str], tuple[tuple[str, str, object], ...]] = {
    (KAZAKHSTAN, "X"): (("10", "customs", "C01"), ("27", "mot", 2100)),
    (KAZAKHSTAN, "M"): (("08", "mot", 2100), ("26", "customs", "C01")),
    (TAJIKISTAN, "M"): (("10", "partner2", 860), ("27", "partner2", 860)),
    (TAJIKISTAN, "X"): (("26", "mot", 2100), ("07", "customs", "C01")),
}


def _breakdowns(
    rng: np.random.Generator, chapter_rows: list[_Row], *, reporter: int, flow: str
) -> list[_Row]:
    draw, pick, part = rng.random(), rng.integers(0, 2), rng.uniform(0.3, 0.9)
    if draw >= 0.08:
        return []
    code, kind, arg = BREAKDOWNS[(reporter, flow)][pick]
    src = next((r for r in chapter_rows if r.cmd == code), None)
    if src is None:
        return []
    value = int(math.floor(src.primary * part))
    row = _Row(
        src.reporter,
        src.partner,
        flow,
        src.year,
        src.month,
        src.cmd,
        src.desc,
        2,
        value,
        cif=value if src.cif is not None else None,
        fob=value if src.cif is None else None,
        net_wgt=None if src.net_wgt is None else _kg(src.net_wgt * part),
        net_wgt_estimated=True,
    )
    if kind == "customs":
        row.customs = str(arg)
    elif kind == "mot":
        row.mot = int(arg)
    else:
        row.partner2 = int(arg)
    return [row]


def _re_flow_rows(*, reporter: int, partner: int, year: int, seed: int) -> list[list[_Row]]:
    """Occasional small re-export / re-import records (TOTAL plus one or two chapters)."""
    rng = _rng(seed, reporter, 5, year)
    months: list[list[_Row]] = []
    for m in range(12):
        rows: list[_Row] = []
        for flow in ("RM", "RX"):
            draw = rng.random()
            n = int(rng.integers(1, 3))
            codes = rng.choice(len(RE_FLOW_CHAPTERS), size=n, replace=False)
            cents = np.round(np.exp(rng.normal(math.log(4e6), 1.0, n))).astype(np.int64)
            if draw >= 0.12:
                continue
            codes_sorted = sorted(RE_FLOW_CHAPTERS[i] for i in codes)
            is_import = flow == "RM"
            total = int(cents.sum())
            rows.append(
                _Row(
                    reporter,
                    partner,
                    flow,
                    year,
                    m + 1,
                    "TOTAL",
                    "All Commodities",
                    0,
                    total,
                    cif=total if is_import else None,
                    fob=None if is_import else total,
                )
            )
            for code, c in zip(codes_sorted, cents.tolist(), strict=True):
                rows.append(
                    _Row(
                        reporter,
                        partner,
                        flow,
                        year,
                        m + 1,
                        code,
                        HS_CHAPTERS[code],
                        2,
                        c,
                        cif=c if is_import else None,
                        fob=None if is_import else c,
                    )
                )
        months.append(rows)
    return months


def _record(row: _Row, freq: str) -> dict[str, object]:
    """A v1 record (Python values; money in cents, converted by the writers)."""
    rep_iso, rep_desc = COUNTRIES[row.reporter]
    par_iso, par_desc = COUNTRIES[row.partner]
    p2_iso, p2_desc = COUNTRIES[row.partner2]
    has_qty = row.qty is not None
    rec: dict[str, object] = {
        "typeCode": "C",
        **_period_fields(freq, row.year, row.month),
        "reporterCode": row.reporter,
        "reporterISO": rep_iso,
        "reporterDesc": rep_desc,
        "flowCode": row.flow,
        "flowDesc": FLOW_DESC[row.flow],
        "partnerCode": row.partner,
        "partnerISO": par_iso,
        "partnerDesc": par_desc,
        "partner2Code": row.partner2,
        "partner2ISO": p2_iso,
        "partner2Desc": p2_desc,
        "classificationCode": _classification(row.year),
        "classificationSearchCode": "HS",
        "isOriginalClassification": True,
        "cmdCode": row.cmd,
        "cmdDesc": row.desc,
        "aggrLevel": row.level,
        "isLeaf": row.level == 6,
        "customsCode": row.customs,
        "customsDesc": "TOTAL CPC" if row.customs == "C00" else f"Customs procedure {row.customs}",
        "mosCode": "0",
        "motCode": row.mot,
        "motDesc": "TOTAL MOT" if row.mot == 0 else "Road",
        "qtyUnitCode": 8 if has_qty else -1,
        "qtyUnitAbbr": "kg" if has_qty else "N/A",
        "qty": row.qty if has_qty else 0.0,
        "isQtyEstimated": False,
        "altQtyUnitCode": -1,
        "altQtyUnitAbbr": "N/A",
        "altQty": 0.0,
        "isAltQtyEstimated": False,
        "netWgt": row.net_wgt,
        "isNetWgtEstimated": row.net_wgt_estimated,
        "grossWgt": row.gross_wgt,
        "isGrossWgtEstimated": False,
        "cifvalue": row.cif,
        "fobvalue": row.fob,
        "primaryValue": row.primary,
        "legacyEstimationFlag": 0,
        "isReported": True,
        "isAggregate": row.level <= 4,
    }
    return rec


MONEY = ("cifvalue", "fobvalue", "primaryValue")


def _write_csv(path: Path, records: Iterable[dict[str, object]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    for rec in records:
        out = []
        for name in COLUMN_NAMES:
            v = rec[name]
            if name in MONEY:
                out.append(_money_csv(v))  # type: ignore[arg-type]
            else:
                out.append("" if v is None else v)
        writer.writerow(out)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def _write_json(path: Path, records: list[dict[str, object]], elapsed: str) -> None:
    data = []
    for rec in records:
        d = {name: rec[name] for name in COLUMN_NAMES}
        for name in MONEY:
            d[name] = _money_json(d[name])  # type: ignore[arg-type]
        data.append(d)
    envelope = {"elapsedTime": elapsed, "count": len(data), "data": data, "error": ""}
    path.write_text(
        json.dumps(envelope, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8", newline=""
    )


def _annual_rows(month_rows: Iterable[_Row], year: int) -> list[_Row]:
    """Sum a year's monthly rows per record key (values, weights, quantities)."""
    acc: dict[tuple[object, ...], _Row] = {}
    for r in month_rows:
        key = (r.flow, r.cmd, r.customs, r.mot, r.partner2)
        a = acc.get(key)
        if a is None:
            acc[key] = _Row(
                r.reporter,
                r.partner,
                r.flow,
                year,
                0,
                r.cmd,
                r.desc,
                r.level,
                r.primary,
                r.cif,
                r.fob,
                r.net_wgt,
                r.qty,
                r.gross_wgt,
                r.customs,
                r.mot,
                r.partner2,
                r.net_wgt_estimated,
            )
            continue
        a.primary += r.primary
        a.cif = _add(a.cif, r.cif)
        a.fob = _add(a.fob, r.fob)
        a.net_wgt = _addf(a.net_wgt, r.net_wgt)
        a.qty = _addf(a.qty, r.qty)
        a.gross_wgt = _addf(a.gross_wgt, r.gross_wgt)
    flow_order = {"M": 0, "X": 1, "RM": 2, "RX": 3}
    return sorted(acc.values(), key=lambda r: flow_order[r.flow])  # stable: months' order kept


def _add(a: int | None, b: int | None) -> int | None:
    if a is None and b is None:
        return None
    return (a or 0) + (b or 0)


def _addf(a: float | None, b: float | None) -> float | None:
    if a is None and b is None:
        return None
    return _kg((a or 0.0) + (b or 0.0))


def generate_bundled_rows(seed: int = 2023) -> dict[tuple[int, int], list[_Row]]:
    """All monthly rows of the demo set, keyed by (reporter, year), in file order."""
    out: dict[tuple[int, int], list[_Row]] = {}
    for year in YEARS:
        truth = {d: _direction_truth(d, year, seed) for d in ("KZ2TJ", "TJ2KZ")}
        per_reporter: dict[int, list[list[list[_Row]]]] = {}
        for reporter, partner in ((KAZAKHSTAN, TAJIKISTAN), (TAJIKISTAN, KAZAKHSTAN)):
            flows = []
            for flow in ("M", "X"):
                kz_exports = (reporter == KAZAKHSTAN) == (flow == "X")
                direction = "KZ2TJ" if kz_exports else "TJ2KZ"
                chapters = KZ_TO_TJ if kz_exports else TJ_TO_KZ
                values = _side_values(
                    truth[direction], importer=flow == "M", reporter=reporter, flow=flow, year=year, seed=seed
                )
                flows.append(
                    _flow_rows(
                        chapters, values, reporter=reporter, partner=partner, flow=flow, year=year, seed=seed
                    )
                )
            flows.append(_re_flow_rows(reporter=reporter, partner=partner, year=year, seed=seed))
            per_reporter[reporter] = flows
        for reporter, flows in per_reporter.items():
            rows: list[_Row] = []
            for m in range(12):
                for flow_months in flows:
                    rows.extend(flow_months[m])
            out[(reporter, year)] = rows
    return out


def write_bundled_dataset(out_dir: Path, seed: int = 2023) -> list[Path]:
    """Write the Kazakhstan-Tajikistan demo set (monthly 2015-2025, KZ annual 2015-2024).

    Files: `comtrade_C_M_398_{year}.csv` (Kazakhstan, CSV), `comtrade_C_M_762_{year}.json`
    (Tajikistan, API JSON envelope), `comtrade_C_A_398_{year}.csv` (Kazakhstan, annual).
    Returns the written paths in a fixed order. Same seed -> same bytes.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = generate_bundled_rows(seed)
    written: list[Path] = []
    for year in YEARS:
        kz = rows[(KAZAKHSTAN, year)]
        path = out_dir / f"comtrade_C_M_{KAZAKHSTAN}_{year}.csv"
        _write_csv(path, (_record(r, "M") for r in kz))
        written.append(path)
        tj = rows[(TAJIKISTAN, year)]
        path = out_dir / f"comtrade_C_M_{TAJIKISTAN}_{year}.json"
        elapsed = f"{0.2 + _rng(seed, 9, year).random() * 2.5:.2f} secs"
        _write_json(path, [_record(r, "M") for r in tj], elapsed)
        written.append(path)
        if year in ANNUAL_YEARS:
            path = out_dir / f"comtrade_C_A_{KAZAKHSTAN}_{year}.csv"
            _write_csv(path, (_record(r, "A") for r in _annual_rows(kz, year)))
            written.append(path)
    return written


# --------------------------------------------------------------------------------------------
# Scale dataset (DuckDB, chunked)
# --------------------------------------------------------------------------------------------
SCALE_YEARS = tuple(range(2015, 2026))
SCALE_HEADINGS = 99  # headings 01..99 per chapter
SCALE_SUBS = 9  # subheadings 10, 20, ..., 90 per heading


def _csv_field(value: str) -> str:
    """Quote a text value for CSV if it needs it (RFC 4180)."""
    if any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _scale_partners() -> list[tuple[int, str, str]]:
    import pycountry

    partners = {(int(c.numeric), c.alpha_3, c.name) for c in pycountry.countries}
    return sorted(p for p in partners if p[0] != KAZAKHSTAN)


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _scale_query(
    start: int,
    stop: int,
    *,
    per_period: int,
    capacity: int,
    mult: int,
    n_partners: int,
    n_codes: int,
    seed: int,
) -> str:
    """SQL producing one CSV line (with newline) per row number in [start, stop)."""
    per_chapter = SCALE_HEADINGS * SCALE_SUBS
    h = f"hash(r + {seed * 1_000_003})"
    h2 = f"hash(r * 3 + {seed * 7919 + 1})"
    # Uniforms in (0, 1) from 53 hash bits.
    u1 = f"((({h} >> 11)::DOUBLE + 0.5) / 9007199254740992.0)"
    u2 = f"((({h2} >> 11)::DOUBLE + 0.5) / 9007199254740992.0)"
    skip = None  # column already written by the previous expression
    col: dict[str, str | None] = {
        "typeCode": "'C'",
        "freqCode": "'M'",
        "refPeriodId": "ptxt",
        "refYear": skip,
        "refMonth": skip,
        "period": skip,
        "reporterCode": f"'{KAZAKHSTAN}'",
        "reporterISO": "'KAZ'",
        "reporterDesc": "'Kazakhstan'",
        "flowCode": "CASE WHEN fl = 0 THEN 'M,Import' ELSE 'X,Export' END",
        "flowDesc": skip,
        "partnerCode": "ptext",
        "partnerISO": skip,
        "partnerDesc": skip,
        "partner2Code": "'0'",
        "partner2ISO": "'W00'",
        "partner2Desc": "'World'",
        "classificationCode": "cls",
        "classificationSearchCode": "'HS'",
        "isOriginalClassification": "'True'",
        "cmdCode": "cmd",
        "cmdDesc": "'\"' || cmd || ' synthetic line, ch. ' || ch_code || '\"'",
        "aggrLevel": "'6'",
        "isLeaf": "'True'",
        "customsCode": "'C00'",
        "customsDesc": "'TOTAL CPC'",
        "mosCode": "'0'",
        "motCode": "'0'",
        "motDesc": "'TOTAL MOT'",
        "qtyUnitCode": "CASE WHEN has_qty THEN '8,kg,' || wgt::VARCHAR ELSE '-1,N/A,0' END",
        "qtyUnitAbbr": skip,
        "qty": skip,
        "isQtyEstimated": "'False'",
        "altQtyUnitCode": "'-1'",
        "altQtyUnitAbbr": "'N/A'",
        "altQty": "'0'",
        "isAltQtyEstimated": "'False'",
        "netWgt": "wgt::VARCHAR",
        "isNetWgtEstimated": "CASE WHEN has_qty THEN 'False' ELSE 'True' END",
        "grossWgt": "(wgt * 1.03)::DECIMAL(18, 3)::VARCHAR",
        "isGrossWgtEstimated": "'False'",
        # cifvalue,fobvalue,primaryValue: CIF on imports, FOB on exports.
        "cifvalue": "CASE WHEN fl = 0 THEN val::VARCHAR || ',,' || val::VARCHAR "
        "ELSE ',' || val::VARCHAR || ',' || val::VARCHAR END",
        "fobvalue": skip,
        "primaryValue": skip,
        "legacyEstimationFlag": "'0'",
        "isReported": "'True'",
        "isAggregate": "'False'",
    }
    assert list(col) == COLUMN_NAMES
    # Fold constant columns into single literals; concat() builds each line in one allocation.
    pieces: list[tuple[bool, str]] = []
    for i, name in enumerate(COLUMN_NAMES):
        expr = col[name]
        if expr is None:
            continue
        if i:
            pieces.append((True, ","))
        literal = expr.startswith("'") and expr.endswith("'") and expr.count("'") == 2
        pieces.append((True, expr[1:-1]) if literal else (False, expr))
    pieces.append((True, "\n"))
    merged: list[tuple[bool, str]] = []
    for literal, text in pieces:
        if literal and merged and merged[-1][0]:
            merged[-1] = (True, merged[-1][1] + text)
        else:
            merged.append((literal, text))
    line = "concat(" + ", ".join(_sql_str(t) if lit else f"({t})" for lit, t in merged) + ")"
    # range() is a single-threaded source: a UNION ALL of slices lets DuckDB use every core.
    step = max(1, math.ceil((stop - start) / 8))
    source = " UNION ALL ".join(
        f"SELECT range AS r FROM range({a}, {min(stop, a + step)})" for a in range(start, stop, step)
    )
    return f"""
    WITH base AS (
        SELECT r, r // {per_period} AS pi,
               ((r % {per_period}) * {mult} + (r // {per_period}) * 104729 + {seed}) % {capacity}
                   AS k,
               {u1} AS u1, {u2} AS u2
        FROM ({source}) t(r)
    ), keyed AS (
        SELECT r, pi, k % 2 AS fl, (k // 2) % {n_partners} AS pj, (k // 2) // {n_partners} AS ci,
               -- log-normal value (Box-Muller), median ~20 000 USD
               exp(ln(20000.0) + 2.0 * sqrt(-2 * ln(u1)) * cos(2 * pi() * u2)) AS usd,
               exp(ln(2.0) + 1.0 * sqrt(-2 * ln(u2)) * sin(2 * pi() * u1)) AS usd_per_kg,
               u2 < 0.9 AS has_qty
        FROM base
    ), enriched AS (
        SELECT r, fl, pj, has_qty, per.ptxt, per.cls,
               c.code || lpad(((ci % {per_chapter}) // {SCALE_SUBS} + 1)::VARCHAR, 2, '0')
                   || (((ci % {per_chapter}) % {SCALE_SUBS} + 1) * 10)::VARCHAR AS cmd,
               c.code AS ch_code,
               least(greatest(usd, 1.0), 5e10)::DECIMAL(18, 2) AS val,
               (least(greatest(usd, 1.0), 5e10) / usd_per_kg)::DECIMAL(18, 3) AS wgt
        FROM keyed
        JOIN per ON per.idx = keyed.pi
        JOIN ch c ON c.idx = keyed.ci // {per_chapter}
        WHERE ci < {n_codes}
    )
    SELECT {line} AS line
    FROM enriched JOIN partners p ON p.idx = enriched.pj
    ORDER BY r
    """


def write_scale_dataset(
    out_path: Path, rows: int = 5_000_000, seed: int = 7, progress: bool = True, chunk_rows: int = 250_000
) -> Path:
    """Write `rows` Kazakhstan-as-reporter records (all partners, HS 6-digit lines) as one CSV.

    Rows are spread evenly over the months 2015-01..2025-12 (file ordered by period); inside a
    month a bijective scramble of (flow, partner, HS line) guarantees unique record keys.
    Generated by DuckDB in chunks of `chunk_rows` (bounded memory), with a tqdm bar per chunk.
    """
    import duckdb
    from tqdm import tqdm

    if rows < 0:
        raise ValueError("rows must be >= 0")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partners = _scale_partners()
    chapters = sorted(HS_CHAPTERS)
    periods = [(y, m) for y in SCALE_YEARS for m in range(1, 13)]
    n_codes = len(chapters) * SCALE_HEADINGS * SCALE_SUBS
    capacity = 2 * len(partners) * n_codes  # distinct keys per period
    per_period = max(1, math.ceil(rows / len(periods)))
    if per_period > capacity:
        raise ValueError(f"at most {capacity * len(periods):,} unique rows can be generated")
    mult = int(capacity * 0.6180339887) | 1
    while math.gcd(mult, capacity) != 1:
        mult += 2

    con = duckdb.connect()
    try:
        # Pre-rendered CSV fragments: refPeriodId,refYear,refMonth,period / partner code,ISO,name.
        con.execute("CREATE TABLE per (idx INTEGER, ptxt VARCHAR, cls VARCHAR)")
        con.executemany(
            "INSERT INTO per VALUES (?, ?, ?)",
            [(i, f"{y}{m:02d}01,{y},{m},{y}{m:02d}", _classification(y)) for i, (y, m) in enumerate(periods)],
        )
        con.execute("CREATE TABLE ch (idx INTEGER, code VARCHAR)")
        con.executemany("INSERT INTO ch VALUES (?, ?)", list(enumerate(chapters)))
        con.execute("CREATE TABLE partners (idx INTEGER, ptext VARCHAR)")
        con.executemany(
            "INSERT INTO partners VALUES (?, ?)",
            [(i, f"{code},{iso},{_csv_field(name)}") for i, (code, iso, name) in enumerate(partners)],
        )
        bar = tqdm(total=rows, unit="rows", disable=not progress or rows < 2 * chunk_rows, desc=out_path.name)
        with out_path.open("wb") as fh:
            fh.write((",".join(COLUMN_NAMES) + "\n").encode())
            for start in range(0, rows, chunk_rows):
                stop = min(rows, start + chunk_rows)
                q = _scale_query(
                    start,
                    stop,
                    per_period=per_period,
                    capacity=capacity,
                    mult=mult,
                    n_partners=len(partners),
                    n_codes=n_codes,
                    seed=seed,
                )
                table = con.sql(q).to_arrow_table()
                for arr in table.column(0).chunks:
                    _write_string_array(fh, arr)
                bar.update(stop - start)
        bar.close()
    finally:
        con.close()
    return out_path


def _write_string_array(fh: BinaryIO, arr: pa.Array) -> None:
    """Write the bytes of an Arrow string array (lines already end with a newline)."""
    if len(arr) == 0:
        return
    if arr.null_count:
        raise ValueError("unexpected NULL line in scale output")
    width = np.int64 if str(arr.type) == "large_string" else np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset : arr.offset + len(arr) + 1]
    data = memoryview(arr.buffers()[2])
    fh.write(data[int(offsets[0]) : int(offsets[-1])])


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.trade", description="Generate deterministic synthetic UN Comtrade v1 files."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bundled", help="KZ-TJ demo set (CSV + JSON, ~33k rows, ~21 MB)")
    b.add_argument("out_dir", type=Path)
    b.add_argument("--seed", type=int, default=2023)
    s = sub.add_parser("scale", help="one large Comtrade v1 CSV for benchmarks")
    s.add_argument("out_path", type=Path)
    s.add_argument("--rows", type=int, default=5_000_000, help="data rows (default 5,000,000)")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--chunk-rows", type=int, default=250_000)
    s.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    if args.command == "bundled":
        paths = write_bundled_dataset(args.out_dir, seed=args.seed)
        size = sum(p.stat().st_size for p in paths)
        print(
            f"wrote {len(paths)} files, {size / 1e6:.1f} MB, to {args.out_dir} "
            f"in {time.perf_counter() - t0:.1f}s"
        )
    else:
        path = write_scale_dataset(
            args.out_path,
            rows=args.rows,
            seed=args.seed,
            progress=not args.no_progress,
            chunk_rows=args.chunk_rows,
        )
        dt = time.perf_counter() - t0
        print(
            f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) to {path} in "
            f"{dt:.1f}s ({args.rows / max(dt, 1e-9):,.0f} rows/s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
