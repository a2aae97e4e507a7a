"""The dialogue core, decided from facts alone: no network, no database."""

import pytest

from bot.dialogue import (
    ANSWER_THRESHOLD,
    ConversationState,
    Dialogue,
    Evidence,
    is_garbage,
)
from bot.language import Detection
from bot.nlu.client import NluResult
from bot.safety import SafetyMatch

LANGUAGES = ("ru", "ky", "uz", "en", "vi", "ko")
dialogue = Dialogue(LANGUAGES, {code: code.upper() for code in LANGUAGES})


def evidence(intent=None, confidence=0.0, language="en", detected=None, safety=None, nlu_down=False):
    detection = Detection(language, detected or language, 0.99, "test")
    nlu = None if nlu_down else NluResult(intent, confidence)
    return Evidence(detection, nlu, SafetyMatch(safety, "en") if safety else None)


def payloads(turn):
    return [button.payload for button in turn.buttons]


def test_a_confident_intent_is_answered_and_asks_for_feedback():
    turn = dialogue.decide("my visa expires", ConversationState(), evidence("visa_extension", 0.9))
    assert turn.texts == ("answer:visa_extension", "ui:did_it_help")
    assert turn.action == "answer"
    assert turn.topic == "visa" and not turn.urgent
    assert "/feedback no" in payloads(turn) and "/lawyer" in payloads(turn)


def test_low_confidence_gets_topic_buttons_and_the_lawyer_never_an_answer():
    turn = dialogue.decide("hmm", ConversationState(), evidence("visa_change", ANSWER_THRESHOLD - 0.3))
    assert turn.texts == ("ui:clarify",)
    assert turn.action == "clarify"
    assert turn.intent == "visa_change"  # what was understood is still reported and stored
    assert "/topic visa" in payloads(turn) and "/lawyer" in payloads(turn)


def test_a_middling_confidence_offers_the_guessed_topic():
    turn = dialogue.decide("docs?", ConversationState(), evidence("lost_documents", ANSWER_THRESHOLD - 0.1))
    assert turn.texts == ("ui:clarify_guess",)
    assert turn.extra["topic_context"] == "ui:topic_visa"


@pytest.mark.parametrize("intent", ["trafficking", "domestic_violence", "self_harm", "medical_emergency"])
def test_urgent_intents_are_answered_and_mark_the_conversation(intent):
    turn = dialogue.decide("...", ConversationState(), evidence(intent, 0.35))
    assert turn.texts == (f"answer:{intent}",)
    assert turn.urgent and turn.state.urgent and turn.handoff


def test_the_safety_net_wins_over_a_confident_harmless_intent():
    turn = dialogue.decide("...", ConversationState(), evidence("job_search", 0.95, safety="trafficking"))
    assert turn.intent == "trafficking" and turn.urgent


def test_the_safety_net_works_when_the_nlu_is_down():
    turn = dialogue.decide("...", ConversationState(), evidence(nlu_down=True, safety="self_harm"))
    assert turn.intent == "self_harm" and turn.urgent


def test_without_nlu_the_migrant_is_told_and_offered_a_lawyer():
    turn = dialogue.decide("my visa", ConversationState(), evidence(nlu_down=True))
    assert turn.texts == ("ui:nlu_unavailable",)
    assert payloads(turn) == ["/lawyer"]


def test_the_reply_follows_the_detected_language_and_remembers_it():
    turn = dialogue.decide("...", ConversationState(language="ru"), evidence("greet", 0.9, language="ky"))
    assert turn.language == "ky" and turn.state.language == "ky"


def test_an_explicit_language_choice_wins_over_detection():
    state = ConversationState(language="ru", language_choice="uz")
    turn = dialogue.decide("hello", state, evidence("greet", 0.9, language="en"))
    assert turn.language == "uz"


def test_choosing_a_language_by_button_sets_the_choice():
    turn = dialogue.command("/lang ky", ConversationState(language="ru"))
    assert turn.language == "ky"
    assert turn.state.language_choice == "ky"
    assert turn.texts == ("ui:language_set",)


def test_an_unknown_language_code_shows_the_menu():
    turn = dialogue.command("/lang xx", ConversationState())
    assert turn.texts == ("ui:language_menu",)
    assert payloads(turn) == [f"/lang {code}" for code in LANGUAGES]


def test_an_unserved_language_is_not_answered_as_if_understood():
    # the NLU's confident guess on Tajik text means nothing: no answer, a notice in the closest
    # served language and again in English, with the language menu and a person
    turn = dialogue.decide("...", ConversationState(), evidence("lost_documents", 0.9, language="ru", detected="tg"))
    assert turn.texts == ("ui:unserved_language",)
    assert (turn.language, turn.also_in) == ("ru", ("en",))
    assert turn.intent is None and turn.action == "unserved_language"
    assert payloads(turn) == [*(f"/lang {code}" for code in LANGUAGES), "/lawyer"]


def test_an_unserved_language_closest_to_english_also_gets_the_main_language():
    turn = dialogue.decide("...", ConversationState(), evidence("unpaid_wages", 0.9, language="en", detected="es"))
    assert (turn.language, turn.also_in) == ("en", ("ru",))


def test_an_nlu_guess_of_danger_in_an_unserved_language_raises_no_alarm():
    # "my employer has not paid me" in Tagalog once got the ambulance reply and an urgent ticket
    guess = evidence("medical_emergency", 0.95, language="en", detected="tl")
    turn = dialogue.decide("...", ConversationState(), guess)
    assert not turn.urgent and not turn.handoff


def test_the_keyword_net_still_raises_the_alarm_in_an_unserved_language():
    detected = evidence("lost_documents", 0.4, language="ru", detected="uk", safety="domestic_violence")
    turn = dialogue.decide("...", ConversationState(), detected)
    assert turn.urgent and turn.handoff
    assert turn.texts == ("ui:unsupported_language", "answer:domestic_violence")


def test_after_choosing_a_language_unserved_text_gets_the_topic_menu_not_a_guess():
    state = ConversationState(language="ru", language_choice="ru")
    turn = dialogue.decide("...", state, evidence("lost_documents", 0.9, language="ru", detected="tg"))
    assert turn.texts == ("ui:clarify",) and turn.intent is None
    assert "/lawyer" in payloads(turn)


def test_long_messages_say_that_only_the_beginning_was_analysed():
    turn = dialogue.decide("x" * 10_000, ConversationState(), evidence("unpaid_wages", 0.9))
    assert turn.texts[0] == "ui:long_message"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "ui:empty_message"),
        ("   \n", "ui:empty_message"),
        ("🙂👍", "ui:clarify"),
        ("12345", "ui:clarify"),
    ],
)
def test_messages_without_words_get_a_polite_prompt(text, expected):
    turn = dialogue.without_words(text, ConversationState(language="ky"))
    assert turn.texts == (expected,) and turn.language == "ky"


def test_binary_garbage_is_recognised():
    assert is_garbage("\x00\x01\x02\x03\ufffd")
    assert not is_garbage("hello\n")
    assert dialogue.without_words("\x00\x01\x02\x03", ConversationState()).texts == ("ui:unreadable_message",)


def test_delete_erases_the_history():
    turn = dialogue.command("/delete", ConversationState(language="ru"))
    assert turn.erase_history and turn.texts == ("ui:deleted",)


def test_telegram_group_commands_with_the_bot_name_work():
    assert dialogue.command("/lawyer@helpline_bot", ConversationState()).handoff


def test_plain_text_is_not_a_command():
    assert dialogue.command("hello", ConversationState()) is None


def test_a_possible_danger_in_the_ranking_adds_the_emergency_line_and_marks_urgent():
    from bot.nlu.client import IntentScore

    nlu = NluResult("lost_documents", 0.6, (IntentScore("lost_documents", 0.6), IntentScore("trafficking", 0.2)))
    turn = dialogue.decide("...", ConversationState(), Evidence(Detection("en", "en", 0.9, "t"), nlu, None))
    assert turn.texts == ("answer:lost_documents", "ui:safety_check")
    assert turn.urgent and turn.state.urgent and not turn.handoff and turn.intent == "lost_documents"


def test_no_danger_in_the_ranking_leaves_the_answer_alone():
    from bot.nlu.client import IntentScore

    nlu = NluResult("lost_documents", 0.9, (IntentScore("lost_documents", 0.9), IntentScore("trafficking", 0.05)))
    turn = dialogue.decide("...", ConversationState(), Evidence(Detection("en", "en", 0.9, "t"), nlu, None))
    assert "ui:safety_check" not in turn.texts and not turn.urgent
