"""The directory file format: Open Referral HSDS 3.0 services, as nested JSON and as CSV tables.

A directory is a JSON array of HSDS *service* objects, each carrying its organization, phones,
schedules, languages, locations and taxonomy terms nested inside it. ``problems`` checks one against
the HSDS 3.0 field definitions and against what a schema cannot say (ids unique across the file,
one organization or taxonomy term saying the same everywhere it appears, closing after opening).

The same services can be written as the HSDS tabular data package, one CSV per object plus a
Frictionless ``datapackage.json``, for partners who keep their directory in a spreadsheet::

    folder = export_tables(services, Path("out"))   # organizations.csv, services.csv, ...
    assert import_tables(folder) == services

The round trip is exact but for one thing an empty CSV cell cannot tell from a missing field: an
empty string in a field HSDS does not require comes back absent.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

Record = dict[str, Any]

# -- field types --------------------------------------------------------------------------------

UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
DATE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
# HSDS asks for HH:MM and allows a UTC offset ('09:00-05:00', '09:00Z'); its examples use HH:MM:SS
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$"
DATE_OR_DATETIME_PATTERN = DATE_PATTERN[:-1] + r"(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?$"
# RFC 5545 weekdays; a MONTHLY rule may number them, '2MO' the second Monday, '-1FR' the last Friday
_WEEKDAY = "(?:[+-]?[1-5])?(?:MO|TU|WE|TH|FR|SA|SU)"
BYDAY_PATTERN = f"^{_WEEKDAY}(,{_WEEKDAY})*$"
COUNTRY_PATTERN = "^[A-Z]{2}$"

# Patterns are used instead of JSON Schema's "format", which validators only assert on request and
# whose "time" demands an offset; these names turn a pattern failure into a sentence.
PATTERN_NAMES = {
    UUID_PATTERN: "a UUID",
    DATE_PATTERN: "a date (YYYY-MM-DD)",
    TIME_PATTERN: "a time (HH:MM or HH:MM:SS)",
    DATE_OR_DATETIME_PATTERN: "a date (YYYY-MM-DD) or date and time",
    BYDAY_PATTERN: "a comma-separated list of weekdays MO..SU",
    COUNTRY_PATTERN: "a two-letter ISO 3166-1 country code",
}

TEXT = {"type": "string"}
NUMBER = {"type": "number"}
UUID = {"type": "string", "pattern": UUID_PATTERN}
DATE = {"type": "string", "pattern": DATE_PATTERN}
TIME = {"type": "string", "pattern": TIME_PATTERN}
# email and uri stay annotations, as in HSDS: asserting "uri" depends on optional packages
EMAIL = {"type": "string", "format": "email"}
URI = {"type": "string", "format": "uri"}


def one_of(*values: str) -> dict:
    return {"type": "string", "enum": list(values)}


ATTACHMENTS = {"attributes": "attribute", "metadata": "metadata"}  # any object may carry these

# -- the objects --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One HSDS object: its fields, what is nested in it, and its table in the data package."""

    name: str
    table: str
    fields: dict[str, dict]  # scalar fields in HSDS column order, each with its JSON Schema
    required: tuple[str, ...] = ("id",)
    lists: dict[str, str] = field(default_factory=dict)  # nested arrays: field -> kind
    parts: dict[str, str] = field(default_factory=dict)  # nested objects: field -> kind, via '<field>_id'
    parent_columns: dict[str, str] = field(default_factory=dict)  # parent kind -> column with its id
    any_parent: tuple[str, str] | None = None  # (id column, kind column) for attributes and metadata
    shared: bool = False  # one object, by id, may be nested in several services

    @property
    def part_columns(self) -> dict[str, tuple[str, str]]:
        """'organization_id' -> ('organization', 'organization')."""
        return {f"{name}_id": (name, kind) for name, kind in self.parts.items()}

    @property
    def parent_link_columns(self) -> tuple[str, ...]:
        return tuple(self.parent_columns.values()) + (self.any_parent or ())


TYPES = {"text": TEXT, "number": NUMBER, "uuid": UUID, "date": DATE, "time": TIME, "email": EMAIL, "uri": URI}


def typed_fields(spec: str, **special: dict) -> dict[str, dict]:
    """'id:uuid name amount:number' -> the JSON Schema of each field, in that order; a field
    without a type is text, and ``special`` gives the ones no short type name covers."""
    fields = {}
    for item in spec.split():
        name, _, type_name = item.partition(":")
        fields[name] = special[name] if name in special else TYPES[type_name or "text"]
    return fields


ORGANIZATION = Kind(
    "organization",
    "organizations.csv",
    typed_fields(
        "id:uuid name alternate_name description email:email website:uri tax_status tax_id"
        " year_incorporated:number legal_status logo uri:uri parent_organization_id:uuid"
    ),
    required=("id", "name", "description"),
    lists={"phones": "phone", **ATTACHMENTS},
    shared=True,
)
SERVICE = Kind(
    "service",
    "services.csv",
    typed_fields(
        "id:uuid organization_id:uuid program_id:uuid name alternate_name description url:uri email:email"
        " status interpretation_services application_process fees_description wait_time fees accreditations"
        " eligibility_description minimum_age:number maximum_age:number assured_date:date assurer_email:email"
        " licenses alert",
        status=one_of("active", "inactive", "defunct", "temporarily closed"),
    ),
    required=("id", "name", "status"),
    lists={
        "phones": "phone",
        "schedules": "schedule",
        "service_areas": "service_area",
        "service_at_locations": "service_at_location",
        "languages": "language",
        "cost_options": "cost_option",
        **ATTACHMENTS,
    },
    parts={"organization": "organization"},
)
SERVICE_AT_LOCATION = Kind(
    "service_at_location",
    "service_at_locations.csv",
    typed_fields("id:uuid service_id:uuid location_id:uuid description"),
    lists={"phones": "phone", "schedules": "schedule", **ATTACHMENTS},
    parts={"location": "location"},
    parent_columns={"service": "service_id"},
)
LOCATION = Kind(
    "location",
    "locations.csv",
    typed_fields(
        "id:uuid location_type url:uri organization_id:uuid name alternate_name description transportation"
        " latitude longitude external_identifier external_identifier_type",
        location_type=one_of("physical", "postal", "virtual"),
        latitude={"type": "number", "minimum": -90, "maximum": 90},  # WGS84 degrees
        longitude={"type": "number", "minimum": -180, "maximum": 180},
    ),
    required=("id", "location_type"),
    lists={"addresses": "address", "phones": "phone", "schedules": "schedule", "languages": "language", **ATTACHMENTS},
    shared=True,
)
ADDRESS = Kind(
    "address",
    "addresses.csv",
    typed_fields(
        "id:uuid location_id:uuid attention address_1 address_2 city region state_province postal_code country"
        " address_type",
        country={"type": "string", "pattern": COUNTRY_PATTERN},
        address_type=one_of("physical", "postal", "virtual"),
    ),
    required=("id", "address_1", "city", "state_province", "postal_code", "country", "address_type"),
    lists=ATTACHMENTS,
    parent_columns={"location": "location_id"},
)
PHONE = Kind(
    "phone",
    "phones.csv",
    typed_fields(
        "id:uuid location_id:uuid service_id:uuid organization_id:uuid contact_id:uuid"
        " service_at_location_id:uuid number extension:number type description"
    ),
    required=("id", "number"),
    lists={"languages": "language", **ATTACHMENTS},
    parent_columns={
        "location": "location_id",
        "service": "service_id",
        "organization": "organization_id",
        "service_at_location": "service_at_location_id",
    },
)
SCHEDULE = Kind(
    "schedule",
    "schedules.csv",
    # timezone is a UTC offset in hours
    typed_fields(
        "id:uuid service_id:uuid location_id:uuid service_at_location_id:uuid valid_from:date valid_to:date"
        " dtstart:date timezone:number until:date count:number wkst freq interval:number byday byweekno"
        " bymonthday byyearday description opens_at:time closes_at:time schedule_link:uri attending_type notes",
        wkst=one_of("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
        freq=one_of("WEEKLY", "MONTHLY"),
        byday={"type": "string", "pattern": BYDAY_PATTERN},
    ),
    lists=ATTACHMENTS,
    parent_columns={
        "service": "service_id",
        "location": "location_id",
        "service_at_location": "service_at_location_id",
    },
)
SERVICE_AREA = Kind(
    "service_area",
    "service_areas.csv",
    typed_fields("id:uuid service_id:uuid name description extent extent_type uri"),
    lists=ATTACHMENTS,
    parent_columns={"service": "service_id"},
)
LANGUAGE = Kind(
    "language",
    "languages.csv",
    typed_fields("id:uuid service_id:uuid location_id:uuid phone_id:uuid name code note"),
    lists=ATTACHMENTS,
    parent_columns={"service": "service_id", "location": "location_id", "phone": "phone_id"},
)
COST_OPTION = Kind(
    "cost_option",
    "cost_options.csv",
    typed_fields(
        "id:uuid service_id:uuid valid_from:date valid_to:date option currency amount:number amount_description"
    ),
    lists=ATTACHMENTS,
    parent_columns={"service": "service_id"},
)
ATTRIBUTE = Kind(
    "attribute",
    "attributes.csv",
    typed_fields("id:uuid link_id:uuid taxonomy_term_id:uuid link_type link_entity value"),
    lists={"metadata": "metadata"},
    parts={"taxonomy_term": "taxonomy_term"},
    any_parent=("link_id", "link_entity"),
)
TAXONOMY_TERM = Kind(
    "taxonomy_term",
    "taxonomy_terms.csv",
    typed_fields("id:uuid code name description parent_id:uuid taxonomy language taxonomy_id:uuid term_uri:uri"),
    required=("id", "name", "description"),
    lists={"metadata": "metadata"},
    shared=True,
)
METADATA = Kind(
    "metadata",
    "metadata.csv",
    typed_fields(
        "id:uuid resource_id:uuid resource_type last_action_date last_action_type field_name previous_value"
        " replacement_value updated_by",
        # HSDS releases differ on whether this is a date or a date-time, so both are accepted
        last_action_date={"type": "string", "pattern": DATE_OR_DATETIME_PATTERN},
    ),
    required=(
        "id",
        "last_action_date",
        "last_action_type",
        "field_name",
        "previous_value",
        "replacement_value",
        "updated_by",
    ),
    any_parent=("resource_id", "resource_type"),
)

# in the order of HSDS's data package
KINDS = {
    kind.name: kind
    for kind in (
        ORGANIZATION,
        SERVICE,
        ATTRIBUTE,
        SERVICE_AT_LOCATION,
        LOCATION,
        PHONE,
        ADDRESS,
        SCHEDULE,
        SERVICE_AREA,
        LANGUAGE,
        TAXONOMY_TERM,
        METADATA,
        COST_OPTION,
    )
}


def _object_schema(kind: Kind) -> dict:
    properties = dict(kind.fields)
    for name, child in kind.lists.items():
        properties[name] = {"type": "array", "items": {"$ref": f"#/$defs/{child}"}}
    for name, part in kind.parts.items():
        properties[name] = {"$ref": f"#/$defs/{part}"}
    # no additionalProperties: HSDS allows extension fields
    return {"type": "object", "required": list(kind.required), "properties": properties}


SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "A directory of partner services: an array of Open Referral HSDS 3.0 services",
    "type": "array",
    "items": {"$ref": "#/$defs/service"},
    "$defs": {kind.name: _object_schema(kind) for kind in KINDS.values()},
}
_VALIDATOR = Draft202012Validator(SCHEMA)

# -- problems -----------------------------------------------------------------------------------


class DirectoryError(ValueError):
    """A directory file cannot be read, or breaks HSDS; ``problems`` lists each break."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


def _path(parts: Iterable[str | int]) -> str:
    return "services" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def _describe(error: ValidationError) -> str:
    path = _path(error.absolute_path)
    if error.validator == "required":
        missing = next((name for name in error.validator_value if error.message.startswith(repr(name))), None)
        return f"{path}.{missing}: required but missing" if missing else f"{path}: {error.message}"
    if error.validator == "pattern":
        wanted = PATTERN_NAMES.get(error.validator_value, f"matching {error.validator_value}")
        return f"{path}: {error.instance!r} is not {wanted}"
    return f"{path}: {error.message}"


# Objects one service may share with another by nesting a copy; the copies must agree. Programs
# and taxonomies are not tables here, but their copies are repeated all the same.
SHARED_FIELDS = {
    "organization": "organization",
    "location": "location",
    "locations": "location",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "program": "program",
    "programs": "program",
}
_FIELD_KINDS = {name: kind for owner in KINDS.values() for name, kind in {**owner.lists, **owner.parts}.items()}
_FIELD_KINDS.update(SHARED_FIELDS)
_MISSING = object()


def _shown(value: Any) -> str:
    return "missing" if value is _MISSING else repr(value)


def _disagreements(copy: Record, first: Record, path: str, first_path: str, kind: str) -> list[str]:
    found = []
    for key in dict.fromkeys([*first, *copy]):
        here, there = copy.get(key, _MISSING), first.get(key, _MISSING)
        if here == there:
            continue
        if isinstance(here, dict | list) or isinstance(there, dict | list):
            found.append(f"{path}.{key}: differs from {first_path}.{key}, the same {kind}")
        else:
            found.append(f"{path}.{key}: {_shown(here)} differs from {_shown(there)} at {first_path}, the same {kind}")
    return found


def _clock(value: Any) -> str | None:
    """'09:30' -> '09:30:00'. The UTC offset is ignored: opening and closing share one."""
    if not isinstance(value, str) or not re.fullmatch(TIME_PATTERN, value):
        return None
    return value[:8] if value[5:6] == ":" else f"{value[:5]}:00"


def _cross_checks(services: list) -> list[str]:
    found: list[str] = []
    first_seen: dict[str, tuple[str, str, Record]] = {}  # id -> (kind, path, object)

    def visit(value: Any, path: str, kind: str) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, f"{path}[{index}]", kind)
            return
        if not isinstance(value, dict):
            return
        identifier = value.get("id")
        if isinstance(identifier, str):
            if identifier not in first_seen:
                first_seen[identifier] = (kind, path, value)
            elif first_seen[identifier][0] == kind and kind in SHARED_FIELDS.values():
                _, first_path, first = first_seen[identifier]
                found.extend(_disagreements(value, first, path, first_path, kind))
                return  # what it contains was checked where it first appeared
            else:
                found.append(f"{path}.id: {identifier!r} is already the id of {first_seen[identifier][1]}")
        if kind == "schedule":
            opens, closes = _clock(value.get("opens_at")), _clock(value.get("closes_at"))
            if opens and closes and closes <= opens:
                found.append(f"{path}.closes_at: {value['closes_at']!r} is not after opens_at {value['opens_at']!r}")
        for key, child in value.items():
            visit(child, f"{path}.{key}", _FIELD_KINDS.get(key, key))

    visit(services, "services", "service")
    return found


def problems(services: Any) -> list[str]:
    """Every way ``services`` breaks HSDS 3.0, each as '<path>: <what is wrong>'.

    ``problems([{"id": ..., "name": "Legal aid", "status": "open"}])`` ->
    ``["services[0].status: 'open' is not one of ['active', 'inactive', ...]"]``
    """
    found = [_describe(error) for error in _VALIDATOR.iter_errors(services)]
    if isinstance(services, list):
        found += _cross_checks(services)
    return found


def _listing(subject: str, found: list[str]) -> str:
    count = f"{len(found)} problem" + ("s" if len(found) != 1 else "")
    return f"{subject}: {count} against HSDS 3.0\n" + "\n".join(f"  {problem}" for problem in found)


# -- JSON ---------------------------------------------------------------------------------------


def read_services(path: Path | str) -> list[Record]:
    """The services in a directory file, unchecked beyond being a JSON array."""
    path = Path(path)
    try:
        services = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DirectoryError(f"cannot read {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise DirectoryError(f"{path} is not UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise DirectoryError(
            f"{path} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from error
    if not isinstance(services, list):
        raise DirectoryError(f"{path} must hold a JSON array of HSDS services, not a JSON {type(services).__name__}")
    return services


def _write_text(path: Path, text: str) -> None:
    # written beside the file and renamed over it, so the bot never reads half a directory
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8", newline="\n")
    partial.replace(path)


def write_services(services: list[Record], path: Path | str) -> None:
    """Keys keep the order they have, so that an edit shows as a small diff."""
    _write_text(Path(path), json.dumps(services, indent=2, ensure_ascii=False) + "\n")


def import_json(path: Path | str) -> list[Record]:
    services = read_services(path)
    if found := problems(services):
        raise DirectoryError(_listing(str(path), found), found)
    return services


def export_json(services: list[Record], path: Path | str) -> None:
    if found := problems(services):
        raise DirectoryError(_listing("services to export", found), found)
    write_services(services, path)


# -- tables -------------------------------------------------------------------------------------

PACKAGE = "datapackage.json"
# Link columns that the nested JSON repeated on every row, so that reading the tables back
# restores them: a custom property, which Frictionless tools ignore.
REPEATED = "x-repeated-in-json"
_DECODED_TYPES = ("number", "integer", "boolean", "array", "object", "any")


def _links_to(child: Kind, parent: Kind, parent_id: str) -> dict[str, str]:
    if child.any_parent:
        id_column, kind_column = child.any_parent
        return {id_column: parent_id, kind_column: parent.name}
    return {child.parent_columns[parent.name]: parent_id}


class _Flattening:
    """The rows of every table, gathered by walking the services depth first."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Record]] = {name: [] for name in KINDS}
        # kind -> link column -> for each row, whether its JSON object carried the column too
        self.carried: dict[str, dict[str, list[bool]]] = {name: defaultdict(list) for name in KINDS}
        self.shared_done: set[str] = set()

    def add(self, kind: Kind, record: Record, path: str, links: dict[str, str]) -> None:
        if kind.shared:
            if record["id"] in self.shared_done:
                return  # problems() made sure every copy is the same
            self.shared_done.add(record["id"])
        links = {**links, **{f"{name}_id": record[name]["id"] for name in kind.parts if name in record}}
        # An empty list has no rows to say it is there, so it stays in the row as the JSON cell '[]'.
        row = {
            key: value for key, value in record.items() if key not in kind.parts and not (key in kind.lists and value)
        }
        for column in (*kind.parent_link_columns, *kind.part_columns):
            own = record.get(column, _MISSING)
            if column in links:
                if own is not _MISSING and own != links[column]:
                    raise DirectoryError(f"{path}.{column}: {own!r} contradicts where it is nested ({links[column]!r})")
                self.carried[kind.name][column].append(own is not _MISSING)
            elif own is not _MISSING and column in kind.parent_link_columns:
                raise DirectoryError(
                    f"{path}.{column}: a {kind.name} nested elsewhere cannot also link by {column} in the tables"
                )
        row.update(links)
        self.rows[kind.name].append(row)
        for name, part in kind.parts.items():
            if name in record:
                self.add(KINDS[part], record[name], f"{path}.{name}", {})
        for name, child in kind.lists.items():
            for index, item in enumerate(record.get(name) or []):
                self.add(KINDS[child], item, f"{path}.{name}[{index}]", _links_to(KINDS[child], kind, record["id"]))


def _json_type(values: list[Any]) -> str:
    """The Table Schema type of an extension column, from the values in it."""
    for name, types in (("string", str), ("boolean", bool), ("array", list), ("object", dict)):
        if all(isinstance(value, types) for value in values):
            return name
    if all(isinstance(value, int | float) and not isinstance(value, bool) for value in values):
        return "number"
    return "any"


def _text_type(schema: dict) -> str:
    return "date" if schema.get("pattern") == DATE_PATTERN else "string"


def _table_columns(kind: Kind, rows: list[Record]) -> list[dict[str, str]]:
    known = [
        {"name": name, "type": "number" if schema.get("type") == "number" else _text_type(schema)}
        for name, schema in kind.fields.items()
    ]
    extra = dict.fromkeys(key for row in rows for key in row if key not in kind.fields)
    return known + [{"name": name, "type": _json_type([row[name] for row in rows if name in row])} for name in extra]


def _cell(value: Any, column_type: str) -> str:
    if value is _MISSING:
        return ""
    if column_type in _DECODED_TYPES:
        return json.dumps(value, ensure_ascii=False)  # so an extension's null or [] comes back as such
    return value


def _resource(kind: Kind, columns: list[dict[str, str]], repeated: list[str]) -> Record:
    foreign_keys = [
        {"fields": [column], "reference": {"resource": parent, "fields": ["id"]}}
        for parent, column in kind.parent_columns.items()
    ] + [
        {"fields": [column], "reference": {"resource": part, "fields": ["id"]}}
        for column, (_, part) in kind.part_columns.items()
    ]
    resource = {
        "name": kind.name,
        "path": kind.table,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": columns, "primaryKey": ["id"], "foreignKeys": foreign_keys},
    }
    if repeated:
        resource[REPEATED] = repeated
    return resource


def export_tables(services: list[Record], folder: Path | str) -> Path:
    """Write ``services`` as the HSDS tabular data package in ``folder``, which is returned."""
    if found := problems(services):
        raise DirectoryError(_listing("services to export", found), found)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    flattening = _Flattening()
    for index, service in enumerate(services):
        flattening.add(SERVICE, service, f"services[{index}]", {})
    resources = []
    for kind in KINDS.values():
        rows = flattening.rows[kind.name]
        columns = _table_columns(kind, rows)
        with (folder / kind.table).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([column["name"] for column in columns])
            for row in rows:
                writer.writerow([_cell(row.get(column["name"], _MISSING), column["type"]) for column in columns])
        carried = flattening.carried[kind.name]
        resources.append(_resource(kind, columns, [column for column, flags in carried.items() if all(flags)]))
    package = {"profile": "tabular-data-package", "name": "hsds-directory", "resources": resources}
    _write_text(folder / PACKAGE, json.dumps(package, indent=2, ensure_ascii=False) + "\n")
    return folder


@dataclass
class _Table:
    kind: Kind
    rows: list[Record]
    lines: list[int]
    repeated: frozenset[str]
    used: set[int] = field(default_factory=set)
    by_id: dict[Any, int] = field(default_factory=dict)
    children: dict[tuple[str, Any], list[int]] = field(default_factory=lambda: defaultdict(list))


def _decode(cell: str, column_type: str, where: str) -> Any:
    if column_type not in _DECODED_TYPES:
        return cell
    try:
        value = json.loads(cell)
    except json.JSONDecodeError:
        value = _MISSING
    if value is _MISSING or (column_type in ("number", "integer") and not isinstance(value, int | float)):
        raise DirectoryError(f"{where}: {cell!r} is not a {column_type}")
    return value


def _read_table(folder: Path, kind: Kind, resource: Record | None) -> _Table:
    if resource is None:
        return _Table(kind, [], [], frozenset())
    path = folder / str(resource.get("path", kind.table))
    types = {column["name"]: column.get("type", "string") for column in resource.get("schema", {}).get("fields", [])}
    rows, lines = [], []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for cells in reader:
                where = f"{path.name} line {reader.line_num}"
                if None in cells:
                    raise DirectoryError(f"{where}: more cells than columns")
                row = {}
                for column, cell in cells.items():
                    if cell:
                        row[column] = _decode(cell, types.get(column, "string"), f"{where}, {column}")
                    elif column in kind.required and types.get(column, "string") in ("string", "date"):
                        row[column] = ""  # a required field cannot be absent, so the empty cell was ""
                rows.append(row)
                lines.append(reader.line_num)
    except OSError as error:
        raise DirectoryError(f"cannot read {path}: {error.strerror or error}") from error
    except (UnicodeDecodeError, csv.Error) as error:
        raise DirectoryError(f"{path} is not a UTF-8 CSV file: {error}") from error
    return _Table(kind, rows, lines, frozenset(resource.get(REPEATED, [])))


def _index(table: _Table) -> None:
    for index, row in enumerate(table.rows):
        table.by_id.setdefault(row.get("id"), index)
        if table.kind.any_parent:
            id_column, kind_column = table.kind.any_parent
            table.children[(row.get(kind_column), row.get(id_column))].append(index)
        for parent, column in table.kind.parent_columns.items():
            if column in row:
                table.children[(parent, row[column])].append(index)


def _build(tables: dict[str, _Table], kind: Kind, index: int) -> Record:
    table = tables[kind.name]
    table.used.add(index)
    record: Record = {}
    for column, value in table.rows[index].items():
        if column in kind.part_columns:
            name, part = kind.part_columns[column]
            target = tables[part].by_id.get(value)
            if target is None:  # names an object the package does not hold: keep the reference
                record[column] = value
                continue
            if column in table.repeated:
                record[column] = value
            record[name] = _build(tables, KINDS[part], target)
        elif column not in kind.parent_link_columns or column in table.repeated:
            record[column] = value
    for name, child in kind.lists.items():
        indices = tables[child].children.get((kind.name, record.get("id")), [])
        if indices:
            record[name] = [_build(tables, KINDS[child], position) for position in indices]
    return record


def import_tables(folder: Path | str) -> list[Record]:
    """The nested services of an HSDS tabular data package; every row must belong to one."""
    folder = Path(folder)
    try:
        package = json.loads((folder / PACKAGE).read_text(encoding="utf-8"))
        resources = {resource["name"]: resource for resource in package["resources"]}
    except OSError as error:
        raise DirectoryError(f"cannot read {folder / PACKAGE}: {error.strerror or error}") from error
    except (ValueError, KeyError, TypeError) as error:
        raise DirectoryError(f"{folder / PACKAGE} is not a data package descriptor: {error}") from error
    tables = {name: _read_table(folder, kind, resources.get(name)) for name, kind in KINDS.items()}
    for table in tables.values():
        _index(table)
    services = [_build(tables, SERVICE, index) for index in range(len(tables["service"].rows))]
    strays = [
        f"{table.kind.table} line {table.lines[index]}: {row.get('id')!r} is linked to no service"
        for table in tables.values()
        for index, row in enumerate(table.rows)
        if index not in table.used
    ]
    if found := strays + problems(services):
        raise DirectoryError(_listing(str(folder), found), found)
    return services
