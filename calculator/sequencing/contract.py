"""The fixed vocabulary of shared/spec/sequencing.md: answer keys, values and stable ids.

The tree data (calculator/data/*.toml) is checked against these on load, and the engine checks
the answers against them, so a typo in either place is caught rather than silently ignored.
"""

from __future__ import annotations

from calculator.grading import CLASSIFICATIONS
from calculator.sites import PRIMARY_SITES

# Answer keys and their values, in the contract's order. `prior` is a list of option ids.
ANSWER_VALUES: dict[str, tuple[str, ...]] = {
    "site": PRIMARY_SITES,  # calculator/data/sites.toml: one vocabulary for both calculators
    "differentiation": ("well", "poor"),
    "grade": ("G1", "G2", "G3"),
    "stage": ("localized", "advanced"),
    "resectable": ("yes", "no"),
    "syndrome": (
        "none",
        "insulinoma",
        "gastrinoma",
        "vipoma",
        "glucagonoma",
        "somatostatinoma",
        "carcinoid_syndrome",
        "other",
    ),
    "syndrome_controlled": ("yes", "no"),
    "vhl": ("yes", "no"),
    "sstr": ("positive", "partial", "negative", "unknown"),
    "burden": ("low", "high"),
    "bulk_symptoms": ("yes", "no"),
    "pace": ("stable", "progressing", "rapid"),
    "hepatic_predominant": ("yes", "no"),
    "current_ssa": ("none", "standard", "escalated"),
    "prolonged_ssa_benefit": ("yes", "no"),
}
PRIOR_KEY = "prior"
SEQUENCING_KEYS: tuple[str, ...] = (*ANSWER_VALUES, PRIOR_KEY)

# Keys of shared/spec/grading.md that the engine passes to calculator.grading.grade.
GRADING_KEYS: tuple[str, ...] = (
    "ki67_percent",
    "ki67",
    "mitoses",
    "necrosis",
    "ne_component_percent",
)

# Values the engine computes (not answers) that conditions may test.
KI67_VALUE = "ki67_value"  # the Ki-67 % read by the grading engine (number)
GRADING_CLASS = "grading_class"  # the WHO classification returned by the grading engine
GRADING_CLASSES: tuple[str, ...] = CLASSIFICATIONS  # one list, the grading engine's

OPTION_IDS: tuple[str, ...] = (
    "observation",
    "ssa",
    "ssa_dose_escalation",
    "captem",
    "temozolomide",
    "streptozocin_based",
    "everolimus",
    "sunitinib",
    "cabozantinib",
    "prrt_lu177_dotatate",
    "liver_directed",
    "surgical_resection",
    "surgical_debulking",
    "clinical_trial",
    "ppi_high_dose",
    "diazoxide",
    "dietary_management",
    "telotristat",
    "belzutifan",
    "platinum_etoposide",
    "immunotherapy",
)
TRIAL_IDS: tuple[str, ...] = (
    "promid",
    "clarinet",
    "clarinet_forte",
    "radiant_3",
    "radiant_4",
    "sunitinib_pnet",
    "e2211",
    "netter_1",
    "netter_2",
    "oclurandom",
    "compete",
    "sorento",
    "cabinet",
    "sanet_p",
    "sanet_ep",
    "telestar",
    "compose",
    "litespark_004",
)
SOURCE_IDS: tuple[str, ...] = (
    "pnet_systemic_review",
    "ssa_escalation_interview",
    "sorento_commentary",
    "post_ssa_panel",
    "net_treatment_overview",
    "enets_2023_nec",
    "enets_2023_functioning",
)
ADVICE_IDS: tuple[str, ...] = (
    "continue_ssa",
    "consider_stopping_ssa",
    "cbc_after_prrt",
    "no_concurrent_chemo_with_prrt",
    "ssa_may_worsen_hypoglycemia",
    "no_consensus_order",
    # Revision 2 (clinical safety rules)
    "sstr_imaging_first",
    "confirm_differentiation_ki67_gt55",
    "prrt_eligibility",
    "carcinoid_crisis_prophylaxis",
    "screen_carcinoid_heart_disease",
    "dpd_testing_before_capecitabine",
    "hypoglycaemia_watch_insulinoma",
    "pregnancy_and_contraception",
    "continue_ssa_with_prrt",
    "few_options_left",
)

# Ordered best first: results list options in this order.
PREFERENCES: tuple[str, ...] = (
    "preferred",
    "alternative",
    "consider",
    "caution",
    "not_recommended",
)
STRENGTHS: tuple[str, ...] = ("2B", "2C")
PATHWAYS: tuple[str, ...] = ("common", "pnet", "gi")
RESULT_PATHWAYS: tuple[str, ...] = ("pnet", "gi")
OUTCOMES: tuple[str, ...] = ("complete", "out_of_scope")
STATUSES: tuple[str, ...] = ("complete", "needs_input", "out_of_scope", "error")
PRRT = "prrt_lu177_dotatate"

# An "active treatment" (Revision 2, rule 6: no dead ends): an option of these categories that is
# offered (preferred, alternative or consider) for tumour control. Observation, a clinical trial
# and options offered only for hormone control do not count.
ACTIVE_CATEGORIES: tuple[str, ...] = ("antiproliferative", "local", "hormone_control")
OFFERED: tuple[str, ...] = ("preferred", "alternative", "consider")
