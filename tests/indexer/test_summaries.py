"""Operator summaries in words (indexer.summaries): what `kdir index`, `kdir crawl`, `kdir demo` and /ops print."""

from __future__ import annotations

from indexer.summaries import crawl_sentence, credentials_sentence, index_sentence


def test_index_sentence_reads_like_the_operator_speaks() -> None:
    text = index_sentence(created=38, merged=26, credentials={"verified": 21, "mismatch": 1, "not_found": 6})
    assert text == "38 new listings, 26 merged into existing ones; 21 credentials verified, 1 does not match, 6 not found"
    one = index_sentence(created=1, merged=0, credentials={"not_found": 1, "ambiguous": 2, "invalid_number": 1},
                         registry_unmatched=3, stale_marked=2, updated=5, observations=40, skipped=1, seconds=2.04)
    assert one == ("1 new listing, 0 merged into existing ones; 1 credential has an NPI that is not a valid number, "
                   "1 not found, 2 match several registry entries; 3 registry records matching no listing yet (kept "
                   "for later); 2 listings no longer seen, 0 seen again; 5 listings to refresh in search (from 40 observations, 1 skipped as "
                   "unusable or outdated, in 2.0s)")
    for code in ("not_found", "invalid_number", "mismatch", "ambiguous"):
        assert code not in one and code not in text
    assert index_sentence(created=0, merged=0, observations=0, seconds=0.1) == (
        "Nothing new to index: no new or changed observations (0.1s)")


def test_credentials_sentence() -> None:
    assert credentials_sentence({}) == "no credentials checked"
    assert credentials_sentence({"verified": 1}) == "1 credential verified"
    assert credentials_sentence({"mismatch": 2, "verified": 0, "unchecked": 3}) == (
        "2 credentials do not match, 3 not checked yet")


def test_crawl_sentence() -> None:
    assert crawl_sentence(run_id=5, spider="clinic_site", status="ok", items=40, new=3, pages=41, errors=0,
                          seconds=3.21) == ("run 5 of clinic_site finished ok in 3.2s: 40 listings read (3 new or "
                                            "changed) from 41 pages, no errors")
    assert crawl_sentence(run_id=6, spider="directory", status="suspect", items=1, new=0, pages=1, errors=2,
                          suspect_reason="under 50% of the last good run") == (
        "run 6 of directory finished but looks suspect: 1 listing read (0 new or changed) from 1 page, 2 errors "
        "(under 50% of the last good run)")
    assert crawl_sentence(run_id=7, spider="nppes", status="failed", items=0, new=0, pages=0, errors=1) == (
        "run 7 of nppes failed: 0 registry records read (0 new or changed) from 0 pages, 1 error")
