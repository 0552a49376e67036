"""The auth tests reuse the moderation fixtures (real app, staff accounts, seeded data)."""

from tests.web.moderation.conftest import (  # noqa: F401
    _cheap_argon2,
    seeded_ids,
    sqlite_staff_app,
    staff_app,
    staff_client,
)
