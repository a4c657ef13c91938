"""Search the triage catalogue with the agent's own words, German or English.

Both the catalogue's titles and keywords and the query are *folded* (case, umlauts and ß written
as ae/oe/ue/ss, accents, hyphens in "E-Mail"), split into words, stripped of filler words and
lightly stemmed. A query word then matches a catalogue word when it is the same, when one is the
beginning or a part of the other (German compounds: "Druckereinstellungen" contains "Drucker"
and "Einstellungen"), or when they are close in spelling (typos; rapidfuzz). Each match counts
with how rare the catalogue word is across the cases; a keyword phrase whose words are all
found counts extra, so "Berater-Link im selben Browser" beats a lone "Browser". Words said of
any problem ("stürzt ab", "Verbindung", "Videoberatung") count less than the thing that fails, so
"Citrix stürzt ab" is Citrix's problem, not Flexperto's.

A query that matches nothing returns no cases: the page then offers only "nothing fits", which
leads to 2nd-level support.
"""
from __future__ import annotations

import math
import re
import threading
import unicodedata
import weakref
from dataclasses import dataclass
from functools import lru_cache

from capture_app.core.triage.catalogue import Case, Catalogue

# Only so much of a pasted text is searched: the beginning names the problem, and the time per
# keystroke must stay small whatever is pasted.
MAX_QUERY_CHARS = 400
MAX_QUERY_WORDS = 24
MIN_WORD = 2
MIN_PART = 4  # shortest word that may match as the beginning or end of a compound
MIN_REST = 3  # shortest rest of a query word beside a catalogue word for the two to be a compound
MIN_FUZZY = 5  # shorter words are too easily one typo away from an unrelated word
FUZZY_CUTOFF = 80

# Filler words of agents' phrasings that say nothing about the case. Words that do ("darf",
# "welche", "neu", "kein") are deliberately not here.
_STOPWORDS = frozenset(["a", "ab", "aber", "alle", "als", "also", "am", "an", "auch", "auf", "aus", "bei", "beim", "bin", "bis", "bitte", "da", "dabei", "damit", "dann", "das", "dass", "dem", "den", "denn", "der", "des", "die", "dies", "diese", "diesem", "diesen", "dieser", "dieses", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "er", "es", "etwas", "euch", "euer", "fuer", "gibt", "hab", "habe", "haben", "hat", "hatte", "hier", "ich", "ihm", "ihn", "ihr", "ihre", "im", "immer", "in", "ins", "ist", "ja", "jetzt", "man", "mal", "mehr", "mein", "meine", "meinem", "meinen", "meiner", "mich", "mir", "mit", "muss", "musste", "nach", "nicht", "noch", "nun", "nur", "ob", "oder", "ohne", "schon", "sehr", "sein", "seine", "seinem", "seinen", "seiner", "sich", "sie", "sind", "so", "soll", "sollte", "ueber", "um", "und", "uns", "unser", "unsere", "vom", "von", "vor", "war", "waren", "was", "weil", "wenn", "wer", "werden", "wie", "wieder", "wir", "wird", "wo", "wurde", "wurden", "zu", "zum", "zur", "zwar", "geht", "gehen", "ging", "klappt", "klappen", "problem", "probleme", "frage", "fragen", "hilfe", "leider", "gerade", "heute", "seit", "kunde", "kunden", "kundin", "berater", "beraterin", "nutzer", "nutzerin", "user", "flexperto", "kann", "kannst", "koennen", "konnte", "konnten", "andere", "anderen", "anderer", "anderes", "anderem", "beide", "beiden", "beides", "sonstige", "sonstigen", "sonstiges", "the", "an", "and", "are", "as", "at", "be", "been", "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "of", "on", "or", "our", "she", "so", "than", "that", "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your", "please", "help", "issue", "problem", "advisor", "customer", "client", "other", "hallo", "hello", "hi", "moin", "servus", "guten", "tag", "morgen", "abend", "gruss", "gruesse", "danke", "dank", "thanks", "thank", "regards", "dear"])  # noqa: E501 - data, one word list

# Words said of anything: *that* something fails and how it looks ("stürzt ab", "hängt",
# "Verbindung getrennt", "bleibt schwarz", "weiße Seite", "kein …"), and the consultation itself
# ("Beratung", "Videoberatung"). Outlook, Citrix and the VPN fail in the same words as a video
# consultation, so these count with GENERIC_WEIGHT of their rarity and the thing named ("Citrix",
# "Kamera", "Unterlagen") decides.
_GENERIC = frozenset(["fehler", "fehlermeldung", "error", "errors", "absturz", "abgestuerzt", "stuerzt", "haengt", "haengen", "friert", "eingefroren", "bricht", "abgebrochen", "kaputt", "defekt", "langsam", "getrennt", "trennt", "verbindung", "fehlgeschlagen", "schlaegt", "bleibt", "kommt", "kommen", "startet", "laedt", "reagiert", "oeffnet", "oeffnen", "geoeffnet", "sitzung", "session", "system", "raus", "rein", "leer", "leere", "blank", "weiss", "weisse", "white", "schwarz", "schwarze", "schwarzes", "black", "dunkel", "seite", "seiten", "page", "pages", "beratung", "online", "onlineberatung", "videoberatung", "consultation", "kein", "keine", "keinen", "keiner", "keinem", "crash", "crashes", "crashed", "freezes", "frozen", "stuck", "broken", "slow", "fails", "failed", "disconnected", "connection"])  # noqa: E501 - data, one word list

# Said of a failure ("funktioniert nicht", "does not work") these say nothing the failure's
# other words do not; without a negation near them they ask how something is used ("wie
# funktioniert", "how does it work").
_UNLESS_NEGATED = frozenset(["funktioniert", "funktionieren", "funktionierte", "work", "works", "working"])
_NEGATIONS = frozenset(["nicht", "nich", "nie", "niemals", "kein", "keine", "keinen", "keiner", "nichts", "not", "no", "never", "nothing", "doesnt", "dont", "didnt", "cant", "cannot", "isnt", "wont", "wasnt", "arent"])  # noqa: E501 - data, one word list
NEGATION_WINDOW = 3  # words either side

# No lone "-n": "Termin" would lose its last letter while "Termine" keeps it.
WHOLE, HEAD, TAIL = "whole", "head", "tail"
_SUFFIXES = ("ungen", "ern", "ing", "en", "er", "es", "em", "ed", "e", "s")
# A separable prefix, "ge", and at least four letters ending in "t" (weak verbs: "eingeloggt") or
# five ending in "en" (strong verbs: "hochgeladen"; "angeben", "vorgehen" keep their "ge").
_SEPARABLE_PARTICIPLE = re.compile(
    r"(ab|an|auf|aus|ein|frei|hoch|mit|nach|raus|rein|um|vor|weg|weiter|zu|zurueck)ge(?=[a-z]{3,}t$|[a-z]{3,}en$)")
# Stems of irregular forms that light stemming cannot join: the modal verb of permission.
_IRREGULAR = {"duerf": "darf", "darfst": "darf", "durft": "darf", "duerft": "darf"}
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_JOINERS = re.compile(r"(?<=[a-z0-9])[-‐‑'’](?=[a-z0-9])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_HYPHENS = re.compile(r"[-‐‑]")


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, ß as ss, no accents, words joined by hyphens as one."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _JOINERS.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def stem(word: str) -> str:
    """A light stem for German and English: inflection endings off, at least four letters kept."""
    if word.startswith("ge") and word.endswith("t") and len(word) >= 8:
        word = word[2:-1]  # participles: "geaendert" → "aender", "gesendet" → "sende"
    elif separable := _SEPARABLE_PARTICIPLE.match(word):
        # Separable verbs put "ge" after their prefix: "angezeigt" → "anzeig" as "anzeigen",
        # "hochgeladen" → "hochlad" as "hochladen", "zugelassen" → "zulass" as "zulassen".
        prefix, rest = separable.group(1), word[separable.end():]
        word = prefix + (rest[:-1] if rest.endswith("t") else rest)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "s" and word.endswith("ss"):
                break  # "weiss", "Prozess": the last "s" is the word's, not a plural's
            word = word[: -len(suffix)] + ("ung" if suffix == "ungen" else "")
            break
    return _IRREGULAR.get(word, word)


_GENERIC_STEMS = frozenset(stem(word) for word in _GENERIC)
# Inflected filler words: "Beraters", "Kundinnen", "Nutzern" say as little as "Berater". Built
# from the words themselves, not from stems: the stem of "Nutzer" is also that of "nutzen".
_INFLECTED_STOPWORDS = frozenset(word + ending for word in _STOPWORDS if len(word) >= 4
                                 for ending in ("s", "n", "nen"))


def terms(text: str) -> list[str]:
    """The searchable words of a text, in order, without repetition."""
    seen: dict[str, None] = {}
    words = fold(text).split()
    for position, word in enumerate(words):
        if len(word) < MIN_WORD or word in _STOPWORDS or word in _INFLECTED_STOPWORDS:
            continue
        if word in _UNLESS_NEGATED and not _NEGATIONS.isdisjoint(
                words[max(0, position - NEGATION_WINDOW):position + NEGATION_WINDOW + 1]):
            continue
        seen.setdefault(stem(word), None)
    return list(seen)


@dataclass(frozen=True)
class Match:
    case: Case
    score: float


class SearchIndex:
    """The catalogue's words, weighted by how many cases use them; built once per catalogue."""

    TITLE_WEIGHT = 1.15
    PHRASE_BONUS = 0.6
    MIN_SCORE = 1.2  # below this, nothing fits (one weak typo match is not a hint)
    RELATIVE_CUTOFF = 0.3  # shown matches score at least this share of the best
    GENERIC_WEIGHT = 0.5  # share of a generic word's rarity that counts (_GENERIC)

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.cases = list(catalogue.cases)
        postings: dict[str, dict[int, float]] = {}
        parts: dict[str, dict[int, float]] = {}  # the parts of hyphenated compounds
        self.phrases: list[tuple[int, tuple[str, ...]]] = []  # (case index, its words)
        for index, case in enumerate(self.cases):
            texts = [(text, self.TITLE_WEIGHT) for text in case.title.values()]
            texts += [(text, 1.0) for text in case.all_keywords()]
            for text, weight in texts:
                words = tuple(terms(text))
                if not words:
                    continue
                self.phrases.append((index, words))
                for word in words:
                    cases = postings.setdefault(word, {})
                    cases[index] = max(cases.get(index, 0.0), weight)
                # The parts of a hyphenated compound are words of the case too: "PDF-Vorlage" is
                # found by "pdf", too short to be matched as a compound's beginning. They do not
                # make a word commoner: "Windows-Passwort" does not make "Passwort" less telling.
                for part in terms(_HYPHENS.sub(" ", text)) if _HYPHENS.search(text) else ():
                    parts.setdefault(part, {})
                    parts[part][index] = max(parts[part].get(index, 0.0), weight)
        total = len(self.cases)
        self.idf = {word: math.log(1 + total / len(cases)) for word, cases in postings.items()}
        for part, cases in parts.items():
            self.idf.setdefault(part, math.log(1 + total / len(cases)))
            merged = postings.setdefault(part, {})
            for index, weight in cases.items():
                merged[index] = max(merged.get(index, 0.0), weight)
        self.vocabulary = sorted(postings)
        self.postings = postings
        for word in _GENERIC_STEMS & self.idf.keys():
            self.idf[word] *= self.GENERIC_WEIGHT
        self.phrases_with: dict[str, list[int]] = {}
        for number, (_index, words) in enumerate(self.phrases):
            for word in set(words):
                self.phrases_with.setdefault(word, []).append(number)
        self._similar = lru_cache(maxsize=4096)(self._similar_uncached)

    def _similar_uncached(self, word: str) -> tuple[tuple[str, float, str], ...]:
        """Catalogue words that ``word`` may stand for: (word, how sure 0..1, part).

        ``part`` is HEAD or TAIL when the catalogue word is the first or last part of the query
        word (a compound the agent wrote, "outlooktermin"), else WHOLE.
        """
        from rapidfuzz import fuzz, process

        found: dict[tuple[str, str], float] = {}

        def add(other: str, similarity: float, part: str = WHOLE) -> None:
            found[(other, part)] = max(found.get((other, part), 0.0), similarity)

        if word in self.postings:
            add(word, 1.0)
        if len(word) >= MIN_PART:
            for other, score, _ in process.extract(word, self.vocabulary, scorer=fuzz.partial_ratio,
                                                    score_cutoff=FUZZY_CUTOFF, limit=None):
                similarity, part = _part_similarity(word, other, score)
                if similarity:
                    add(other, similarity, part)
            for other, score, _ in process.extract(word, self.vocabulary, scorer=fuzz.ratio,
                                                    score_cutoff=FUZZY_CUTOFF, limit=None):
                # A typo seldom hits a short word's first letter; "haeng" is not "chang".
                if (min(len(word), len(other)) >= MIN_FUZZY and other != word
                        and (other[0] == word[0] or min(len(word), len(other)) >= 7)):
                    add(other, 0.9 * score / 100)
        return tuple((other, similarity, part) for (other, part), similarity in found.items())

    def search(self, query: str, limit: int = 5) -> list[Match]:
        words = terms(query[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]
        if not words:
            return []
        best_for_word: dict[str, float] = {}  # catalogue word -> best similarity to any query word
        scores = [0.0] * len(self.cases)
        for word in words:
            # Per case: the best single match, or a compound's first and last part together.
            best: dict[str, dict[int, float]] = {WHOLE: {}, HEAD: {}, TAIL: {}}
            # A word the catalogue has is as telling as it is rare, also where it is found inside
            # a rarer compound: "Outlook" does not say "Outlook-Kalender".
            cap = self.idf.get(word, math.inf)
            for other, similarity, part in self._similar(word):
                best_for_word[other] = max(best_for_word.get(other, 0.0), similarity)
                value = similarity * min(self.idf[other], cap)
                for index, weight in self.postings[other].items():
                    best[part][index] = max(best[part].get(index, 0.0), value * weight)
                    if part != WHOLE:
                        best[WHOLE][index] = max(best[WHOLE].get(index, 0.0), value * weight)
            for index, value in best[WHOLE].items():
                both = best[HEAD].get(index, 0.0) + best[TAIL].get(index, 0.0)
                scores[index] += max(value, both if best[HEAD].get(index) and best[TAIL].get(index) else 0.0)
        bonus = [0.0] * len(self.cases)
        seen_phrases = {number for word in best_for_word for number in self.phrases_with.get(word, ())}
        for number in seen_phrases:
            index, phrase = self.phrases[number]
            total = sum(self.idf[word] for word in phrase)
            covered = sum(self.idf[word] * best_for_word.get(word, 0.0) for word in phrase)
            coverage = covered / total
            if coverage >= 0.7:
                bonus[index] = max(bonus[index], self.PHRASE_BONUS * coverage * covered)
        ranked = sorted(((scores[i] + bonus[i], i) for i in range(len(self.cases)) if scores[i] > 0),
                        key=lambda item: (-item[0], item[1]))
        if not ranked or ranked[0][0] < self.MIN_SCORE:
            return []
        top = ranked[0][0]
        return [Match(self.cases[i], round(score, 3)) for score, i in ranked[:limit]
                if score >= top * self.RELATIVE_CUTOFF]


def _part_similarity(word: str, other: str, partial: float) -> tuple[float, str]:
    """How surely ``word`` means ``other`` when one is (almost) contained in the other."""
    shorter, longer = sorted((word, other), key=len)
    if len(shorter) < MIN_PART or shorter == longer:
        return 0.0, WHOLE
    part = WHOLE if shorter is word else None
    if part is None and len(longer) - len(shorter) < MIN_REST:
        part = WHOLE  # what is left is an ending ("benutz|t"), not a compound's other word
    # German compounds put whole words first or last ("Drucker|einstellungen"); a word found in
    # the middle ("rein" in "druckereinstellung") is chance, not meaning.
    if longer.startswith(shorter):
        return 0.85, part or HEAD  # "kalend" in "kalendersync", "termin" in "terminbestaetigung"
    if longer.endswith(shorter):
        # The query word holds a catalogue word (a compound the agent wrote) or the other way round.
        return (0.8, TAIL) if part is None else (0.7, WHOLE)
    if partial >= 90 and len(shorter) >= 7 and shorter[:2] in longer:
        return 0.65 * partial / 100, WHOLE  # a compound part with a typo
    return 0.0, WHOLE


_indexes: weakref.WeakKeyDictionary[Catalogue, SearchIndex] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index_for(catalogue: Catalogue) -> SearchIndex:
    """The catalogue's index, built on first use (may be warmed in a background thread)."""
    with _lock:
        index = _indexes.get(catalogue)
        if index is None:
            index = _indexes[catalogue] = SearchIndex(catalogue)
        return index


def search(catalogue: Catalogue, query: str, limit: int = 5) -> list[Match]:
    return index_for(catalogue).search(query, limit)
