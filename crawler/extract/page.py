"""``extract_page``: one fetched page in, :class:`PageFacts` out. Parses once with lxml and shares the tree."""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_left
from dataclasses import replace
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import lxml.html

from crawler.extract import addresses as addr_mod
from crawler.extract.appshell import (
    SHELL_MAX_TEXT,
    has_script_bundle,
    is_app_shell,
    js_required_notice,
    route_links,
)
from crawler.extract.emails import find_emails
from crawler.extract.facts import Link, LocatedAddress, PageFacts
from crawler.extract.insurance import find_insurance, is_payer, telehealth_flag
from crawler.extract.npi import LABELLED as _NPI_LABEL
from crawler.extract.npi import find_npis
from crawler.extract.pagekind import guess_page_kind
from crawler.extract.phones import find_phones
from crawler.extract.practitioners import find_practitioners, has_credential, is_clinical
from crawler.extract.prices import find_prices
from crawler.extract.reviews import blockquotes, is_patient_review, review_from, testimonials
from crawler.extract.schema_map import (
    entities_from_blobs,
    entities_from_nodes,
    make_geo,
    people_and_reviews_from_blobs,
)
from crawler.extract.scriptnav import (
    FEW_LINKS,
    NavSignals,
    empty_parts,
    loaders,
    same_site_count,
    script_links,
)
from crawler.extract.sitename import name_candidates
from crawler.extract.structured import blob_texts, extract_structured, strip_type
from crawler.extract.text import Line, decode_body, image_facts, norm_space, page_lines, parse_html
from crawler.extract.vocab import Joined, find_evidence, page_is_unrelated, sentences
from kdir.common.emails import normalize_email
from kdir.common.geo import city_table, zip_matches_state, zip_table
from kdir.common.npi import is_valid_npi
from kdir.common.phones import normalize_phone
from kdir.common.record import Geo, Practitioner, Review

_MAX_LINKS = 3000
#: attributes of script navigations: three literal scans (~0.1 ms on an 80 KiB page) are cheaper than the
#: handler XPath on the many pages that have none. An href-less ``role="menuitem"`` with no handler attribute
#: (its listener attached by script) is only seen on pages that have one of these.
_SCRIPT_NAV_MARKS = ("onclick", "data-href", "data-url")
_FIRST_PERSON = re.compile(
    r"\bI(?:'m|\u2019m| am| offer| provide| work| have| specialize| founded| started| see| believe| help)\b"
    r"|\b[Mm]y (?:practice|patients|clients|approach|office|training)\b"
)
_MAPS_AT = re.compile(r"@(-?\d{1,2}\.\d{3,}),(-?\d{1,3}\.\d{3,})")
_MAPS_BANG = re.compile(r"!3d(-?\d{1,2}\.\d{3,})!(?:2d|4d)(-?\d{1,3}\.\d{3,})")
_LATLON = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


_BADGE = re.compile(r"\b(?:REMS|certified|certification|accredited|board[- ]certified)\b", re.I)


def _fact_image(alt: str) -> bool:
    """An image whose alt text states a fact: an insurer's logo, a credential or certification badge."""
    return is_payer(alt) or has_credential(alt) or bool(_BADGE.search(alt))


def warm_up() -> None:
    """Load the ZIP table and other lazy data now (about a second) rather than on the first page with an address."""
    zip_table()
    city_table()
    extract_page("<p>Dr. A B, MD, 1 Main St, New York, NY 10001</p>", "https://warm.up/")


def extract_page(body: bytes | str, url: str, *, encoding: str | None = None, rendered: bool = False) -> PageFacts:
    """Facts of one page. Never raises on bad input: an unparseable page gives ``PageFacts(error=...)``.

    ``rendered``: the HTML is a browser's DOM after the page's scripts ran; its client-side routes (hash routes,
    router links on buttons) are collected as links too.
    """
    facts = PageFacts(url=url)
    try:
        html = decode_body(body, encoding)
    except Exception as exc:  # noqa: BLE001 - hostile bytes must not stop a crawl
        facts.error = f"decode: {exc}"
        return facts
    tree = parse_html(html)
    if tree is None:
        facts.error = "empty or unparseable document"
        return facts
    try:
        _fill(facts, tree, html, url, rendered)
    except RecursionError:
        facts.error = "document nested too deeply"
    return facts


def _fill(facts: PageFacts, tree: lxml.html.HtmlElement, html: str, url: str, rendered: bool = False) -> None:
    st = extract_structured(tree, html, url)
    entities = entities_from_nodes(st.nodes, page_url=url) + entities_from_blobs(st.blobs, page_url=url)
    facts.entities = entities
    types = {t for n in st.nodes for t in strip_type(n.get("@type"))}
    body = tree.find("body")
    body_class = (body.get("class") or "") if body is not None else ""
    if "article:published_time" in st.meta or "single-post" in body_class.split():
        types.add("BlogPosting")  # WordPress posts (pages carry neither signal)

    tel_phones, mail_emails, map_geo = _links(facts, tree, url)
    href_links = len(facts.links)
    unresolved: list[str] = []
    extra = script_links(tree, url, unresolved) if any(m in html for m in _SCRIPT_NAV_MARKS) else []
    if rendered:
        extra += route_links(tree, url)
    if extra:
        known = {link.url for link in facts.links}
        for u, t in extra:
            if u not in known:
                known.add(u)
                facts.links.append(Link(u, t))
    nav_parts: list[str] | None = None  # empty nav/header/footer containers, looked for on pages with few links
    site_links = FEW_LINKS
    if not rendered and len(unresolved) < 2:
        site_links = same_site_count(url, [link.url for link in facts.links[:href_links]], stop=FEW_LINKS)
        if site_links + len(extra) < FEW_LINKS:
            nav_parts = empty_parts(tree)
    title_el = tree.find(".//title")
    facts.title = norm_space(title_el.text_content())[:300] if title_el is not None else None

    quotes = [norm_space("".join(bq.itertext())) for _, bq in zip(range(50), tree.iter("blockquote"), strict=False)]
    scripts: list[lxml.html.HtmlElement] = []
    image_facts(tree, _fact_image)
    lines = page_lines(tree, scripts)
    visible = sum(len(ln.text) for ln in lines)
    if visible <= SHELL_MAX_TEXT and has_script_bundle(scripts):
        facts.app_shell = is_app_shell(tree, visible_chars=visible, has_bundle=True,
                                       has_data=bool(st.nodes or st.blobs or st.lazy or entities),
                                       noscript_notice=js_required_notice(scripts))
    if not rendered and not facts.app_shell and (len(unresolved) >= 2 or nav_parts):
        signals = NavSignals(site_links=site_links, script_links=len(extra), unresolved=tuple(unresolved),
                             empty_parts=tuple(nav_parts or ()), loaders=tuple(loaders(tree, scripts)),
                             scripts=sum(1 for el in scripts if el.tag == "script" and el.get("src")))
        facts.script_nav = signals.signature if signals.needs_render else None
    if (st.blobs or st.lazy) and visible < 1000:
        # an app shell: the content lives in script data
        lines += [Line(t, 0, False) for t in blob_texts(st.all_blobs())]
    texts = [ln.text for ln in lines]
    headings = [ln.text for ln in lines if ln.heading]
    facts.page_kind = guess_page_kind(url, title=facts.title, headings=headings, structured_types=types)

    # contact facts
    phones: list[str] = list(tel_phones)
    fax: set[str] = set()
    for number, is_fax in find_phones("\n".join(texts), limit=50):
        if is_fax:
            fax.add(number)
        elif number not in phones:
            phones.append(number)
    facts.phones = ([n for n in phones if n not in fax] + [n for ent in entities for n in ent.phones
                                                           if n not in phones and n not in fax])[:50]
    emails = list(mail_emails)
    for address in find_emails("\n".join(texts)) + [ent.email for ent in entities if ent.email]:
        if address and address not in emails:
            emails.append(address)
    facts.emails = emails
    facts.addresses = _addresses(lines, fax)
    facts.geo = next((e.geo for e in entities if e.geo), None) or _meta_geo(st.meta) or map_geo

    # people and identifiers
    full = "\n".join(texts)
    facts.npis, facts.invalid_npis = find_npis(full)
    team = facts.page_kind in ("team", "about")
    people = find_practitioners(texts, team_page=team)
    blob_people, blob_reviews = people_and_reviews_from_blobs(st.blobs, page_url=url) if st.blobs else ([], [])
    for person in [x for ent in entities for x in ent.practitioners] + blob_people:
        _merge_person(people, person)
    _roles_from_prose(people, texts)
    people = [p for p in people if is_clinical(p)]
    _attach_npis(people, texts)
    for e in entities:
        if e.npi and e.npi not in facts.npis:
            facts.npis.append(e.npi)
    for p in people:
        if p.npi and p.npi not in facts.npis and p.npi not in facts.invalid_npis:
            (facts.npis if is_valid_npi(p.npi) else facts.invalid_npis).append(p.npi)
    facts.practitioners = people

    # vocabulary, prices, insurance, telehealth
    sents = sentences(texts)
    service_texts = [s for e in entities for s in e.service_names]
    unrelated = page_is_unrelated(full)
    joined = Joined(sents + service_texts)
    facts.evidence, facts.ketamine_mentions = find_evidence(joined.sents, unrelated_page=unrelated, joined=joined)
    facts.prices = find_prices(sents, structured=[e.price_range for e in entities if e.price_range])
    facts.insurance, facts.accepts_insurance, ins_evidence = find_insurance(joined.sents, joined=joined)
    facts.evidence.extend(ins_evidence)
    facts.telehealth = telehealth_flag(facts.evidence, sents)
    facts.first_person = len(_FIRST_PERSON.findall(full[:100_000]))

    # reviews
    facts.rating = next((e.rating for e in entities if e.rating), None)
    reviews: list[Review] = [r for e in entities for r in e.reviews] + blob_reviews
    for n in st.nodes:
        if "Review" in strip_type(n.get("@type")):
            r = review_from(n, url=url)
            if r and r not in reviews:
                reviews.append(r)
    if facts.page_kind in ("reviews", "home", "about") or not reviews:
        for r in testimonials(texts, url=url) + (blockquotes(quotes, url=url) if facts.page_kind != "blog" else []):
            if all(r.text != x.text for x in reviews):
                reviews.append(r)
    staff = [p.name for p in people]
    facts.reviews = [replace(r, self_published=True) for r in reviews[:200]
                     if is_patient_review(r, staff_names=staff)]
    for e in entities:  # the site's own structured reviews, combined per location later
        e.reviews = [replace(r, self_published=True) for r in e.reviews if is_patient_review(r, staff_names=staff)]

    facts.names = name_candidates(entities, st.meta, facts.title, lines, tree)


def _links(facts: PageFacts, tree: lxml.html.HtmlElement, url: str) -> tuple[list[str], list[str], Geo | None]:
    tel: list[str] = []
    mail: list[str] = []
    geo: Geo | None = None
    seen: set[str] = set()
    base_el = tree.find(".//base[@href]")
    if base_el is not None:
        with contextlib.suppress(ValueError):
            url = urljoin(url, (base_el.get("href") or "").strip())
    try:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
    except ValueError:
        origin = None
    for el in tree.iter("a", "iframe", "area"):
        href = (el.get("href") or el.get("src") or "").strip()
        if not href or len(href) > 2000:
            continue
        low = href[:12].lower()
        if low.startswith("tel:"):
            p = normalize_phone(unquote(href[4:]))
            if p and p not in tel:
                tel.append(p)
            continue
        if low.startswith("mailto:"):
            e = normalize_email(href)
            if e and e not in mail:
                mail.append(e)
            continue
        if low.startswith(("javascript:", "data:", "#")):
            continue
        if href.startswith(("http://", "https://")):
            absolute = href.split("#", 1)[0]
        elif origin and href.startswith("/") and not href.startswith("//"):
            absolute = origin + href.split("#", 1)[0]
        else:
            try:
                absolute = urljoin(url, href).split("#", 1)[0]
            except ValueError:
                continue
        if geo is None and ("google." in absolute or "maps." in absolute or "openstreetmap" in absolute):
            geo = _geo_from_map_url(absolute)
        if el.tag != "a" or absolute in seen or len(facts.links) >= _MAX_LINKS:
            continue
        if not absolute.startswith(("http://", "https://")):
            continue
        if "[" in absolute:
            try:
                urlsplit(absolute)
            except ValueError:
                continue  # a malformed IPv6 host
        seen.add(absolute)
        text = norm_space("".join(el.itertext()))[:200] or (el.get("title") or el.get("aria-label") or "")[:200]
        facts.links.append(Link(url=absolute, text=text))
    return tel, mail, geo


def _geo_from_map_url(u: str) -> Geo | None:
    m = _MAPS_BANG.search(u) or _MAPS_AT.search(u)
    if m:
        return make_geo(float(m.group(1)), float(m.group(2)))
    try:
        qs = parse_qs(urlsplit(u).query)
    except ValueError:
        return None
    for key in ("q", "ll", "query", "center", "daddr", "destination", "mlat"):
        for v in qs.get(key, []):
            lm = _LATLON.match(v)
            if lm:
                return make_geo(float(lm.group(1)), float(lm.group(2)))
    if "mlat" in qs and "mlon" in qs:
        try:
            return make_geo(float(qs["mlat"][0]), float(qs["mlon"][0]))
        except ValueError:
            return None
    return None


def _meta_geo(meta: dict[str, str]) -> Geo | None:
    for key in ("geo.position", "icbm"):
        m = _LATLON.match(meta.get(key, "").replace(";", ","))
        if m:
            return make_geo(float(m.group(1)), float(m.group(2)))
    for lat_k, lon_k in (("place:location:latitude", "place:location:longitude"), ("og:latitude", "og:longitude")):
        try:
            if lat_k in meta and lon_k in meta:
                return make_geo(float(meta[lat_k]), float(meta[lon_k]))
        except ValueError:
            continue
    return None


_GENERIC_LABEL = re.compile(
    r"^(?:contact(?: us| info(?:rmation)?)?|visit(?: us)?|find us|get in touch|directions|address(?:es)?|hours|"
    r"(?:our )?(?:location|office|clinic)s?|where (?:to find us|we are)|connect|reach us|follow us|menu|"
    r"quick links|home|about(?: us)?)\W*$", re.I)


def _label_ok(text: str) -> bool:
    return len(text) <= 80 and not _GENERIC_LABEL.match(text) and not any(c.isdigit() for c in text[:3])


def _addresses(lines: list[Line], fax: set[str]) -> list[LocatedAddress]:
    texts = [ln.text for ln in lines]
    found = addr_mod.find_addresses(texts)
    out: list[LocatedAddress] = []
    for n, (addr, start, end) in enumerate(found):
        prev_end = found[n - 1][2] if n else -1
        next_start = found[n + 1][1] if n + 1 < len(found) else len(texts)
        label = None
        for j in range(start - 1, max(prev_end, start - 5), -1):
            t = lines[j].text
            if lines[j].heading and _label_ok(t):
                label = t
                break
            if j == start - 1 and len(t) <= 40 and _label_ok(t) and not find_phones(t) and "@" not in t:
                label = t  # a short line right above the street ("Boulder Office")
                break
        phone = None
        for j in range(start, min(next_start if next_start > end else end + 1, end + 4, len(texts))):
            for p, is_fax in find_phones(texts[j]):
                if not is_fax and p not in fax:
                    phone = p
                    break
            if phone:
                break
        ok = zip_matches_state(addr.postal_code, addr.region)
        out.append(LocatedAddress(address=addr, label=label, phone=phone, zip_state_ok=ok, footer=lines[start].footer))
    return out


def _merge_person(people: list[Practitioner], p: Practitioner) -> None:
    for q in people:
        if q.name.casefold() == p.name.casefold():
            q.credentials += [c for c in p.credentials if c not in q.credentials]
            q.role = q.role or p.role
            q.npi = q.npi or p.npi
            return
    people.append(Practitioner(name=p.name, credentials=list(p.credentials), role=p.role, npi=p.npi))


_ORG_NPI = re.compile(r"\b(?:practice|group|organi[sz]ation(?:al)?|clinic|facility|billing|type\s*2|"
                      r"business|company|center|centre|office|agency|entity)\W*(?:'s\s+)?$", re.I)


def _attach_npis(people: list[Practitioner], texts: list[str]) -> None:
    """Give each person the first NPI printed after their name and before the next person's name (within
    ~300 characters). Malformed printed numbers are attached too: verification reports invalid_number."""
    if not people:
        return
    full = "\n".join(texts)
    if "npi" not in full.lower():
        return
    marks: list[tuple[int, Practitioner]] = []
    for p in people:
        start = full.find(p.name)
        while start != -1 and len(marks) < 5000:
            marks.append((start, p))
            start = full.find(p.name, start + 1)
    if not marks:
        return
    marks.sort(key=lambda x: x[0])
    positions = [pos for pos, _p in marks]
    for n, m in enumerate(_NPI_LABEL.finditer(full)):
        if n >= 2000:
            break
        k = bisect_left(positions, m.start()) - 1
        if k < 0:
            continue
        pos, person = marks[k]
        if m.start() - pos > 300 or person.npi or _ORG_NPI.search(full[max(pos, m.start() - 40): m.start()]):
            continue  # "Practice NPI: ...", "Group NPI" next to a person is the organisation's number
        person.npi = re.sub(r"[\s-]", "", m.group(1))


_ROLE_NOUNS = (r"psychiatrist|physician|nurse practitioner|therapist|psychologist|anesthesiologist|social worker|"
               r"counselor|counsellor|nurse anesthetist|physician assistant|psychotherapist|nurse")
#: the part of the per-person pattern below that does not depend on the person (a cheap page-wide check)
_ROLE_PHRASE = re.compile(rf",? (?:is|am) (?:a|an) ((?:[\w-]+ ){{0,4}}?(?:{_ROLE_NOUNS}))\b")
_ADJECTIVES = re.compile(r"^(?:(?:board[- ]certified|licensed|certified|experienced|dedicated|compassionate|"
                         r"skilled|registered)\s+)+", re.I)


def _roles_from_prose(people: list[Practitioner], texts: list[str]) -> None:
    """Role of a person without one, from "<Name> is a psychiatric nurse practitioner"."""
    missing = [p for p in people if not p.role]
    if not missing:
        return
    full = "\n".join(texts)
    if not _ROLE_PHRASE.search(full):
        return  # no "is a <role>" anywhere: skip compiling a pattern per person
    for p in missing:
        first = re.escape(p.name.split()[0])
        full_name = re.escape(p.name)
        me = "|I" if len(people) == 1 else ""  # "I am a ..." only speaks for a solo practitioner
        m = re.search(rf"\b(?:{full_name}|{first}{me})(?: \w+)?(?:,? [A-Z][\w.-]*){{0,3}},? (?:is|am) (?:a|an) "
                      rf"((?:[\w-]+ ){{0,4}}?(?:{_ROLE_NOUNS}))\b", full)
        if m:
            role = _ADJECTIVES.sub("", m.group(1)).strip()
            if role and len(role) <= 60:
                p.role = " ".join(w if w.isupper() else w.capitalize() for w in role.split())
