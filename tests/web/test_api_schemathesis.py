"""Schemathesis against our own OpenAPI document (/api/v1/openapi.json), in-process through the app's WSGI
interface, on SQLite and PostgreSQL: for valid and for invalid input (out-of-range ids, wrong types, unknown
enum values...), no 500, and every answer conforms to the document (status codes, content types, schemas)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

EXAMPLES = 40  # per operation and mode: a few seconds each, enough to have found the 500s this test guards
# A schema-valid request may still be refused with a clear 400: the document cannot express the rules that
# span parameters or need our data ("sort=distance needs near", "near must be a place we know").
CONFIG = {"checks": {"positive_data_acceptance": {"enabled": False}}}


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(app: Any, mode: Any) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=schemathesis.Config.from_dict(CONFIG))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/providers", "/api/v1/providers/{id}"}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate()

        check()
