"""Controlled vocabularies (DOMAIN.md section 2). Use exactly these codes in data, API and exports."""

MODALITIES = ("iv_infusion", "im_injection", "esketamine_nasal", "oral_sublingual", "at_home")
CONDITIONS = (
    "depression", "treatment_resistant_depression", "anxiety", "ptsd", "ocd", "bipolar_depression",
    "suicidal_ideation", "chronic_pain", "substance_use", "postpartum_depression", "eating_disorders",
)
SERVICES = (
    "integration_therapy", "ketamine_assisted_psychotherapy", "medical_screening", "telehealth",
    "accepts_insurance", "spravato_rems_certified",
)

LABELS = {
    "iv_infusion": "IV infusion", "im_injection": "IM injection", "esketamine_nasal": "Spravato (esketamine) nasal spray",
    "oral_sublingual": "Oral / sublingual", "at_home": "At-home ketamine",
    "depression": "Depression", "treatment_resistant_depression": "Treatment-resistant depression",
    "anxiety": "Anxiety", "ptsd": "PTSD", "ocd": "OCD", "bipolar_depression": "Bipolar depression",
    "suicidal_ideation": "Suicidal ideation", "chronic_pain": "Chronic pain", "substance_use": "Substance use",
    "postpartum_depression": "Postpartum depression", "eating_disorders": "Eating disorders",
    "integration_therapy": "Integration therapy", "ketamine_assisted_psychotherapy": "Ketamine-assisted psychotherapy",
    "medical_screening": "Medical screening", "telehealth": "Telehealth", "accepts_insurance": "Accepts insurance",
    "spravato_rems_certified": "Spravato REMS certified (claimed)",
}

#: Verification outcomes (indexer.db.models.VERIFICATION_OUTCOMES) in words: one clear status per credential.
OUTCOME_LABELS = {
    "verified": "Verified in the NPI registry",
    "mismatch": "Does not match the NPI registry",
    "not_found": "Not found in the NPI registry",
    "ambiguous": "Several registry entries match: not verified",
    "invalid_number": "The NPI printed is not a valid number",
    "unchecked": "Not checked yet",
}

#: Kinds of source (indexer.db.models.Source.kind) as a patient knows them. A directory is named by its own
#: title (Source.name) instead.
SOURCE_KIND_LABELS = {
    "registry": "NPI Registry",
    "clinic_site": "the clinic's website",
    "osm": "OpenStreetMap",
    "directory": "an online directory",
}
