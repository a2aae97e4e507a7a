"""Where the migrant is, in the dialogue core: the country question asked once, answered by a
button or by naming a place, country variants, partner services and the agency register."""

from dataclasses import replace

from bot.dialogue import ConversationState, Dialogue, Evidence
from bot.language import Detection
from bot.nlu.client import NluResult
from bot.places import Whereabouts

LANGUAGES = ("ru", "ky", "en")
abroad = Dialogue(
    LANGUAGES,
    {code: code.upper() for code in LANGUAGES},
    migrants_in=("RU", "KZ", "KR", "TR", "KG"),
    variants={"work_permit": frozenset({"RU", "KZ"})},
    referrals=frozenset({"find_doctor"}),
    agency_register=True,
)
korea = replace(abroad, migrants_in=("KR",), variants={"work_permit": frozenset({"KR"})})


def evidence(intent, where=None, language="ky"):
    return Evidence(Detection(language, language, 0.99, "test"), NluResult(intent, 0.9), None, where)


def payloads(turn):
    return [button.payload for button in turn.buttons]


def test_an_answer_that_depends_on_the_country_asks_once_with_buttons():
    turn = abroad.decide("патент керекпи", ConversationState(), evidence("work_permit"))
    assert turn.texts == ("answer:work_permit", "ui:country_question")
    assert payloads(turn)[:5] == ["/country RU", "/country KZ", "/country KR", "/country TR", "/country KG"]
    assert "/country other" in payloads(turn)
    assert turn.state.country_asked and turn.state.pending == "country:work_permit"
    # asked once: the next question that depends on it gets the general answer, not the question again
    again = abroad.decide("патент", replace(turn.state, pending=None), evidence("work_permit"))
    assert again.texts == ("answer:work_permit", "ui:did_it_help")


def test_the_country_button_answers_the_waiting_question_with_that_countrys_rules():
    asked = abroad.decide("патент керекпи", ConversationState(), evidence("work_permit")).state
    turn = abroad.command("/country RU", asked)
    assert turn.texts == ("ui:country_set", "answer:work_permit@RU", "ui:did_it_help")
    assert turn.state.country == "RU" and turn.state.pending is None
    assert turn.extra["country"] == "RU"


def test_naming_a_place_answers_the_waiting_question_too():
    asked = abroad.decide("патент керекпи", ConversationState(), evidence("work_permit")).state
    turn = abroad.decide("Москвадамын", asked, evidence("greet", Whereabouts("RU", "moscow")))
    assert turn.texts == ("ui:country_set", "answer:work_permit@RU", "ui:did_it_help")
    assert (turn.state.country, turn.state.region) == ("RU", "moscow")


def test_a_place_in_the_question_itself_needs_no_question():
    turn = abroad.decide(
        "Москвада патент керекпи", ConversationState(), evidence("work_permit", Whereabouts("RU", "moscow"))
    )
    assert turn.texts == ("answer:work_permit@RU", "ui:did_it_help")
    assert turn.state.region == "moscow"


def test_another_country_gets_the_general_answer_and_is_not_asked_again():
    asked = abroad.decide("патент керекпи", ConversationState(), evidence("work_permit")).state
    turn = abroad.command("/country other", asked)
    assert turn.texts == ("answer:work_permit", "ui:did_it_help")
    assert turn.state.country is None and turn.state.country_asked


def test_a_country_without_a_variant_gets_the_general_answer_without_asking():
    state = ConversationState(country="TR", country_asked=True)
    assert abroad.decide("патент", state, evidence("work_permit")).texts == ("answer:work_permit", "ui:did_it_help")


def test_a_single_country_profile_never_asks_and_always_uses_its_variant():
    turn = korea.decide("work permit?", ConversationState(), evidence("work_permit", language="en"))
    assert turn.texts == ("answer:work_permit@KR", "ui:did_it_help")


def test_a_referral_intent_asks_for_partner_services():
    turn = korea.decide("where is a doctor", ConversationState(), evidence("find_doctor", language="en"))
    assert turn.referral == "find_doctor"
    more = korea.command("/services find_doctor 2", ConversationState())
    assert (more.referral, more.services_page) == ("find_doctor", 2)
    assert korea.command("/services nonsense", ConversationState()).referral is None


def test_the_agency_check_waits_for_a_name():
    recruitment = abroad.decide("агенттик алдады", ConversationState(country="RU"), evidence("recruitment_fraud"))
    assert "/agency" in payloads(recruitment)
    prompt = abroad.command("/agency", ConversationState())
    assert prompt.texts == ("ui:agency_prompt",) and prompt.state.pending == "agency"
    turn = abroad.decide("Ала-Тоо Жумуш", prompt.state, evidence("greet"))
    assert turn.agency_query == "Ала-Тоо Жумуш" and turn.state.pending is None


def test_an_urgent_message_while_waiting_for_a_name_is_still_urgent():
    prompt = abroad.command("/agency", ConversationState())
    danger = Evidence(Detection("ky", "ky", 0.99, "test"), NluResult("trafficking", 0.9), None)
    turn = abroad.decide("паспортумду алып коюшту", prompt.state, danger)
    assert turn.urgent and turn.agency_query is None


def test_the_follow_up_answer_is_recorded_and_a_lawyer_offered_when_it_did_not_help():
    helped = abroad.command("/referral 12 helped", ConversationState())
    assert helped.referral_outcome == (12, "helped") and helped.texts == ("ui:referral_thanks",)
    not_helped = abroad.command("/referral 12 not_helped", ConversationState())
    assert "/lawyer" in payloads(not_helped)
