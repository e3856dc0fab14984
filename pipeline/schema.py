"""Canonical tables: the column names, codes and labels every reader produces.

Readers map whatever an export looks like onto these tables; everything after the
readers (statistics, themes, notebooks, reports) relies only on what is declared here.
"""

from __future__ import annotations

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

# Codes and their labels. The code is what tables hold; labels are for reports.
CATEGORIES: dict[str, dict[str, dict[str, str]]] = {
    "gender": {
        "kvinna": {"sv": "Kvinna", "en": "Woman"},
        "man": {"sv": "Man", "en": "Man"},
        "annat": {"sv": "Annat", "en": "Other"},
        "vill_ej_ange": {"sv": "Vill ej ange", "en": "Prefer not to say"},
    },
    "education": {
        "grundskola": {"sv": "Grundskola", "en": "Compulsory school"},
        "gymnasium": {"sv": "Gymnasium", "en": "Upper secondary"},
        "eftergymnasial": {"sv": "Eftergymnasial, ej högskola", "en": "Post-secondary"},
        "hogskola": {"sv": "Högskola/universitet", "en": "University"},
    },
    "training_provider": {
        "nsph": {"sv": "NSPH", "en": "NSPH"},
        "region": {"sv": "Region/kommun", "en": "Region/municipality"},
        "annan": {"sv": "Annan utbildare", "en": "Other provider"},
    },
    "supervision_frequency": {
        "varje_vecka": {"sv": "Varje vecka", "en": "Every week"},
        "varannan_vecka": {"sv": "Varannan vecka", "en": "Every other week"},
        "varje_manad": {"sv": "Varje månad", "en": "Every month"},
        "mer_sallan": {"sv": "Mer sällan", "en": "Less often"},
    },
    "employer": {
        "kommun": {"sv": "Kommun", "en": "Municipality"},
        "region": {"sv": "Region", "en": "Region"},
        "brukarorganisation": {"sv": "Brukarorganisation", "en": "User organisation"},
        "annan": {"sv": "Annan", "en": "Other"},
    },
    "tasks": {
        "stodsamtal": {"sv": "Stödsamtal", "en": "Supportive conversations"},
        "grupper": {"sv": "Gruppverksamhet", "en": "Group sessions"},
        "aktiviteter": {"sv": "Promenader och aktiviteter", "en": "Walks and activities"},
        "personalgrupper": {"sv": "Arbete med personalgrupper", "en": "Work with staff groups"},
        "foredrag": {"sv": "Föreläsningar", "en": "Lectures"},
        "motesstod": {"sv": "Stöd vid möten och kontakter", "en": "Support at meetings"},
    },
    "group": {
        "enhetschef": {"sv": "Enhetschefer", "en": "Unit managers"},
        "medarbetare": {"sv": "Medarbetare", "en": "Staff"},
        "peer_supporter": {"sv": "Peer supportrar", "en": "Peer supporters"},
        "brukare": {"sv": "Brukare", "en": "Service users"},
    },
    "form": {
        "individuell": {"sv": "Individuell intervju", "en": "Individual interview"},
        "grupp": {"sv": "Gruppintervju", "en": "Group interview"},
    },
    "mode": {
        "fysiskt": {"sv": "Fysiskt möte", "en": "In person"},
        "telefon": {"sv": "Telefon", "en": "Telephone"},
        "video": {"sv": "Video", "en": "Video"},
    },
    "factor": {
        "framjande": {"sv": "Främjande", "en": "Promoting"},
        "hindrande": {"sv": "Hindrande", "en": "Hindering"},
        "neutral": {"sv": "Neutral", "en": "Neutral"},
    },
    "recommendation_status": {
        "kvarstar": {"sv": "Kvarstår", "en": "Still open"},
        "delvis": {"sv": "Delvis genomförd", "en": "Partly implemented"},
        "genomford": {"sv": "Genomförd", "en": "Implemented"},
    },
}

LANGUAGES: tuple[str, ...] = ("sv", "en")


def label(category: str, code: str, lang: str = "sv") -> str:
    """Return the report label of a code, or the code itself when it has none.

    Args:
        category: A key of CATEGORIES, e.g. "gender".
        code: The canonical code, e.g. "kvinna".
        lang: "sv" or "en".

    Returns:
        The label in the requested language.
    """
    return CATEGORIES.get(category, {}).get(code, {}).get(lang, code)
