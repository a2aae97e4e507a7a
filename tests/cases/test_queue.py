from bot.cases.notices import escalation_notice, phone_number, status_notice
from bot.cases.queue import CaseView, estimated_wait_minutes, ticket_for


def view(status="waiting", position=3):
    import datetime as dt

    return CaseView(1, "1899-000001", status, 1, position, dt.datetime.now(dt.UTC))


def test_tickets_are_quotable_on_the_phone():
    assert ticket_for("1899", 42) == "1899-000042"


def test_wait_is_shared_among_busy_lawyers_and_never_zero_while_waiting():
    assert estimated_wait_minutes(position=4, lawyers_on_duty=2, handling_minutes=10) == 20
    assert estimated_wait_minutes(position=1, lawyers_on_duty=0, handling_minutes=0.5) == 1
    assert estimated_wait_minutes(position=0, lawyers_on_duty=3, handling_minutes=10) == 0


def test_what_the_migrant_is_told():
    assert escalation_notice(view(), urgent=True, lawyers_available_now=False) == "ui:case_urgent"
    assert escalation_notice(view(), urgent=False, lawyers_available_now=False) == "ui:case_after_hours"
    assert escalation_notice(view(), urgent=False, lawyers_available_now=True) == "ui:case_created"
    assert status_notice(None) == "ui:case_no_case"
    assert status_notice(view("assigned", 0)) == "ui:case_taken"
    assert status_notice(view()) == "ui:case_position"


def test_phone_numbers_are_found_but_dates_and_amounts_are_not():
    assert phone_number("call me +996 700 123 456 please") == "+996700123456"
    assert phone_number("мага чалыңыз 0555-12-34-56 ") == "0555123456"
    assert phone_number("my visa ends 12.05.2026") is None
    assert phone_number("they owe me 150000 som") is None
