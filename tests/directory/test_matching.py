"""Referral matching: topic, where the migrant is, a language spoken there, open now and free,
with a fixed clock."""

import datetime as dt

from bot.directory.matching import Where, match_services
from bot.directory.services import service_from_hsds

SEOUL = dt.timezone(dt.timedelta(hours=9))
SUNDAY_3PM = dt.datetime(2026, 12, 6, 15, 0, tzinfo=SEOUL)
MONDAY_3PM = dt.datetime(2026, 12, 7, 15, 0, tzinfo=SEOUL)
AREAS = {"ansan": "KR", "suwon": "KR", "gyeonggi": "KR", "moscow": "RU"}


def service(name, areas, languages=(), byday="MO,TU,WE,TH,FR", free=True, topics=("find_doctor",)):
    return service_from_hsds(
        {
            "id": name,
            "name": name,
            "status": "active",
            "languages": [{"id": f"{name}-{code}", "code": code} for code in languages],
            "service_areas": [{"id": f"{name}-{area}", "name": area} for area in areas],
            "schedules": [
                {"id": f"{name}-s", "byday": byday, "opens_at": "14:00", "closes_at": "18:00", "timezone": 9}
            ],
            "cost_options": [{"id": f"{name}-c", "amount": 0 if free else 10000}],
            "attributes": [
                {"id": f"{name}-{topic}", "taxonomy_term": {"id": topic, "code": topic, "taxonomy": "helpline-topics"}}
                for topic in topics
            ],
        }
    )


def names(matches):
    return [match.service.name for match in matches]


def country_of(area):
    return AREAS.get(area)


def test_a_nearby_service_in_the_migrants_language_comes_first():
    services = [
        service("Suwon clinic, Vietnamese", ["suwon"], ["vi"]),
        service("Ansan clinic, Korean only", ["ansan"], ["ko"]),
        service("Ansan clinic, Vietnamese", ["ansan"], ["vi", "ko"]),
        service("Moscow clinic, Vietnamese", ["moscow"], ["vi"]),
    ]
    matches = match_services(
        services, "find_doctor", Where("KR", ("ansan", "gyeonggi")), ["vi"], MONDAY_3PM, country_of
    )
    # Suwon is not in the migrant's area chain and Moscow is in another country: neither is offered
    assert names(matches) == ["Ansan clinic, Vietnamese", "Ansan clinic, Korean only"]
    assert matches[0].speaks and not matches[1].speaks


def test_open_now_decides_between_otherwise_equal_services():
    services = [service("weekdays", ["ansan"], ["vi"]), service("sundays", ["ansan"], ["vi"], byday="SU")]
    where = Where("KR", ("ansan", "gyeonggi"))
    assert names(match_services(services, "find_doctor", where, ["vi"], SUNDAY_3PM, country_of)) == [
        "sundays",
        "weekdays",
    ]
    on_monday = match_services(services, "find_doctor", where, ["vi"], MONDAY_3PM, country_of)
    assert names(on_monday) == ["weekdays", "sundays"]
    assert [match.open_now for match in on_monday] == [True, False]


def test_free_services_before_paid_ones_and_wider_areas_after_the_migrants_city():
    services = [
        service("paid, Ansan", ["ansan"], free=False),
        service("free, Ansan", ["ansan"]),
        service("province-wide", ["gyeonggi"]),
        service("nationwide line", ["KR"]),
    ]
    matches = match_services(
        services, "find_doctor", Where("KR", ("ansan", "gyeonggi")), ["en"], MONDAY_3PM, country_of
    )
    assert names(matches) == ["free, Ansan", "paid, Ansan", "province-wide", "nationwide line"]


def test_without_a_region_every_service_in_the_country_is_a_candidate_and_other_topics_never_are():
    services = [
        service("Ansan", ["ansan"]),
        service("Moscow", ["moscow"]),
        service("wages", ["ansan"], topics=("unpaid_wages",)),
    ]
    matches = match_services(services, "find_doctor", Where("KR"), ["en"], MONDAY_3PM, country_of)
    assert names(matches) == ["Ansan"]


def test_free_means_the_directory_says_so():
    assert service("x", ["ansan"]).free
    unknown = service_from_hsds({"id": "y", "name": "y", "status": "active"})
    assert not unknown.free and unknown.is_open(MONDAY_3PM) is None
