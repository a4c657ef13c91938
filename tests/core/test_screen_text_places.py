"""Findings of the text check on a screenshot, as boxes over the words that were read."""
from __future__ import annotations

from capture_app.core.privacy import pii
from capture_app.core.privacy.screen_text import Box, Recognition, Word
from capture_app.core.privacy.screenshot_pii import check, find_places


def line(y, *texts, x=10, gap=8, char=7, height=12, number=0):
    """Words on one line, laid out left to right like a screen would show them."""
    words = []
    for text in texts:
        words.append(Word(text, Box(x, y, len(text) * char, height), number))
        x += len(text) * char + gap
    return words


def test_an_iban_in_groups_is_one_box_over_all_its_groups():
    words = line(40, "IBAN:", "DE89", "3704", "0044", "0532", "0130", "00", "Status", number=3)
    places = find_places(words)
    assert [p.kind for p in places] == [pii.IBAN]
    first, last = words[1], words[6]
    assert places[0].box == first.box.union(last.box)


def test_a_phone_number_with_spaces_is_one_box():
    words = line(80, "Tel.:", "+49", "30", "2206623", "33", "Raum", "4.12", number=1)
    places = find_places(words)
    assert [p.kind for p in places] == [pii.PHONE]
    assert places[0].box == words[1].box.union(words[4].box)


def test_an_e_mail_glued_to_its_label_gets_the_share_of_the_word_it_takes():
    word = Word("E-Mail:erika.muster@example.de", Box(100, 10, 300, 12), 0)
    (place,) = find_places([word])
    assert place.kind == pii.EMAIL
    assert place.box.right == 400
    assert 100 < place.box.x < 100 + 300 * 7 / 30  # the label is left out, bar a character
    assert place.box.x <= 100 + 300 * 6 / 30


def test_the_same_rules_as_the_text_check_no_checksum_no_iban():
    # The check sum is wrong by one digit: the text check finds no IBAN there, neither does this
    # (what it finds instead, it finds here too).
    words = ["IBAN", "DE89", "3704", "0044", "0532", "0130", "01"]
    kinds = [p.kind for p in find_places(line(10, *words))]
    assert pii.IBAN not in kinds
    assert kinds == [m.kind for m in pii.find_pii(" ".join(words))]
    # Dates, times, version numbers and order numbers are no phone numbers.
    assert find_places(line(10, "14.03.2026", "10:30", "v6.11.3", "Auftrag", "000123456")) == []


def test_words_on_different_lines_are_not_joined():
    words = line(10, "Konto", "DE89", "3704", "0044", number=0) + line(
        30, "32", "0130", "00", number=1)
    assert find_places(words) == []


def test_several_findings_on_one_line_and_on_several_lines():
    words = (line(10, "erika@example.de", "und", "max@example.org", number=0)
             + line(30, "Mobil", "0171", "2345678", number=1))
    kinds = [p.kind for p in find_places(words)]
    assert kinds == [pii.EMAIL, pii.EMAIL, pii.PHONE]


def test_the_agents_own_contact_data_is_not_proposed():
    words = line(10, "Von:", "agent@musterbank.de", "An:", "kunde@example.de")
    own = [pii.PiiMatch(pii.EMAIL, 0, 19, "agent@musterbank.de")]
    places = find_places(words, own)
    assert len(places) == 1 and places[0].box.x == words[3].box.x


def test_the_check_keeps_no_text_and_says_whether_the_picture_was_read_completely():
    words = tuple(line(10, "erika@example.de"))
    done = check(Recognition(words))
    assert done.ran and len(done.places) == 1
    assert "erika" not in repr(done)
    cut_short = check(Recognition(words, reason="time_limit"))
    assert not cut_short.ran and len(cut_short.places) == 1


def test_a_word_the_recogniser_cut_after_a_dot_is_joined_again():
    # "erika." and "mustermann@…" 3 px apart on 12 px high letters: no space between them.
    words = [Word("E-Mail:", Box(258, 42, 47, 12), 0), Word("erika.", Box(313, 42, 39, 12), 0),
             Word("mustermann@beispiel-bank.de", Box(355, 42, 232, 15), 0)]
    (place,) = find_places(words)
    assert place.kind == pii.EMAIL
    assert place.box == Box(313, 42, 587 - 313, 15)


def test_two_phone_numbers_in_columns_side_by_side_are_two_findings():
    # Calendar cards next to each other, read as one line by the recogniser.
    words = (line(200, "+49", "(0)6221", "821", "06844", x=335, number=4)
             + line(200, "089", "3755787", x=622, number=4) + line(200, "03641-3327", "5931", x=910,
                                                                   number=4))
    places = find_places(words)
    assert [p.kind for p in places] == [pii.PHONE] * 3
    assert [p.box.x for p in places] == [335, 622, 910]


def test_letters_read_for_digits_in_an_iban_or_a_number_are_read_as_digits():
    # "AT10 …" read as "ATLO", "CH07 …" as "CHO7", "AT59 …" as "ATS9", a phone number's "0" as "O".
    austria = line(10, "Konto:", "ATLO", "4272", "2234", "4079", "6834")
    assert pii.find_pii("AT10 4272 2234 4079 6834")  # the real IBAN is valid
    assert [p.kind for p in find_places(austria)] == [pii.IBAN]
    assert pii.find_pii("AT59 8025 2016 1284 0019")
    assert [p.kind for p in find_places(line(10, "ATS9", "8025", "2016", "1284", "0019"))] == [pii.IBAN]
    assert [p.kind for p in find_places(line(10, "Mobil", "O171", "2345678"))] == [pii.PHONE]
    # Words that are words stay words.
    assert find_places(line(10, "LOL", "Old", "ATOM", "DOLL")) == []


def test_an_e_mail_address_cut_at_its_at_sign_is_joined_again():
    words = line(10, "E-Mail:", "erika.mustermann@", "beispiel-bank.de", gap=7)
    (place,) = find_places(words)
    assert place.kind == pii.EMAIL
    assert place.box == words[1].box.union(words[2].box)


def test_a_label_close_to_a_phone_number_stays_a_word_of_its_own():
    # "Tel." read with a box that nearly touches "+49": the number still starts a word.
    words = [Word("Tel.", Box(119, 60, 20, 29), 2), Word("+49", Box(141, 63, 21, 8), 2),
             Word("30", Box(167, 63, 13, 8), 2), Word("2206623", Box(185, 63, 47, 8), 2),
             Word("33", Box(237, 63, 12, 8), 2)]
    (place,) = find_places(words)
    assert place.kind == pii.PHONE and place.box.x == 141
