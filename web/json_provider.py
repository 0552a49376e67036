"""JSON responses through orjson: the API serialises twenty result summaries per call, and the standard
library's encoder was a sixth of its cost. Same output types as Flask's own provider (dates as HTTP dates,
dataclasses, decimals and UUIDs through its ``default``); keys keep their order instead of being sorted."""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_COMPACT = {"separators": (",", ":")}  # what Flask asks of every response outside debug mode: orjson's own form


class OrjsonProvider(DefaultJSONProvider):
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs and kwargs != _COMPACT:  # pretty printing, Jinja's ``tojson``: the standard encoder
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()

