"""Canonical tables: the column names, codes and labels every reader produces.

Readers map whatever an export looks like onto these tables; everything after the
readers (statistics, themes, notebooks, reports) relies only on what is declared here.
"""

from __future__ import annotations

from pipeline.i18n import Catalog, languages

REGIONS: tuple[str, ...] = (
    "Stockholm",
    "Skåne",
    "Västra Götaland",
    "Norrland",
    "Jönköping",
    "Örebro",
)
"""Regions the demo and the default params know; params may declare others."""

# --- survey: one row per respondent -------------------------------------------------
SURVEY_COLUMNS: tuple[str, ...] = (
    "respondent_id",  # str, unique within a file
    "year",  # int
    "region",  # str, one of the params' regions
    "gender",  # code in CATEGORIES["gender"], may be missing
    "age",  # int 16..100, may be missing
    "education",  # code in CATEGORIES["education"], may be missing
    "trained",  # bool, may be missing
    "training_provider",  # code in CATEGORIES["training_provider"], missing if not trained
    "employment_pct",  # float 0..100, may be missing
    "months_worked",  # float >= 0, may be missing
    "salary_monthly_fte",  # float > 0 (SEK per month, full-time equivalent), may be missing
    "supervision",  # bool, may be missing
    "supervision_frequency",  # code in CATEGORIES["supervision_frequency"], may be missing
    "tasks",  # str: codes from CATEGORIES["tasks"] joined with ";", may be empty
)
SURVEY_OPTIONAL_COLUMNS: tuple[str, ...] = ("employer",)  # code in CATEGORIES["employer"]

# --- population: the target population per region and year -------------------------
POPULATION_COLUMNS: tuple[str, ...] = ("year", "region", "target_population")

# --- interview register: one row per interview -------------------------------------
REGISTER_COLUMNS: tuple[str, ...] = (
    "interview_id",  # str, unique
    "year",  # int
    "region",  # str
    "group",  # code in CATEGORIES["group"]
    "form",  # code in CATEGORIES["form"]
    "participants",  # int >= 1
    "mode",  # code in CATEGORIES["mode"]
)

# --- coded segments: one row per coded excerpt --------------------------------------
SEGMENT_COLUMNS: tuple[str, ...] = (
    "interview_id",  # str, must exist in the register
    "theme",  # a theme id from the codebook
    "factor",  # code in CATEGORIES["factor"]
    "excerpt",  # str, the coded text (untrusted; may contain names until pseudonymised)
)

# Codes per category: what tables hold. Their report labels are messages of the catalog
# `categories` (pipeline/locales/<lang>/categories.yaml, key "<category>.<code>").
CODES: dict[str, tuple[str, ...]] = {
    "gender": ("kvinna", "man", "annat", "vill_ej_ange"),
    "education": ("grundskola", "gymnasium", "eftergymnasial", "hogskola"),
    "training_provider": ("nsph", "region", "annan"),
    "supervision_frequency": ("varje_vecka", "varannan_vecka", "varje_manad", "mer_sallan"),
    "employer": ("kommun", "region", "brukarorganisation", "annan"),
    # "annan": an "other, please specify" option; tables show it only when chosen.
    "tasks": (
        "stodsamtal",
        "grupper",
        "aktiviteter",
        "personalgrupper",
        "foredrag",
        "motesstod",
        "annan",
    ),
    "group": ("enhetschef", "medarbetare", "peer_supporter", "brukare"),
    "form": ("individuell", "grupp"),
    "mode": ("fysiskt", "telefon", "video"),
    "factor": ("framjande", "hindrande", "neutral"),
    "recommendation_status": ("kvarstar", "delvis", "genomford"),
}

LANGUAGES: tuple[str, ...] = languages()
"""The report languages: one folder each under pipeline/locales."""

_labels = Catalog("categories")

CATEGORIES: dict[str, dict[str, dict[str, str]]] = {
    category: {
        code: {lang: _labels(lang, f"{category}.{code}") for lang in LANGUAGES} for code in codes
    }
    for category, codes in CODES.items()
}
"""Category -> code -> language -> report label (readers also accept any label as input)."""


def label(category: str, code: str, lang: str = "sv") -> str:
    """Return the report label of a code, or the code itself when it has none.

    Args:
        category: A key of CATEGORIES, e.g. "gender".
        code: The canonical code, e.g. "kvinna".
        lang: The report language (unknown: an error).

    Returns:
        The label in the requested language.
    """
    key = f"{category}.{code}"
    return _labels(lang, key) if _labels.has(lang, key) else code
