"""SQLAlchemy 2.0 typed models. The schema itself is created by the Alembic migrations in ``migrations/``.

Data flow: a :class:`Source` is crawled in :class:`CrawlRun`s that store :class:`Observation`s (what one source
said about one provider location at one time). The indexer resolves observations into canonical
:class:`Provider`s, keeps per-field evidence (:class:`FieldEvidence`), verifies :class:`Credential`s and
aggregates :class:`Review`s / :class:`RatingSummary`s. Moderators (:class:`User`) act through
:class:`Override`s and leave an append-only :class:`AuditEntry` trail; patients leave :class:`Flag`s.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sa_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


# Status vocabularies (plain strings, checked in code; documented here).
RUN_STATUSES = ("running", "ok", "suspect", "failed")
PROVIDER_STATUSES = ("pending", "published", "rejected", "merged")
VERIFICATION_OUTCOMES = ("unchecked", "verified", "mismatch", "not_found", "ambiguous", "invalid_number")
ROLES = ("moderator", "admin")
SOURCE_TIERS = {"registry": 3, "clinic_site": 2, "directory": 1, "osm": 1}


class Source(Base):
    """A place we gather facts from: the NPI registry, a clinic website crawl, a directory, OpenStreetMap."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # e.g. "clinic_site", "directory:sample"
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # registry | clinic_site | directory | osm
    tier: Mapped[int] = mapped_column(Integer, default=1)  # conflict policy: higher wins
    spider: Mapped[str | None] = mapped_column(String(64))
    spider_args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    schedule: Mapped[str | None] = mapped_column(String(120))  # cron expression
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    runs: Mapped[list[CrawlRun]] = relationship(back_populates="source")


class CrawlRun(Base):
    """One crawl of one source, with its statistics and its verdict (ok / suspect by the drift guard / failed)."""

    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    spider: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(32), default="manual")  # manual | schedule | demo | ops
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    items_count: Mapped[int] = mapped_column(Integer, default=0)
    new_count: Mapped[int] = mapped_column(Integer, default=0)  # observations whose content was new
    pages_count: Mapped[int] = mapped_column(Integer, default=0)
    errors_count: Mapped[int] = mapped_column(Integer, default=0)
    status_codes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"200": 12, "404": 1}
    field_stats: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"phones": {"missing": 1, "invalid": 0}}
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the raw Scrapy stats
    suspect_reason: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    indexed_at: Mapped[datetime | None] = mapped_column()

    source: Mapped[Source] = relationship(back_populates="runs")

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def rendering(self) -> dict[str, Any] | None:
        """Browser figures of a website crawl: pages rendered, seconds spent rendering, render failures, app
        shells left unread because no browser was available; None when the run met no app at all."""
        st = self.stats or {}
        pages, failures = int(st.get("kdir/render/pages") or 0), int(st.get("kdir/render/failures") or 0)
        unavailable = int(st.get("kdir/render/unavailable") or 0)
        if not (pages or failures or unavailable):
            return None
        return {"pages": pages, "seconds": round(float(st.get("kdir/render/seconds") or 0.0), 1),
                "failures": failures, "unavailable": unavailable, "off_reason": st.get("kdir/render/off")}


class Observation(Base):
    """What one source said about one provider location at one time.

    Unique per (source, location_key, content_hash): an unchanged observation only moves ``last_seen`` and
    ``last_run_id``; a changed one is a new row, so the history of what each source said is kept.
    """

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("source_id", "location_key", "content_hash", name="uq_observation_content"),
        Index("ix_observations_source_key", "source_id", "location_key"),
        # The indexer's pending rows (migration 0004): an incremental run never scans the whole table.
        Index("ix_observations_pending", "id",
              sqlite_where=sa_text("indexed_hash IS NULL OR indexed_hash <> content_hash"),
              postgresql_where=sa_text("indexed_hash IS NULL OR indexed_hash <> content_hash")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    location_key: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16), default="clinic")
    source_url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column()
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column()  # ProviderItem.to_dict()
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)  # a newer content exists for this key
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="SET NULL"), index=True)
    indexed_hash: Mapped[str | None] = mapped_column(String(64))  # content_hash when last indexed

    source: Mapped[Source] = relationship()


class Provider(Base):
    """A canonical provider: a clinic location or a practitioner. Field values are the selected evidence,
    with moderator overrides applied; ``FieldEvidence`` keeps every candidate value and where it came from."""

    __tablename__ = "providers"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="clinic", index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    stale: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    stale_since: Mapped[datetime | None] = mapped_column()
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(300))
    match_name: Mapped[str] = mapped_column(String(300), default="", index=True)
    website: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    phones: Mapped[list[Any]] = mapped_column(default=list)
    street: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120), index=True)
    region: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10), index=True)
    country: Mapped[str | None] = mapped_column(String(2), default="US")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    geo_source: Mapped[str | None] = mapped_column(String(16))  # "source" | "zip_centroid"
    npi: Mapped[str | None] = mapped_column(String(10), index=True)
    modalities: Mapped[list[Any]] = mapped_column(default=list)
    conditions: Mapped[list[Any]] = mapped_column(default=list)
    services: Mapped[list[Any]] = mapped_column(default=list)
    insurance: Mapped[list[Any]] = mapped_column(default=list)
    telehealth: Mapped[bool | None] = mapped_column(Boolean)
    price: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rating_value: Mapped[float | None] = mapped_column(Float)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_bayes: Mapped[float | None] = mapped_column(Float)
    qualification: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"signals": [...], "verified": bool}
    last_verified_at: Mapped[datetime | None] = mapped_column()
    licensed_states: Mapped[list[Any]] = mapped_column(default=list)  # union over its verified practitioners
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_seen: Mapped[datetime | None] = mapped_column()
    # Moderation
    approved_at: Mapped[datetime | None] = mapped_column()
    approved_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the live version, for diffs
    pending_changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # material changes awaiting review
    reject_reason: Mapped[str | None] = mapped_column(Text)
    review_priority: Mapped[int] = mapped_column(Integer, default=0, index=True)

    evidence: Mapped[list[FieldEvidence]] = relationship(back_populates="provider", cascade="all, delete-orphan")
    credentials: Mapped[list[Credential]] = relationship(back_populates="provider", cascade="all, delete-orphan")
    reviews: Mapped[list[Review]] = relationship(back_populates="provider")
    rating_summaries: Mapped[list[RatingSummary]] = relationship(back_populates="provider",
                                                                cascade="all, delete-orphan")


class Affiliation(Base):
    """A practitioner works at a clinic location, as said by some observation."""

    __tablename__ = "affiliations"
    __table_args__ = (UniqueConstraint("clinic_id", "practitioner_id", name="uq_affiliation"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(200))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="SET NULL"))
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class MatchLink(Base):
    """Why an observation (or a practitioner mention) was attached to a provider: rule and score.

    Moderators see these and can undo them (split)."""

    __tablename__ = "match_links"
    __table_args__ = (Index("ix_match_links_listing", "location_key", "source_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    location_key: Mapped[str | None] = mapped_column(String(500))
    mention_key: Mapped[str | None] = mapped_column(String(500))  # practitioner mention within an observation
    rule: Mapped[str] = mapped_column(String(32))  # indexer.resolve.rules.RULE_LABELS: new | npi | phone_zip | ... | moderator
    score: Mapped[float] = mapped_column(Float, default=1.0)
    matched_provider_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # set by a moderator's split/merge: never re-resolved


#: One decision per (observation, mention) and kind of link (migration 0006): two index runs racing can no longer
#: link one observation to two providers. A moderator's pinned link may sit beside the indexer's unpinned one.
Index("uq_match_links_decision", MatchLink.observation_id, func.coalesce(MatchLink.mention_key, ""),
      MatchLink.pinned, unique=True)


class RegistryPending(Base):
    """A registry observation that matched no provider yet (registry records never create providers), keyed by
    what could match it later; retried when observations with these keys are indexed."""

    __tablename__ = "registry_pending"
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"),
                                                primary_key=True)
    npi: Mapped[str | None] = mapped_column(String(10), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(10), index=True)
    name_key: Mapped[str | None] = mapped_column(String(300), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FieldEvidence(Base):
    """One candidate value of one field of a provider, with where and when it was seen."""

    __tablename__ = "field_evidence"
    __table_args__ = (
        UniqueConstraint("provider_id", "field", "source_id", "value_hash", name="uq_field_evidence"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    value_hash: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    selected: Mapped[bool] = mapped_column(Boolean, default=False)

    provider: Mapped[Provider] = relationship(back_populates="evidence")
    source: Mapped[Source] = relationship()


class Override(Base):
    """A moderator's value for a field. Always wins over crawled evidence; survives every later crawl."""

    __tablename__ = "overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Credential(Base):
    """A credential claimed for a provider (practitioner or organisation) and its registry verification."""

    __tablename__ = "credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    credential: Mapped[str | None] = mapped_column(String(64))  # normalised code claimed: MD, DO, PMHNP-BC, ...
    npi: Mapped[str | None] = mapped_column(String(10), index=True)
    claimed_state: Mapped[str | None] = mapped_column(String(2))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    source_url: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16), default="unchecked")
    reason: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column()
    registry_name: Mapped[str | None] = mapped_column(String(300))
    registry_credential: Mapped[str | None] = mapped_column(String(64))
    registry_taxonomies: Mapped[list[Any]] = mapped_column(default=list)  # [{"code","desc","state","primary"}]
    license_states: Mapped[list[Any]] = mapped_column(default=list)
    # The registry record the outcome rests on (its public page is the evidence a patient can open).
    registry_npi: Mapped[str | None] = mapped_column(String(10))
    registry_type: Mapped[str | None] = mapped_column(String(8))  # NPI-1 person | NPI-2 organisation
    registry_taxonomy_code: Mapped[str | None] = mapped_column(String(16))  # primary taxonomy
    registry_taxonomy_desc: Mapped[str | None] = mapped_column(String(300))
    registry_states: Mapped[list[Any]] = mapped_column(default=list)  # states of its licences and addresses
    registry_status: Mapped[str | None] = mapped_column(String(8))  # enumeration status: "A" active
    registry_updated: Mapped[datetime | None] = mapped_column()  # the registry's last update of the record
    registry_candidates: Mapped[list[Any]] = mapped_column(default=list)  # ambiguous: [{"npi","name","states"}]

    provider: Mapped[Provider] = relationship(back_populates="credentials")


class RegistryCache(Base):
    """Cached NPI registry answers keyed by the normalised query."""

    __tablename__ = "registry_cache"
    id: Mapped[int] = mapped_column(primary_key=True)
    query_key: Mapped[str] = mapped_column(String(500), unique=True)
    response: Mapped[dict[str, Any]] = mapped_column()
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("provider_id", "source_id", "text_hash", name="uq_review"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id", ondelete="SET NULL"))
    author: Mapped[str | None] = mapped_column(String(200))
    rating: Mapped[float | None] = mapped_column(Float)
    best: Mapped[float] = mapped_column(Float, default=5.0)
    date: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64))  # normalised text, to count a review seen twice once
    url: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)

    provider: Mapped[Provider] = relationship(back_populates="reviews")


class RatingSummary(Base):
    """A source's aggregate rating for a provider (schema.org AggregateRating or computed from its reviews)."""

    __tablename__ = "rating_summaries"
    __table_args__ = (UniqueConstraint("provider_id", "source_id", name="uq_rating_summary"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Float)  # normalised to a 5-point scale
    count: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    provider: Mapped[Provider] = relationship(back_populates="rating_summaries")
    source: Mapped[Source] = relationship()


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16), default="moderator")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    # Bumped by logout, a password change and disabling: sessions carrying an older value are refused.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Flag(Base):
    """A patient's "report a problem" about a listing. No account needed; no personal data required."""

    __tablename__ = "flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))  # wrong_info | closed | unsafe | duplicate | other
    message: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """Append-only log of moderator and operator actions (UPDATE and DELETE are refused by database triggers)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the log outlives users
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(32))  # approve | reject | edit | merge | split | hide_review | ...
    provider_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutboxEntry(Base):
    """Search-index changes waiting to be applied: written in the same transaction as the provider change,
    applied to the search backend afterwards, so a search outage never loses a database commit."""

    __tablename__ = "search_outbox"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    provider_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[str] = mapped_column(String(8))  # upsert | delete
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class Checkpoint(Base):
    """Named progress markers (e.g. the indexer's last processed observation) for incremental, resumable runs."""

    __tablename__ = "checkpoints"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Lock(Base):
    """A named lease held by one process (scheduler runs of a source never overlap, across processes)."""

    __tablename__ = "locks"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


RUN_REQUEST_STATUSES = ("queued", "running", "done", "failed")


class RunRequest(Base):
    """An operator's "run now" for one source, queued by the web and claimed by exactly one scheduler."""

    __tablename__ = "run_requests"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source_key: Mapped[str] = mapped_column(String(120), index=True)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # RUN_REQUEST_STATUSES
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    run_ids: Mapped[list[Any]] = mapped_column(default=list)  # crawl runs the cycle recorded
    error: Mapped[str | None] = mapped_column(Text)


class RateCounter(Base):
    """A fixed-window rate-limit counter shared by every web worker (used when Redis is not configured)."""

    __tablename__ = "rate_counters"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float)  # epoch seconds: the end of the current window
