"""The directory as a spreadsheet, imported through the roster importer (upload, header
detection, the column-mapping step, background job, error file): the fields it reads
(:data:`FIELDS`, parsed with :func:`plugin.registry.schema.parse_record`), the fields that
identify a row (:data:`KEY_FIELDS`), an example row for the blank template (:data:`EXAMPLE`) and
the function that stores one parsed row (:func:`store_row`, an idempotent upsert under the
importing unit; the rules are :mod:`.contacts`')."""
from __future__ import annotations

from .contacts import store_row
from .fields import EXAMPLE, FIELDS, KEY_FIELDS

__all__ = ("EXAMPLE", "FIELDS", "KEY_FIELDS", "store_row")
