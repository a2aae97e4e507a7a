"""The HSDS 3.0 directory format: checking, JSON files, and the round trip through CSV tables."""

import copy
import csv
import json
import uuid

import pytest
from jsonschema import Draft202012Validator

from bot.directory.hsds import (
    KINDS,
    SCHEMA,
    DirectoryError,
    export_json,
    export_tables,
    import_json,
    import_tables,
    problems,
    read_services,
    write_services,
)
from bot.paths import Paths

SHIPPED = sorted((Paths.default().root / "data" / "directory").glob("*/services.json"))


def uid(number: int) -> str:
    return str(uuid.UUID(int=number))


ORGANIZATION = {
    "id": uid(1),
    "name": "Migrant Rights Bishkek",
    "description": "Lawyers' association giving free legal help to labour migrants.",
    "website": "https://example.org/migrant-rights",
}
UNPAID_WAGES = {
    "id": uid(2),
    "code": "unpaid_wages",
    "name": "Unpaid wages",
    "description": "An employer withholds wages that are due.",
    "taxonomy": "helpline-topics",
}


def attribute(number: int) -> dict:
    # links repeated inside the nested JSON, as the shipped directories have them
    return {
        "id": uid(number),
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": UNPAID_WAGES["id"],
        "taxonomy_term": copy.deepcopy(UNPAID_WAGES),
    }


def created(number: int, service_id: str) -> dict:
    return {
        "id": uid(number),
        "resource_id": service_id,
        "resource_type": "service",
        "last_action_date": "2026-11-20",
        "last_action_type": "create",
        "field_name": "",
        "previous_value": "",
        "replacement_value": "",
        "updated_by": "directory team",
    }


def sample() -> list[dict]:
    """Two services of one organization, tagged with one taxonomy term."""
    office = {
        "id": uid(20),
        "location_type": "physical",
        "name": "Legal aid office",
        "latitude": 42.8746,
        "longitude": 74.5698,
        "addresses": [
            {
                "id": uid(21),
                "address_1": "Chui Avenue 114, office 5",
                "city": "Бишкек",
                "state_province": "Bishkek",
                "postal_code": "720040",
                "country": "KG",
                "address_type": "physical",
            }
        ],
        "phones": [{"id": uid(22), "number": "+996 312 000 001", "type": "voice"}],
        "schedules": [
            {"id": uid(23), "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "18:00"}
        ],
        "languages": [{"id": uid(24), "name": "Kyrgyz", "code": "ky"}],
    }
    consultations = {
        "id": uid(10),
        "name": "Free legal consultations",
        "alternate_name": "Бесплатные консультации юриста",
        "status": "active",
        "organization": copy.deepcopy(ORGANIZATION),
        "languages": [{"id": uid(11), "name": "Russian", "code": "ru"}],
        "phones": [
            {
                "id": uid(12),
                "number": "+996 700 000 001",
                "type": "text",
                "languages": [{"id": uid(13), "name": "Uzbek", "code": "uz"}],
            }
        ],
        "schedules": [
            {
                "id": uid(14),
                "freq": "WEEKLY",
                "byday": "SA",
                "opens_at": "10:00:00",
                "closes_at": "14:00:00",
                "timezone": 6,
                "description": "Saturday mornings",
            }
        ],
        "service_areas": [{"id": uid(15), "name": "bishkek", "description": "Bishkek"}],
        "cost_options": [{"id": uid(16), "amount": 0, "currency": "KGS", "option": "Consultation"}],
        "attributes": [attribute(17)],
        "service_at_locations": [{"id": uid(18), "location": office}],
        "metadata": [created(19, uid(10))],
    }
    hotline = {
        "id": uid(30),
        "name": "Wage claims by phone",
        "status": "temporarily closed",
        "organization": copy.deepcopy(ORGANIZATION),
        "cost_options": [{"id": uid(31), "amount": 150.5, "currency": "KGS", "valid_from": "2026-01-01"}],
        "attributes": [attribute(32)],
        "service_at_locations": [
            {
                "id": uid(33),
                # an online service: no address, and the empty list says so
                "location": {
                    "id": uid(34),
                    "location_type": "virtual",
                    "url": "https://example.org/chat",
                    "addresses": [],
                },
            }
        ],
        "metadata": [created(35, uid(30))],
    }
    return [consultations, hotline]


def read_rows(folder, table):
    with (folder / table).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- the schema and problems --------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$defs"]["service"]["required"] == ["id", "name", "status"]
    assert SCHEMA["$defs"]["address"]["required"] == [
        "id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ]


def test_the_sample_has_no_problems():
    assert problems(sample()) == []


def test_a_broken_directory_reports_each_problem_with_its_path():
    services = sample()
    del services[0]["name"]
    services[1]["status"] = "open"
    services[0]["schedules"][0]["opens_at"] = "25:00"
    services[1]["phones"] = [{"id": uid(12), "number": "+996 700 000 002"}]  # the id of services[0].phones[0]
    services[0]["service_at_locations"][0]["location"]["schedules"][0]["closes_at"] = "08:30"
    assert sorted(problems(services)) == sorted(
        [
            "services[0].name: required but missing",
            "services[1].status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
            "services[0].schedules[0].opens_at: '25:00' is not a time (HH:MM or HH:MM:SS)",
            f"services[1].phones[0].id: '{uid(12)}' is already the id of services[0].phones[0]",
            "services[0].service_at_locations[0].location.schedules[0].closes_at:"
            " '08:30' is not after opens_at '09:00'",
        ]
    )


def test_formats_the_schema_checks():
    services = sample()
    services[0]["id"] = "legal-aid-1"
    services[0]["schedules"][0]["byday"] = "Monday"
    services[0]["cost_options"][0]["valid_from"] = "01/01/2026"
    services[0]["service_at_locations"][0]["location"]["addresses"][0]["country"] = "kg"
    services[0]["service_at_locations"][0]["location"]["latitude"] = "42.87"
    location = "services[0].service_at_locations[0].location"
    assert sorted(problems(services)) == sorted(
        [
            "services[0].id: 'legal-aid-1' is not a UUID",
            "services[0].schedules[0].byday: 'Monday' is not a comma-separated list of weekdays MO..SU",
            "services[0].cost_options[0].valid_from: '01/01/2026' is not a date (YYYY-MM-DD)",
            f"{location}.addresses[0].country: 'kg' is not a two-letter ISO 3166-1 country code",
            f"{location}.latitude: '42.87' is not of type 'number'",
        ]
    )


def test_shared_copies_must_agree():
    services = sample()
    services[1]["attributes"][0]["taxonomy_term"]["code"] = "wages"
    services[1]["organization"]["name"] = "Migrant Rights"
    assert sorted(problems(services)) == [
        "services[1].attributes[0].taxonomy_term.code: 'wages' differs from 'unpaid_wages'"
        " at services[0].attributes[0].taxonomy_term, the same taxonomy_term",
        "services[1].organization.name: 'Migrant Rights' differs from 'Migrant Rights Bishkek'"
        " at services[0].organization, the same organization",
    ]


def test_an_organization_id_cannot_also_name_a_phone():
    services = sample()
    services[0]["phones"][0]["id"] = ORGANIZATION["id"]
    assert problems(services) == [f"services[0].phones[0].id: '{uid(1)}' is already the id of services[0].organization"]


def test_a_directory_that_is_not_an_array_is_one_problem():
    assert problems({"services": []}) == ["services: {'services': []} is not of type 'array'"]


# -- JSON files ---------------------------------------------------------------------------------


def test_services_are_written_indented_with_their_own_key_order_and_letters(tmp_path):
    path = tmp_path / "services.json"
    write_services([{"name": "Юрист", "id": uid(1), "status": "active"}], path)
    text = path.read_text(encoding="utf-8")
    assert text == f'[\n  {{\n    "name": "Юрист",\n    "id": "{uid(1)}",\n    "status": "active"\n  }}\n]\n'
    assert read_services(path) == [{"name": "Юрист", "id": uid(1), "status": "active"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"id": ', "is not valid JSON: Expecting value (line 1, column 9)"),
        ('{"id": "x"}', "must hold a JSON array of HSDS services, not a JSON dict"),
    ],
)
def test_unreadable_json_is_a_directory_error(tmp_path, text, message):
    path = tmp_path / "services.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError, match="services.json") as raised:
        read_services(path)
    assert message in str(raised.value)


def test_a_missing_file_is_a_directory_error(tmp_path):
    with pytest.raises(DirectoryError, match="cannot read .*services.json: No such file"):
        read_services(tmp_path / "services.json")


def test_import_json_refuses_a_broken_directory_and_lists_why(tmp_path):
    services = sample()
    services[1]["status"] = "open"
    path = tmp_path / "services.json"
    write_services(services, path)
    with pytest.raises(DirectoryError, match=r"services.json: 1 problem against HSDS 3.0") as raised:
        import_json(path)
    assert raised.value.problems == [
        "services[1].status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']"
    ]
    with pytest.raises(DirectoryError):
        export_json(services, tmp_path / "exported.json")
    assert not (tmp_path / "exported.json").exists()


def test_export_json_then_import_json_gives_the_services_back(tmp_path):
    export_json(sample(), tmp_path / "services.json")
    assert import_json(tmp_path / "services.json") == sample()


# -- tables -------------------------------------------------------------------------------------


def test_json_to_csv_to_json_is_exact(tmp_path):
    services = sample()
    assert import_tables(export_tables(services, tmp_path / "tables")) == services


def test_the_round_trip_is_exact_when_the_json_leaves_links_to_its_nesting(tmp_path):
    services = sample()
    for service in services:
        for entry in service["attributes"]:
            del entry["link_entity"], entry["taxonomy_term_id"]
        for entry in service["metadata"]:
            del entry["resource_id"], entry["resource_type"]
    assert import_tables(export_tables(services, tmp_path)) == services


def test_numbers_come_back_as_numbers_and_empty_cells_as_absent_fields(tmp_path):
    consultations, hotline = import_tables(export_tables(sample(), tmp_path))
    location = consultations["service_at_locations"][0]["location"]
    assert type(location["latitude"]) is float and location["longitude"] == 74.5698
    assert type(consultations["cost_options"][0]["amount"]) is int and consultations["cost_options"][0]["amount"] == 0
    assert hotline["cost_options"][0]["amount"] == 150.5
    assert consultations["schedules"][0]["timezone"] == 6
    assert "description" not in hotline["service_at_locations"][0]["location"]
    # required by HSDS, so the empty cell was an empty string
    assert consultations["metadata"][0]["previous_value"] == ""


def test_the_tables_link_rows_the_way_tabular_hsds_does(tmp_path):
    folder = export_tables(sample(), tmp_path)
    organizations = read_rows(folder, "organizations.csv")
    assert [row["id"] for row in organizations] == [uid(1)]  # written once, shared by both services
    assert [row["organization_id"] for row in read_rows(folder, "services.csv")] == [uid(1), uid(1)]
    assert [(row["service_id"], row["location_id"]) for row in read_rows(folder, "service_at_locations.csv")] == [
        (uid(10), uid(20)),
        (uid(30), uid(34)),
    ]
    phones = {row["id"]: row for row in read_rows(folder, "phones.csv")}
    assert (phones[uid(12)]["service_id"], phones[uid(12)]["location_id"]) == (uid(10), "")
    assert (phones[uid(22)]["service_id"], phones[uid(22)]["location_id"]) == ("", uid(20))
    assert [row["phone_id"] for row in read_rows(folder, "languages.csv") if row["id"] == uid(13)] == [uid(12)]
    assert read_rows(folder, "addresses.csv")[0]["location_id"] == uid(20)
    assert {row["location_id"] for row in read_rows(folder, "schedules.csv")} == {"", uid(20)}
    attributes = read_rows(folder, "attributes.csv")
    assert [(row["link_id"], row["link_entity"], row["taxonomy_term_id"]) for row in attributes] == [
        (uid(10), "service", uid(2)),
        (uid(30), "service", uid(2)),
    ]
    assert [row["id"] for row in read_rows(folder, "taxonomy_terms.csv")] == [uid(2)]
    assert read_rows(folder, "cost_options.csv")[0]["amount"] == "0"
    assert [row["resource_id"] for row in read_rows(folder, "metadata.csv")] == [uid(10), uid(30)]


def test_the_data_package_lists_every_table(tmp_path):
    folder = export_tables(sample(), tmp_path)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    paths = [resource["path"] for resource in package["resources"]]
    assert sorted(paths) == sorted(kind.table for kind in KINDS.values())
    assert all((folder / path).exists() for path in paths)
    phones = next(resource for resource in package["resources"] if resource["name"] == "phone")
    fields = phones["schema"]["fields"]
    assert [field["name"] for field in fields[:3]] == ["id", "location_id", "service_id"]
    assert {"name": "extension", "type": "number"} in fields
    assert {"fields": ["service_id"], "reference": {"resource": "service", "fields": ["id"]}} in phones["schema"][
        "foreignKeys"
    ]


def test_extension_fields_survive_the_tables(tmp_path):
    services = sample()
    services[0]["x_priority"] = 3
    services[0]["x_tags"] = ["wages", "contracts"]
    services[0]["x_verified"] = True
    services[1]["x_verified"] = False
    services[1]["contacts"] = [{"id": uid(40), "name": "Duty lawyer", "phones": []}]  # an HSDS table not kept here
    services[0]["service_at_locations"][0]["location"]["x_floor"] = "2"
    assert import_tables(export_tables(services, tmp_path)) == services


def test_a_link_that_contradicts_the_nesting_is_refused(tmp_path):
    services = sample()
    services[0]["attributes"][0]["link_entity"] = "organization"
    with pytest.raises(DirectoryError, match=r"services\[0\].attributes\[0\].link_entity: 'organization' contradicts"):
        export_tables(services, tmp_path)


def test_a_broken_directory_is_not_exported(tmp_path):
    services = sample()
    services[0]["status"] = "closed"
    with pytest.raises(DirectoryError) as raised:
        export_tables(services, tmp_path)
    assert raised.value.problems[0].startswith("services[0].status: 'closed' is not one of")


def test_a_row_that_belongs_to_no_service_is_reported(tmp_path):
    folder = export_tables(sample(), tmp_path)
    with (folder / "phones.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow([uid(50), "", uid(99), "", "", "", "+996 555 000 000", "", "", ""])
    with pytest.raises(DirectoryError) as raised:
        import_tables(folder)
    assert raised.value.problems == [f"phones.csv line 4: '{uid(50)}' is linked to no service"]


def test_a_cell_that_is_not_a_number_is_reported(tmp_path):
    folder = export_tables(sample(), tmp_path)
    text = (folder / "cost_options.csv").read_text(encoding="utf-8")
    (folder / "cost_options.csv").write_text(text.replace(",150.5,", ",a lot,"), encoding="utf-8")
    with pytest.raises(DirectoryError, match="cost_options.csv line 3, amount: 'a lot' is not a number"):
        import_tables(folder)


def test_a_folder_without_a_data_package_is_a_directory_error(tmp_path):
    with pytest.raises(DirectoryError, match="cannot read .*datapackage.json"):
        import_tables(tmp_path)


# -- the shipped directories --------------------------------------------------------------------


def test_the_directories_are_shipped():
    assert SHIPPED, "no data/directory/*/services.json"


@pytest.mark.parametrize("path", SHIPPED, ids=[path.parent.name for path in SHIPPED])
def test_a_shipped_directory_has_no_problems(path):
    found = problems(read_services(path))
    assert not found, "\n".join(found)
