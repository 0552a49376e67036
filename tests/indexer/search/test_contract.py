"""The one contract every search backend honours (FTS5 always; Meilisearch when KDIR_MEILI_URL is set)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from indexer.search.base import FACET_FIELDS, HL_END, HL_START, SearchBackend, SearchQuery, SearchUnavailable
from indexer.search.common import haversine_km
from kdir.common.filters import where
from kdir.common.places import split_place
from tests.indexer.search.conftest import MEILI_URL, make_doc, meili_key, meili_only

AUSTIN = (30.2672, -97.7431)


def corpus() -> list[dict[str, Any]]:
    return [
        make_doc(1, "Austin Ketamine Clinic", city="Austin", region="TX", postal_code="78701", lat=30.2672,
                 lon=-97.7431, modalities=["iv_infusion", "esketamine_nasal"], conditions=["depression", "ptsd"],
                 services=["integration_therapy", "accepts_insurance", "spravato_rems_certified"],
                 accepts_insurance=True, rems_claimed=True, verified=True, psychiatrist=True, prices_listed=True,
                 practitioners=["Maria Gonzalez, MD"], npis=["1234567893"], rating_value=4.8, rating_count=50,
                 rating_sources=2, rating_bayes=4.6),
        make_doc(2, "Hill Country Wellness", city="Round Rock", region="TX", postal_code="78664", lat=30.5083,
                 lon=-97.6789, modalities=["oral_sublingual", "at_home"], conditions=["anxiety"],
                 services=["ketamine_assisted_psychotherapy", "telehealth"], telehealth=True, therapist=True,
                 practitioners=["Jonathan Whitfield, PMHNP-BC", "Sarah Lee, LCSW"], rating_value=4.2,
                 rating_count=10, rating_sources=1, rating_bayes=4.0),
        make_doc(3, "Denver Infusion Center", city="Denver", region="CO", postal_code="80202", lat=39.7392,
                 lon=-104.9903, modalities=["iv_infusion"], conditions=["depression", "chronic_pain"],
                 verified=True, practitioners=["Robert Chen, DO"], rating_value=3.9, rating_count=200,
                 rating_sources=1, rating_bayes=3.92),
        make_doc(4, "Emily Stone, PMHNP-BC", kind="practitioner", city="San Antonio", region="TX",
                 postal_code="78205", lat=29.4241, lon=-98.4936, modalities=["esketamine_nasal"],
                 conditions=["treatment_resistant_depression"], therapist=True),
        make_doc(5, "Old Ketamine Clinic", stale=True, city="Austin", region="TX", postal_code="78701",
                 lat=30.27, lon=-97.74, modalities=["iv_infusion"], rating_value=5.0, rating_count=5,
                 rating_bayes=4.9),
        make_doc(6, "Serenity Mind Institute", city="Austin", region="TX", postal_code="78703",
                 modalities=["im_injection"], conditions=["ocd"], rating_value=4.9, rating_count=3,
                 rating_sources=1, rating_bayes=4.2),
    ]


@pytest.fixture
def loaded(backend: SearchBackend) -> SearchBackend:
    assert backend.upsert(corpus()) == 6
    return backend


def ids(backend: SearchBackend, **kwargs: Any) -> list[int]:
    return [h.id for h in backend.search(SearchQuery(per_page=100, **kwargs)).hits]


def test_upsert_get_count_delete(backend: SearchBackend) -> None:
    assert backend.count() == 0
    assert backend.get(1) is None
    backend.upsert(corpus())
    assert backend.count() == 6
    doc = backend.get(1)
    assert doc == corpus()[0]
    changed = corpus()[0] | {"name": "Austin Ketamine & Wellness"}
    backend.upsert([changed])
    assert backend.count() == 6
    assert backend.get(1)["name"] == "Austin Ketamine & Wellness"  # type: ignore[index]
    assert backend.delete([2, 999]) >= 1
    assert backend.count() == 5
    assert backend.get(2) is None
    assert 2 not in ids(backend, text="hill country")
    assert backend.health() is True


def test_rebuild_replaces_everything(loaded: SearchBackend) -> None:
    fresh = [make_doc(10, "Brand New Clinic", modalities=["iv_infusion"]), make_doc(11, "Second Place")]
    assert loaded.rebuild(fresh) == 2
    assert loaded.count() == 2
    assert loaded.get(1) is None
    assert ids(loaded, text="austin") == []
    assert ids(loaded, text="brand") == [10]


def test_name_match_ranks_first(loaded: SearchBackend) -> None:
    hits = ids(loaded, text="ketamine")
    assert hits[0] == 1  # "Ketamine" in the name beats a treatment label mentioning ketamine
    assert 2 in hits  # "Ketamine-assisted psychotherapy" offered
    assert 5 not in hits  # stale


def test_prefix_and_typo_tolerance(loaded: SearchBackend) -> None:
    assert 1 in ids(loaded, text="ketam")
    assert ids(loaded, text="whitf") == [2]  # practitioner name prefix
    assert ids(loaded, text="serenety") == [6]  # one typo
    assert ids(loaded, text="gonzales") == [1]  # one typo in a practitioner's name
    assert ids(loaded, text="78702") == []  # no typo tolerance on postal codes
    assert ids(loaded, text="78701") == [1]
    assert ids(loaded, text="1234567893") == [1]  # NPI


def test_geo_radius_and_distance_sort(loaded: SearchBackend) -> None:
    assert sorted(ids(loaded, lat=AUSTIN[0], lon=AUSTIN[1], radius_km=50)) == [1, 2]
    assert sorted(ids(loaded, lat=AUSTIN[0], lon=AUSTIN[1], radius_km=150)) == [1, 2, 4]
    result = loaded.search(SearchQuery(lat=AUSTIN[0], lon=AUSTIN[1], sort="distance"))
    order = [h.id for h in result.hits]
    assert order[:4] == [1, 2, 4, 3]
    assert order[-1] == 6  # no coordinates: last
    by_id = {h.id: h for h in result.hits}
    assert by_id[1].distance_km == pytest.approx(0.0, abs=0.01)
    assert by_id[4].distance_km == pytest.approx(haversine_km(*AUSTIN, 29.4241, -98.4936), rel=1e-6)
    assert by_id[6].distance_km is None
    # text + radius + distance order ("clinic" finds every clinic: its kind is searchable)
    assert ids(loaded, text="clinic", lat=AUSTIN[0], lon=AUSTIN[1], radius_km=50, sort="distance") == [1, 2]


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"filters": where(modality=["iv_infusion"])}, [1, 3]),
    ({"filters": where(modality=["iv_infusion", "esketamine_nasal"])}, [1, 3, 4]),  # any of them
    ({"filters": where(modality=["iv_infusion", "esketamine_nasal"], condition=["ptsd", "chronic_pain"])},
     [1, 3]),  # any of each group, both groups
    ({"filters": where(modality=["iv_infusion", "esketamine_nasal"], kind="practitioner")}, [4]),
    ({"filters": where(condition=["depression"])}, [1, 3]),
    ({"filters": where(service=["telehealth"])}, [2]),
    ({"filters": where(kind="practitioner")}, [4]),
    ({"filters": where(kind="clinic")}, [1, 2, 3, 6]),
    ({"filters": where(verified=True)}, [1, 3]),
    ({"filters": where(psychiatrist=True)}, [1]),
    ({"filters": where(therapist=True)}, [2, 4]),
    ({"filters": where(insurance=True)}, [1]),
    ({"filters": where(telehealth=True)}, [2]),
    ({"filters": where(prices=True)}, [1]),
    ({"min_rating": 4.5}, [1, 6]),
    ({"include_stale": True}, [1, 2, 3, 4, 5, 6]),
    ({"include_stale": True, "min_rating": 4.95}, [5]),
    ({"filters": where(condition=["depression"], verified=True), "text": "denver"}, [3]),
])
def test_filters(loaded: SearchBackend, kwargs: dict[str, Any], expected: list[int]) -> None:
    result = loaded.search(SearchQuery(per_page=100, **kwargs))
    assert sorted(h.id for h in result.hits) == expected
    assert result.total == len(expected)


def test_unknown_filter_code_is_an_error(loaded: SearchBackend) -> None:
    with pytest.raises(ValueError):
        loaded.search(SearchQuery(filters={"modality": ("snake_oil",)}))
    with pytest.raises(ValueError):
        loaded.search(SearchQuery(lat=100.0, lon=0.0))


def test_facet_counts(loaded: SearchBackend) -> None:
    facets = loaded.search(SearchQuery()).facets
    assert set(facets) == set(FACET_FIELDS)
    assert facets["kind"] == {"clinic": 4, "practitioner": 1}
    assert facets["modalities"] == {"iv_infusion": 2, "esketamine_nasal": 2, "oral_sublingual": 1, "at_home": 1,
                                    "im_injection": 1}
    assert facets["verified"] == {"true": 2, "false": 3}
    assert "telehealth" not in facets and "accepts_insurance" not in facets  # one filter each: the services
    assert facets["services"]["accepts_insurance"] == 1 and facets["services"]["telehealth"] == 1
    narrowed = loaded.search(SearchQuery(filters=where(modality=["iv_infusion"]))).facets  # over the filtered result set
    assert narrowed["conditions"] == {"depression": 2, "ptsd": 1, "chronic_pain": 1}
    assert narrowed["kind"] == {"clinic": 2}
    assert loaded.search(SearchQuery(facets=False)).facets == {}


def test_disjunctive_facet_counts(loaded: SearchBackend) -> None:
    """A filter's counts ignore its own selection (each count = results if that box were ticked too); every
    other filter applies. ``without`` = the total with one filter dropped."""
    one = loaded.search(SearchQuery(filters=where(modality=["iv_infusion"])))
    assert one.total == 2
    # the treatment group counts as if nothing were ticked in it: ticking Spravato too gives 1 + 2 - 1 = 3
    assert one.facets["modalities"] == {"iv_infusion": 2, "esketamine_nasal": 2, "oral_sublingual": 1,
                                        "at_home": 1, "im_injection": 1}
    assert one.facets["conditions"] == {"depression": 2, "ptsd": 1, "chronic_pain": 1}  # other groups: filtered
    two = loaded.search(SearchQuery(filters=where(modality=["iv_infusion", "esketamine_nasal"])))
    assert two.total == 3
    both = loaded.search(SearchQuery(filters=where(modality=["iv_infusion", "esketamine_nasal"],
                                                   condition=["ptsd"])))
    assert [h.id for h in both.hits] == [1]
    assert both.facets["conditions"] == {"depression": 2, "ptsd": 1, "chronic_pain": 1,
                                         "treatment_resistant_depression": 1}  # within the 3 of the treatments
    assert both.facets["modalities"] == {"iv_infusion": 1, "esketamine_nasal": 1}  # within the PTSD ones
    assert both.without == {"modality": 1, "condition": 3}
    # each count is what ticking that box gives
    for code, n in both.facets["conditions"].items():
        ticked = loaded.search(SearchQuery(filters=where(modality=["iv_infusion", "esketamine_nasal"],
                                                         condition=["ptsd", code])))
        assert ticked.total == len({1} | {h.id for h in loaded.search(SearchQuery(filters=where(
            modality=["iv_infusion", "esketamine_nasal"], condition=[code]))).hits}) and n >= 1


def test_telehealth_in_a_state_whatever_the_address(backend: SearchBackend) -> None:
    backend.upsert([
        make_doc(1, "Texas Clinic", region="TX", telehealth=True, services=["telehealth"],
                 licensed_states=["TX"], telehealth_states=["TX"]),
        make_doc(2, "Colorado Telehealth", region="CO", telehealth=True, services=["telehealth"],
                 licensed_states=["CO", "TX"], telehealth_states=["CO", "TX"]),
        make_doc(3, "Colorado In Person", region="CO", licensed_states=["CO", "TX"]),  # no telehealth
    ])
    assert ids(backend, filters=where(telehealth_state="TX")) == [1, 2] or \
        sorted(ids(backend, filters=where(telehealth_state="TX"))) == [1, 2]
    assert ids(backend, filters=where(telehealth_state="CO")) == [2]
    assert ids(backend, filters=where(telehealth_state="NY")) == []


def test_price_sort_unpriced_last(backend: SearchBackend) -> None:
    backend.upsert([
        make_doc(1, "Dear", price_min=700.0, prices_listed=True, rating_bayes=4.0, rating_value=4.0,
                 rating_count=3),
        make_doc(2, "Unknown", rating_bayes=4.9, rating_value=4.9, rating_count=30),
        make_doc(3, "Cheap", price_min=350.0, prices_listed=True),
        make_doc(4, "Middle", price_min=450.0, prices_listed=True),
    ])
    assert ids(backend, sort="price") == [3, 4, 1, 2]
    assert [h.id for h in backend.search(SearchQuery(sort="price", per_page=2, page=2)).hits] == [1, 2]
    assert ids(backend, sort="price", text="cheap") == [3]


def test_rating_sort_and_pagination(loaded: SearchBackend) -> None:
    assert ids(loaded, sort="rating") == [1, 6, 2, 3, 4]  # unrated last
    pages = [loaded.search(SearchQuery(sort="rating", per_page=2, page=p)) for p in (1, 2, 3, 4)]
    assert [[h.id for h in r.hits] for r in pages] == [[1, 6], [2, 3], [4], []]
    assert {r.total for r in pages} == {5}


def test_stale_hidden_by_default(loaded: SearchBackend) -> None:
    assert ids(loaded, text="old ketamine") == []
    assert ids(loaded, text="old ketamine", include_stale=True) == [5]


def test_highlight_sentinels(loaded: SearchBackend) -> None:
    hit = loaded.search(SearchQuery(text="ketamine")).hits[0]
    assert hit.highlights["name"] == f"Austin {HL_START}Ketamine{HL_END} Clinic"
    hit = loaded.search(SearchQuery(text="gonzalez")).hits[0]
    assert f"{HL_START}Gonzalez{HL_END}" in hit.highlights["practitioners"]
    assert "<" not in hit.highlights["practitioners"]
    assert "name" not in hit.highlights
    assert loaded.search(SearchQuery(sort="rating")).hits[0].highlights == {}


def test_scraped_text_cannot_forge_highlights(backend: SearchBackend) -> None:
    backend.upsert([make_doc(1, f"Evil {HL_START}Fake{HL_END} <b>Clinic</b>")])
    doc = backend.get(1)
    assert doc is not None and HL_START not in doc["name"] and HL_END not in doc["name"]
    hit = backend.search(SearchQuery(text="evil")).hits[0]
    assert hit.highlights["name"].count(HL_START) == 1


HOSTILE = ['"', "'", "NEAR(", "NEAR(a b, 2)", "*", "**", "AND", "OR NOT", "-", "^", "{name}: x", "name:x",
           "(((", ")", "ketamine\"*", "'; DROP TABLE docs; --", "\x00", HL_START, "🙂", "a" * 5000,
           " ".join(["ketamine"] * 200), "%", "_", "\\", "ketamine OR 1=1", "$(rm -rf /)", "NOT ketamine",
           "ke*ta", '""', "col : term", "\u202e", "ｋｅｔａｍｉｎｅ"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_query_strings_never_raise(loaded: SearchBackend, text: str) -> None:
    result = loaded.search(SearchQuery(text=text, lat=AUSTIN[0], lon=AUSTIN[1], radius_km=100))
    assert result.total >= 0
    assert loaded.count() == 6  # and nothing was harmed


def test_fullwidth_and_accented_text_match(loaded: SearchBackend) -> None:
    assert 1 in ids(loaded, text="ｋｅｔａｍｉｎｅ")
    loaded.upsert([make_doc(7, "Clínica Señora Ketamina")])
    assert ids(loaded, text="clinica senora") == [7]


# -- issue 16: the same answers from both backends ------------------------------------------------------------
def near_and_far() -> list[dict[str, Any]]:
    """"ketamine" in the name of the far or unrated listings, only in a treatment label of the nearest and
    best-rated one: relevance alone would put it last."""
    return [
        make_doc(41, "Ketamine Center of Denver", city="Denver", lat=39.7392, lon=-104.9903, rating_value=3.0,
                 rating_count=20, rating_bayes=3.0),
        make_doc(42, "Lakeside Wellness", city="Austin", lat=30.30, lon=-97.75,
                 services=["ketamine_assisted_psychotherapy"], rating_value=4.6, rating_count=40, rating_bayes=4.5),
        make_doc(43, "Hilltop Ketamine", city="Georgetown", lat=30.63, lon=-97.68),
        make_doc(44, "Ketamine By Mail", rating_value=4.1, rating_count=30, rating_bayes=4.0),
        make_doc(45, "Ketamine Nowhere", rating_value=3.6, rating_count=30, rating_bayes=3.5),
    ]


def test_text_hits_sorted_by_distance_and_rating(backend: SearchBackend) -> None:
    backend.upsert(near_and_far())
    here = {"lat": AUSTIN[0], "lon": AUSTIN[1]}
    # nearest first over every text hit; without coordinates last, best rated first among them
    assert ids(backend, text="ketamine", sort="distance", **here) == [42, 43, 41, 44, 45]
    assert ids(backend, text="ketamine", sort="rating") == [42, 44, 45, 41, 43]  # unrated last
    assert ids(backend, text="ketamine", sort="rating", **here) == [42, 44, 45, 41, 43]
    assert ids(backend, text="ketamine", sort="distance", radius_km=100, **here) == [42, 43]
    assert ids(backend, text="ketamine")[0] != 42  # by relevance the label-only match is not first


def test_prefix_on_the_last_word_only(loaded: SearchBackend) -> None:
    """The word being typed (the last) is completed; earlier words match whole (or with a typo)."""
    assert ids(loaded, text="austin ketam") == [1, 6]  # 6: an Austin listing, "ketamine clinic" by kind
    assert ids(loaded, text="maria gonz") == [1]
    assert ids(loaded, text="hill count") == [2]
    assert ids(loaded, text="ketam austin") == []
    assert ids(loaded, text="ketamine aust") == [1, 6]
    assert ids(loaded, text="ketamne austin") == [1, 6]  # an earlier word with one typo still matches


def test_prefix_match_highlights_the_whole_word(loaded: SearchBackend) -> None:
    hit = loaded.search(SearchQuery(text="austin ketam")).hits[0]
    assert hit.highlights["name"] == f"{HL_START}Austin{HL_END} {HL_START}Ketamine{HL_END} Clinic"
    hit = loaded.search(SearchQuery(text="whitf")).hits[0]
    assert hit.highlights["practitioners"] == f"Jonathan {HL_START}Whitfield{HL_END}, PMHNP-BC"


def test_numbers_have_no_typo_tolerance(backend: SearchBackend) -> None:
    backend.upsert([make_doc(61, "Corner Clinic", street="12345 Main St", city="Austin"),
                    make_doc(62, "Other Clinic", street="700 Congress Ave", phones=["+15125550100"])])
    assert ids(backend, text="12345") == [61]
    assert ids(backend, text="12345 main") == [61]
    assert ids(backend, text="12346") == []  # one typo in a street number
    assert ids(backend, text="12346 main") == []
    assert ids(backend, text="13245") == []
    assert ids(backend, text="701") == []


def test_relevance_ties_by_rating_then_id(backend: SearchBackend) -> None:
    backend.upsert([
        make_doc(51, "Cedar Ketamine Clinic"),
        make_doc(52, "Harbor Ketamine Clinic", rating_value=3.0, rating_count=10, rating_bayes=3.0),
        make_doc(53, "Summit Ketamine Clinic", rating_value=4.5, rating_count=10, rating_bayes=4.5),
        make_doc(54, "Willow Ketamine Clinic", rating_value=4.5, rating_count=10, rating_bayes=4.5),
        make_doc(55, "Aspen Ketamine Clinic"),
    ])
    assert ids(backend, text="ketamine clinic") == [53, 54, 52, 51, 55]
    assert ids(backend, text="ketamine", sort="rating") == [53, 54, 52, 51, 55]
    assert ids(backend) == [53, 54, 52, 51, 55]  # browsing: by rating


def test_settings_missing_on_an_existing_index(backend: SearchBackend) -> None:
    """An index created by a document add (or whose settings update failed) has no filterable attributes:
    the next write syncs the settings, and filtered search works again."""
    meili_only(backend, "the embedded index has no separate settings to lose")
    client = backend.client  # type: ignore[attr-defined]
    uid = backend.index_uid  # type: ignore[attr-defined]
    client.wait_for_task(client.index(uid).add_documents([{"id": 99, "name": "Implicit"}], "id").task_uid)
    assert not client.index(uid).get_filterable_attributes()
    backend.upsert(corpus())
    assert sorted(ids(backend, modalities=["iv_infusion"])) == [1, 3]
    assert ids(backend, text="ketamine", lat=AUSTIN[0], lon=AUSTIN[1], sort="distance")[0] == 1


@pytest.fixture(params=["fts5", pytest.param("meili", marks=pytest.mark.meili)])
def refusing(request: pytest.FixtureRequest, tmp_path: Any) -> list[SearchBackend]:
    """Backends that answer writes with an error (not a dropped connection)."""
    if request.param == "fts5":
        from indexer.search.fts5 import FTS5Backend

        (tmp_path / "a-file").write_text("")
        return [FTS5Backend(tmp_path / "a-file" / "search.sqlite3")]  # the path cannot be created
    if not MEILI_URL:
        pytest.skip("KDIR_MEILI_URL not set")
    from indexer.search.meili import MeiliBackend

    out: list[SearchBackend] = [MeiliBackend(MEILI_URL, meili_key(), index="not a valid uid!")]  # 400
    wrong_key = MeiliBackend(MEILI_URL, "kdir-wrong-key", index=f"kdir_test_{uuid.uuid4().hex[:10]}")
    try:
        wrong_key.client.get_raw_indexes()
    except Exception:  # noqa: BLE001 - refused: the server has a master key, so a wrong key gets a 403
        out.append(wrong_key)
    return out


def test_an_api_error_on_a_write_is_search_unavailable(refusing: list[SearchBackend]) -> None:
    for backend in refusing:
        with pytest.raises(SearchUnavailable):
            backend.upsert([make_doc(1, "A")])
        with pytest.raises(SearchUnavailable):
            backend.delete([1])
        with pytest.raises(SearchUnavailable):
            backend.rebuild([make_doc(1, "A")])


def test_rebuild_leaves_no_temporary_index(backend: SearchBackend) -> None:
    meili_only(backend, "FTS5 rebuilds in one transaction, without a temporary index")
    client = backend.client  # type: ignore[attr-defined]
    uid = backend.index_uid  # type: ignore[attr-defined]
    client.wait_for_task(client.create_index(f"{uid}_rebuild_1000", {"primaryKey": "id"}).task_uid)  # a stray
    assert backend.rebuild(corpus()) == 6
    left = [raw["uid"] for raw in client.get_raw_indexes({"limit": 1000})["results"]
            if str(raw["uid"]).startswith(f"{uid}_rebuild_")]
    assert left == []
    assert backend.count() == 6
    assert sorted(ids(backend, modalities=["iv_infusion"])) == [1, 3]


# -- issue 14: natural queries -------------------------------------------------------------------------------
def natural() -> list[dict[str, Any]]:
    """Listings as patients look for them: by abbreviation, synonym, plural, a clinician's surname (with "Dr."
    or a typo), the first word of a clinic's name."""
    return [
        make_doc(71, "Sunrise Ketamine Clinic", city="Austin", region="TX", postal_code="78701", lat=30.265,
                 lon=-97.745, modalities=["iv_infusion", "im_injection", "esketamine_nasal"],
                 conditions=["depression", "ptsd"],
                 services=["integration_therapy"], psychiatrist=True, therapist=True,
                 practitioners=["Alan Reyes, DO", "Maria Chen, LCSW"]),
        make_doc(72, "Stillwater Behavioral Health", city="Denver", region="CO", postal_code="80202",
                 lat=39.745, lon=-104.99, modalities=["esketamine_nasal"],
                 conditions=["treatment_resistant_depression"], services=["spravato_rems_certified"],
                 practitioners=["Kate Brennan, PMHNP-BC"]),
        make_doc(73, "Blue Ridge KAP Collective", city="Asheville", region="NC", postal_code="28801",
                 modalities=["oral_sublingual", "at_home"], conditions=["anxiety"],
                 services=["ketamine_assisted_psychotherapy"], therapist=True),
        make_doc(74, "Rose City Spravato Psychiatry", city="Portland", region="OR", postal_code="97205",
                 modalities=["esketamine_nasal"], conditions=["depression"], psychiatrist=True),
        make_doc(75, "Harbor Trauma Recovery", city="Boston", region="MA", postal_code="02108",
                 modalities=["oral_sublingual"], conditions=["anxiety"]),
        make_doc(76, "Denver Infusion Center", city="Denver", region="CO", postal_code="80203", lat=39.731,
                 lon=-104.983,
                 modalities=["iv_infusion"], conditions=["chronic_pain"]),
        make_doc(77, "Sam Patel, PMHNP-BC", kind="practitioner", city="Phoenix", region="AZ", postal_code="85004",
                 modalities=["oral_sublingual"], services=["ketamine_assisted_psychotherapy", "telehealth"],
                 telehealth=True),
    ]


@pytest.fixture
def natural_index(backend: SearchBackend) -> SearchBackend:
    assert backend.upsert(natural()) == 7
    return backend


@pytest.mark.parametrize(("text", "expected"), [
    ("KAP", [73, 77]),  # the abbreviation: in a name, and the service's label
    ("ketamine assisted psychotherapy", [73, 77]),
    ("TRD", [72]),
    ("treatment resistant depression", [72]),
    ("Spravato", [71, 72, 74]),
    ("esketamine", [71, 72, 74]),
    ("ketamine infusion", [71, 76]),  # = IV infusion
    ("intravenous", [71, 76]),
    ("IM", [71]),  # = intramuscular injection
    ("intramuscular", [71]),
    ("PTSD", [71, 75]),  # = trauma, both ways
    ("trauma", [71, 75]),
    ("psychiatrist", [71, 74]),  # the registry taxonomy flag (and "Psychiatry" in a name)
    ("nurse practitioner", [72, 77]),
    ("NP", [72, 77]),
    ("PMHNP", [72, 77]),
    ("therapist", [71, 73]),  # a licensed mental-health professional on the team
    ("counselor", [71, 73]),
    ("LCSW", [71]),
    ("at home", [73]),
    ("at-home", [73]),
])
def test_abbreviations_and_synonyms(natural_index: SearchBackend, text: str, expected: list[int]) -> None:
    assert sorted(ids(natural_index, text=text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("infusions", [71, 76]),
    ("therapists", [71, 73]),
    ("clinics denver", [72, 76]),  # every clinic is a "ketamine clinic"; the clinician is not
    ("psychiatrists", [71, 74]),
])
def test_plural_forms(natural_index: SearchBackend, text: str, expected: list[int]) -> None:
    assert sorted(ids(natural_index, text=text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Dr. Reyes", [71]),  # the honorific is not a word to find
    ("Doctor Reyes", [71]),
    ("Reyse", [71]),  # a swap of two letters
    ("Dr. Reyse", [71]),
    ("Brenan", [72]),  # one letter missing
    ("brenan pmhnp", [72]),
    ("Stillwater", [72]),  # the first word of a clinic's name
    ("Alan Reyes MD", [71]),  # a credential he does not have does not empty the search
    ("Reyes, DO", [71]),
    ("Kate Brennan, PMHNP-BC", [72]),
    ("Dr.", []),
])
def test_partial_and_misspelled_names(natural_index: SearchBackend, text: str, expected: list[int]) -> None:
    assert sorted(ids(natural_index, text=text)) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("spravato austin", [71]),
    ("ketamine near 78701", [71]),
    ("ketamine clinics in Denver, CO", [72, 76]),
    ("IV ketamine 80202", [76]),
    ("Austn, TX", [71]),
])
def test_a_place_inside_the_text(natural_index: SearchBackend, typed: str, expected: list[int]) -> None:
    """kdir.common.places splits the place off; the rest is searched around it (as the web does)."""
    found = split_place(typed)
    assert found is not None
    assert sorted(ids(natural_index, text=found.text, lat=found.lat, lon=found.lon, radius_km=50)) == expected


def test_typed_credentials_narrow_when_some_listing_has_them(natural_index: SearchBackend) -> None:
    assert ids(natural_index, text="chen lcsw") == [71]
    assert sorted(ids(natural_index, text="pmhnp")) == [72, 77]  # alone, a credential is the search


def test_the_search_box_example_finds_results(natural_index: SearchBackend) -> None:
    """web/templates/public/search.html: placeholder="e.g. IV infusion, PTSD, Sunrise"."""
    assert ids(natural_index, text="IV infusion, PTSD, Sunrise") == [71]
    for example in ("IV infusion", "PTSD", "Sunrise"):
        assert 71 in ids(natural_index, text=example)
