"""Django's JSON serializer, except that times keep their microseconds.

The stock encoder cuts datetimes to milliseconds; an audit entry's hash covers its time to the microsecond, so a
dump through the stock encoder would restore a chain that no longer verifies."""

import datetime as dt
from typing import Any

from django.core.serializers.json import Deserializer as JsonDeserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer


class FullPrecisionEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JsonSerializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]  # private in Django, absent from the stubs
        self.json_kwargs["cls"] = FullPrecisionEncoder


Deserializer = JsonDeserializer
