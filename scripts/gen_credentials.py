"""Generate kdir/common/data/credentials.csv: the credentials a US clinician prints after their name, and for those
the NPI registry check can test, the kind of provider they claim (``category``, see ``kdir.common.taxonomy``).

Sources (see kdir/common/data/SOURCE.md):
* HL7 table 0360 "Degree/License/Certificate" (http://terminology.hl7.org/CodeSystem/v2-0360), read from the
  expansion printed in an HL7 FHIR implementation guide page (Da Vinci PDEX Plan-Net,
  ValueSet-SpecialtyAndDegreeLicenseCertificateVS, markdown rendering): the health degrees and licences only.
* The NUCC Health Care Provider Taxonomy classifications of the same page (http://nucc.org/provider-taxonomy):
  each state licence below names the NUCC classification it is issued under, and the generator checks that
  the classification exists in the taxonomy (so a licence is only listed for a real NUCC provider type).
* State licence abbreviations (no machine-readable national list exists): the table below, one row per
  licence title used by state boards, with the NUCC classification it belongs to.

    python scripts/gen_credentials.py ValueSet-SpecialtyAndDegreeLicenseCertificateVS.md > \\
        kdir/common/data/credentials.csv
"""

from __future__ import annotations

import csv
import re
import sys

#: HL7 0360 codes that are not health credentials (general degrees, school certificates)
_HL7_SKIP = {"AA", "AAS", "ABA", "AE", "AS", "BA", "BBA", "BE", "BFA", "BSL", "BT", "CER", "DBA", "DIP", "HS",
             "JD", "MCE", "MDI", "MEE", "ME", "MFA", "MME", "MSL", "MTH", "NG", "PHE", "PHS", "SEC", "TS", "CTR",
             "BS", "BN", "MT", "MDA", "CMA", "RMA", "EMT", "EMTP", "CRN", "PN"}
#: HL7 spells a few codes in capitals where clinicians print mixed case
_HL7_SPELLING = {"PHD": "PhD", "MED": "MEd", "DED": "EdD", "RPH": "RPh"}

#: (abbreviation, meaning, NUCC classification it is issued under)
STATE_LICENCES: tuple[tuple[str, str, str], ...] = (
    ("LPC", "Licensed Professional Counselor", "Professional Counselor"),
    ("LPCC", "Licensed Professional Clinical Counselor", "Professional Counselor"),
    ("LCPC", "Licensed Clinical Professional Counselor", "Professional Counselor"),
    ("LMHC", "Licensed Mental Health Counselor", "Mental Health Counselor"),
    ("LCMHC", "Licensed Clinical Mental Health Counselor", "Mental Health Counselor"),
    ("LMHCA", "Licensed Mental Health Counselor Associate", "Mental Health Counselor"),
    ("LPCMH", "Licensed Professional Counselor of Mental Health", "Mental Health Counselor"),
    ("LMHP", "Licensed Mental Health Practitioner", "Mental Health Counselor"),
    ("LAPC", "Licensed Associate Professional Counselor", "Professional Counselor"),
    ("LGPC", "Licensed Graduate Professional Counselor", "Professional Counselor"),
    ("LCPCA", "Licensed Clinical Professional Counselor Associate", "Professional Counselor"),
    ("NCC", "National Certified Counselor", "Counselor"),
    ("CCMHC", "Certified Clinical Mental Health Counselor", "Mental Health Counselor"),
    ("LCSW", "Licensed Clinical Social Worker", "Clinical Social Worker"),
    ("LICSW", "Licensed Independent Clinical Social Worker", "Clinical Social Worker"),
    ("LISW", "Licensed Independent Social Worker", "Clinical Social Worker"),
    ("LCSWA", "Licensed Clinical Social Worker Associate", "Clinical Social Worker"),
    ("LMSW", "Licensed Master Social Worker", "Social Worker"),
    ("LGSW", "Licensed Graduate Social Worker", "Social Worker"),
    ("LSW", "Licensed Social Worker", "Social Worker"),
    ("CSW", "Clinical Social Worker", "Clinical Social Worker"),
    ("ACSW", "Academy of Certified Social Workers", "Social Worker"),
    ("MSW", "Master of Social Work", "Social Worker"),
    ("BCD", "Board Certified Diplomate in Clinical Social Work", "Clinical Social Worker"),
    ("LMFT", "Licensed Marriage and Family Therapist", "Marriage & Family Therapist"),
    ("LCMFT", "Licensed Clinical Marriage and Family Therapist", "Marriage & Family Therapist"),
    ("LAMFT", "Licensed Associate Marriage and Family Therapist", "Marriage & Family Therapist"),
    ("AMFT", "Associate Marriage and Family Therapist", "Marriage & Family Therapist"),
    ("MFT", "Marriage and Family Therapist", "Marriage & Family Therapist"),
    ("LCAT", "Licensed Creative Arts Therapist", "Counselor"),
    ("LCADC", "Licensed Clinical Alcohol and Drug Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("LADC", "Licensed Alcohol and Drug Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("LAC", "Licensed Addiction Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("CADC", "Certified Alcohol and Drug Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("CAADC", "Certified Advanced Alcohol and Drug Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("CAC", "Certified Addiction Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("MAC", "Master Addiction Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("LCDC", "Licensed Chemical Dependency Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("CASAC", "Credentialed Alcoholism and Substance Abuse Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("LCAS", "Licensed Clinical Addiction Specialist", "Addiction (Substance Use Disorder) Counselor"),
    ("LISAC", "Licensed Independent Substance Abuse Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("CSAC", "Certified Substance Abuse Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("NCAC", "National Certified Addiction Counselor", "Addiction (Substance Use Disorder) Counselor"),
    ("PsyD", "Doctor of Psychology", "Psychologist"),
    ("LP", "Licensed Psychologist", "Psychologist"),
    ("LCP", "Licensed Clinical Psychologist", "Clinical Psychologist"),
    ("LPA", "Licensed Psychological Associate", "Psychologist"),
    ("HSPP", "Health Service Provider in Psychology", "Health Service Psychologist"),
    ("BCBA", "Board Certified Behavior Analyst", "Behavioral Analyst"),
    ("APRN", "Advanced Practice Registered Nurse", "Nurse Practitioner"),
    ("ARNP", "Advanced Registered Nurse Practitioner", "Nurse Practitioner"),
    ("FNP", "Family Nurse Practitioner", "Nurse Practitioner"),
    ("PMHNP", "Psychiatric/Mental Health Nurse Practitioner", "Nurse Practitioner"),
    ("AGNP", "Adult-Gerontology Nurse Practitioner", "Nurse Practitioner"),
    ("AGPCNP", "Adult-Gerontology Primary Care Nurse Practitioner", "Nurse Practitioner"),
    ("AGACNP", "Adult-Gerontology Acute Care Nurse Practitioner", "Nurse Practitioner"),
    ("ANP", "Adult Nurse Practitioner", "Nurse Practitioner"),
    ("PMHCNS", "Psychiatric/Mental Health Clinical Nurse Specialist", "Clinical Nurse Specialist"),
    ("DNP", "Doctor of Nursing Practice", "Nurse Practitioner"),
    ("CRNA", "Certified Registered Nurse Anesthetist", "Nurse Anesthetist, Certified Registered"),
    ("DNAP", "Doctor of Nurse Anesthesia Practice", "Nurse Anesthetist, Certified Registered"),
    ("LVN", "Licensed Vocational Nurse", "Licensed Vocational Nurse"),
    ("LPN", "Licensed Practical Nurse", "Licensed Practical Nurse"),
    ("PMH", "Psychiatric-Mental Health Nursing (ANCC)", "Registered Nurse"),
    ("MBBS", "Bachelor of Medicine, Bachelor of Surgery", "Psychiatry & Neurology"),
    ("DABPN", "Diplomate, American Board of Psychiatry and Neurology", "Psychiatry & Neurology"),
    ("FAPA", "Fellow, American Psychiatric Association", "Psychiatry & Neurology"),
    ("DFAPA", "Distinguished Fellow, American Psychiatric Association", "Psychiatry & Neurology"),
    ("FASAM", "Fellow, American Society of Addiction Medicine", "Addiction Medicine"),
    ("DABA", "Diplomate, American Board of Anesthesiology", "Anesthesiology"),
    ("FASA", "Fellow, American Society of Anesthesiologists", "Anesthesiology"),
    ("FACEP", "Fellow, American College of Emergency Physicians", "Emergency Medicine"),
    ("FAAFP", "Fellow, American Academy of Family Physicians", "Family Medicine"),
    ("MPH", "Master of Public Health", "Preventive Medicine"),
    ("LMT", "Licensed Massage Therapist", "Massage Therapist"),
    ("CPRP", "Certified Psychiatric Rehabilitation Practitioner", "Counselor"),
)
#: suffixes of interim, associate, supervisory and board-certified forms ("LPC-A", "LCSW-C", "FNP-BC")
SUFFIXES: tuple[tuple[str, str], ...] = (
    ("A", "associate"), ("I", "intern"), ("IT", "in training"), ("S", "supervisor"), ("CS", "clinical supervisor"),
    ("C", "certified / clinical"), ("BC", "board certified"), ("R", "registered / reimbursable"),
    ("P", "provisional"), ("CP", "clinical practice"),
)
#: credential -> the kind of provider it claims, as the registry check reads it (``kdir.common.taxonomy``: each
#: category has the NUCC taxonomy codes that fit it). Credentials without one (RN, PhD, MSW, LMSW, ...) are looked
#: up by name without a taxonomy check; a suffixed form ("PMHNP-BC", "LPC-A") claims what its licence claims.
CATEGORIES: dict[str, str] = {
    "MD": "physician", "DO": "physician",
    "NP": "np", "FNP": "np", "APRN": "np", "CNP": "np", "DNP": "np", "PMHNP": "psych_np", "CRNA": "crna",
    "PA": "pa", "LCSW": "social_worker", "LICSW": "social_worker", "LISW": "social_worker",
    "LPC": "counselor", "LMHC": "counselor", "LCPC": "counselor", "LPCC": "counselor",
    "LMFT": "mft", "MFT": "mft", "PsyD": "psychologist", "LP": "psychologist",
}
#: classifications named in other NUCC groupings than those printed on the IG page (physician specialties)
_NUCC_ALSO = {"Psychiatry & Neurology", "Addiction Medicine", "Anesthesiology", "Emergency Medicine",
              "Family Medicine", "Preventive Medicine", "Nurse Anesthetist, Certified Registered"}
_ROW = re.compile(r"^\| \[?(?P<code>[^|\]]+?)\]?(?:\([^)]*\))? \| (?P<system>\S+) \| (?P<display>[^|]*?) \|")


def main(path: str) -> None:
    hl7: list[tuple[str, str]] = []
    nucc: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = _ROW.match(line)
            if not m:
                continue
            if m.group("system").endswith("v2-0360") and m.group("code") not in _HL7_SKIP:
                hl7.append((_HL7_SPELLING.get(m.group("code"), m.group("code")), m.group("display").strip()))
            elif "nucc.org" in m.group("system"):
                nucc.add(m.group("display").strip())
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "meaning", "kind", "source", "category"])
    seen: set[str] = set()
    for code, meaning in hl7:
        seen.add(code)
        out.writerow([code, meaning, "degree_or_licence", "HL7 v2-0360", CATEGORIES.get(code, "")])
    for code, meaning, classification in STATE_LICENCES:
        known = classification in _NUCC_ALSO or any(classification in d for d in nucc)
        if not known:
            raise SystemExit(f"{code}: NUCC classification {classification!r} not in the taxonomy")
        if code not in seen:
            seen.add(code)
            out.writerow([code, meaning, "licence", f"state boards; NUCC: {classification}",
                          CATEGORIES.get(code, "")])
    for code, meaning in SUFFIXES:
        out.writerow([code, meaning, "suffix", "state boards", ""])
    missing = set(CATEGORIES) - seen
    if missing:
        raise SystemExit(f"categories of credentials not listed: {sorted(missing)}")


if __name__ == "__main__":
    main(sys.argv[1])
