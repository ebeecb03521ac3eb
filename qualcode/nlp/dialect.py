"""Word keys for matching spoken Norwegian: dialect forms, stop words, a light stemmer.

Transcripts are verbatim: *ikkje*, *æ*, *eg*, *ka*, *veit*, *heim*, *kvardag*. The models are
trained on written Bokmål and leave such words alone, so matching (keywords, lemma search,
vocabulary) goes through :func:`normalise`, a small table from dialect and Nynorsk forms to
Bokmål lemmas. It is a matching aid, not a translation: it never changes the stored text.

Basic mode has no lemmatiser; :func:`stem` strips common inflection endings so that *håpet*,
*håper* and *håp* share the key ``håp`` (and *håpløs* keeps its own).

Lemma search (:mod:`.search`) also uses :data:`FORMS` (strong verbs and participles: *ødela*,
*ødelagte* → *ødelegge*), :func:`roots` (a verb meets its noun: *skammet* → *skam*),
:func:`read_e` (North Norwegian *e* as *er* or *jeg* by its neighbours), :func:`strip_glued`
(*eg.* at a sentence end) and the prefixes and derivational endings that tell a compound or a
derivation from a word that merely begins or ends the same way.
"""

from __future__ import annotations

import unicodedata

# Dialect and Nynorsk forms -> the Bokmål lemma they stand for (lowercase).
DIALECT: dict[str, str] = {
    # pronouns
    "æ": "jeg", "eg": "jeg", "e": "jeg", "je": "jeg", "mæ": "meg", "mæg": "meg", "dæ": "deg",
    "sæ": "seg", "ho": "hun", "hu": "hun", "dokker": "dere", "dokk": "dere", "dykk": "dere",
    "dykkar": "deres", "mi": "min", "mitt": "min", "mine": "min", "sjøl": "selv", "sjølv": "selv",
    "me": "vi", "dei": "de", "dem": "de", "kvarandre": "hverandre",
    # question words and small words
    "ka": "hva", "kva": "hva", "kor": "hvor", "korleis": "hvordan", "koffer": "hvorfor",
    "kvifor": "hvorfor", "kem": "hvem", "kven": "hvem", "åssen": "hvordan",
    "ikkje": "ikke", "ikkj": "ikke", "itj": "ikke", "ittj": "ikke", "inkje": "ikke",
    "berre": "bare", "bære": "bare", "no": "nå", "nu": "nå", "då": "da", "òg": "også", "au": "også",
    "mykje": "mye", "noko": "noe", "nokon": "noen", "nokre": "noen", "ein": "en", "eit": "et",
    "att": "igjen", "igjæn": "igjen", "ijen": "igjen", "heilt": "helt", "aleine": "alene",
    "åleine": "alene", "saman": "sammen", "frå": "fra", "ifrå": "fra", "utan": "uten",
    # verbs
    "veit": "vite", "vet": "vite", "trur": "tro", "trudde": "tro", "trudd": "tro", "kjem": "komme",
    "kom": "komme", "kjende": "kjenne", "vart": "bli", "vorte": "bli",
    "blei": "bli", "vore": "være", "vere": "være", "høyre": "høre", "høyrer": "høre",
    "høyrde": "høre", "høyrt": "høre", "fortalde": "fortelle", "fortelje": "fortelle",
    "fortel": "fortelle", "sei": "si", "seie": "si", "seier": "si", "sa": "si", "gjere": "gjøre",
    "gjer": "gjøre", "tenkje": "tenke", "tenkjer": "tenke", "snakka": "snakke", "laga": "lage",
    "merka": "merke", "venta": "vente", "mista": "miste", "blanda": "blande", "klara": "klare",
    "prata": "prate", "håpa": "håpe", "håpar": "håpe", "forandra": "forandre", "endra": "endre",
    "jobba": "jobbe", "budde": "bo", "bur": "bo", "ska": "skulle", "sku": "skulle", "fekk": "få",
    "såg": "se", "gjekk": "gå", "stod": "stå", "tek": "ta", "tok": "ta", "teke": "ta",
    # nouns and adjectives
    "kvardag": "hverdag", "kvardagen": "hverdag", "heim": "hjem", "heime": "hjemme",
    "vener": "venn", "pårørande": "pårørende", "framtida": "framtid", "fremtid": "framtid",
    "fremtida": "framtid", "skamma": "skam", "ungane": "unge", "ungar": "unge", "eigen": "egen",
    "eige": "egen", "eigne": "egen", "eiga": "egen", "gong": "gang", "gonger": "gang",
    "gongen": "gang", "draum": "drøm", "draumen": "drøm", "mora": "mor", "kjæraste": "kjæreste",
    "sjølrespekt": "selvrespekt", "sjølvrespekt": "selvrespekt", "fleire": "flere", "betre": "bedre",
    "sida": "side", "sia": "side", "dama": "dame", "jenta": "jente", "kona": "kone", "søstera": "søster",
    "dattera": "datter", "boka": "bok", "uka": "uke", "tida": "tid",
}

# Bokmål forms no light stemmer brings to their lemma (strong and irregular verbs), and
# participles a model leaves as adjectives (*ødelagte*): for lemma search, in basic mode and with
# a model. ``sa``, ``kom``, ``tok``, ``vet`` are in DIALECT already.
FORMS: dict[str, str] = {
    "er": "være", "var": "være", "vært": "være", "har": "ha", "hadde": "ha", "hatt": "ha",
    "blir": "bli", "ble": "bli", "blitt": "bli", "går": "gå", "gikk": "gå", "gått": "gå",
    "sier": "si", "sagt": "si", "tror": "tro", "trodde": "tro", "trodd": "tro", "gjør": "gjøre",
    "gjorde": "gjøre", "gjort": "gjøre", "får": "få", "fikk": "få", "fått": "få", "tar": "ta",
    "tatt": "ta", "visste": "vite", "gir": "gi", "ga": "gi", "gav": "gi", "gitt": "gi",
    "kommet": "komme", "fant": "finne", "funnet": "finne", "står": "stå",
    "sto": "stå", "stod": "stå", "stått": "stå", "lå": "ligge", "ligget": "ligge", "drar": "dra",
    "dro": "dra", "dratt": "dra", "sov": "sove", "sovet": "sove", "brøt": "bryte", "brutt": "bryte",
    "hjalp": "hjelpe", "hjulpet": "hjelpe", "forstår": "forstå", "forsto": "forstå",
    "forstod": "forstå", "forstått": "forstå", "skrev": "skrive", "skrevet": "skrive",
    "ødela": "ødelegge", "ødelagt": "ødelegge", "ødelagte": "ødelegge", "valgte": "velge",
    "valgt": "velge", "solgte": "selge", "solgt": "selge", "fortalte": "fortelle",
    "fortalt": "fortelle", "spør": "spørre", "spurte": "spørre", "spurt": "spørre",
    "følt": "føle", "glemt": "glemme", "kjent": "kjenne", "trengt": "trenge", "mistet": "miste",
    "slapp": "slippe", "sluppet": "slippe", "forsvant": "forsvinne", "forsvunnet": "forsvinne",
}

# North Norwegian *e* is *er* (det e bra, ho e flink, e du sikker?) or *jeg* (e trur, det sa e):
# :func:`read_e` reads it by its neighbours.
_E_SUBJECTS = frozenset({
    "det", "den", "dette", "denne", "ho", "hu", "han", "hun", "vi", "me", "dokker", "dokk", "dykk",
    "dere", "dem", "dæm", "de", "dei", "du", "æ", "eg", "jeg", "man", "en", "alt", "alle",
    "som", "ingen", "nokon", "noen", "folk", "ting", "hva", "ka", "kva", "kem", "kven", "hvem",
})
_E_FINITE = frozenset({
    "e", "er", "var", "tror", "trur", "trudde", "trodde", "veit", "vet", "visste", "har", "hadde",
    "ska", "skal", "sku", "skulle", "kan", "kunne", "vil", "ville", "må", "måtte", "sa", "sier",
    "seier", "tenkte", "tenker", "tenkjer", "syns", "synes", "synst", "føler", "følte", "kjenner",
    "kjente", "kjende", "gikk", "gjekk", "går", "kom", "kjem", "kommer", "fekk", "fikk", "får",
    "gjorde", "gjer", "gjør", "vart", "blei", "ble", "blir", "bor", "bur", "budde", "hørte",
    "høyrde", "hører", "høyrer", "likte", "liker", "håper", "håpar", "håpa", "jobba", "jobber",
    "prøvde", "prøver", "prøvd", "mener", "meiner", "meinte", "mente", "husker", "huska", "hugsa",
    "hugsar", "lurer", "lurte", "savner", "savna", "skjønte", "skjønner", "skjønna", "forsto",
    "forstod", "angrer", "angra", "trengte", "trenger", "treng", "klarte", "klarer", "klara",
    "snakka", "snakket", "fortalte", "sitter", "satt", "tok", "tek", "tar", "hadd",
})
_E_OPENERS = frozenset({
    "no", "nå", "nu", "så", "da", "då", "her", "der", "kanskje", "også", "òg", "au", "nok",
    "alltid", "aldri", "ofte", "heller", "sjøl", "selv", "idag", "igjen", "bare", "berre", "jo",
})
_CONJUNCTIONS = frozenset({
    "og", "men", "at", "fordi", "når", "om", "viss", "hvis", "før", "etter", "mens", "enn",
    "eller", "for", "sia", "siden",
})

_VERB_TAGS = frozenset({"VERB", "AUX"})
_SUBJECT_TAGS = frozenset({"PRON", "NOUN", "PROPN", "DET"})


def read_e(before: str | None, after: str | None, before_tag: str = "", after_tag: str = "") -> str:
    """The Bokmål lemma North Norwegian *e* stands for here: ``"være"`` or ``"jeg"``.

    ``before``/``after`` are the neighbouring words of the sentence (None at its edges), folded;
    a neighbour that is itself an *e* is given as it was read (``"er"`` or ``"jeg"``). The tags
    are the model's POS, empty in basic mode. *e* after a finite verb is the subject (det trur
    e); after a subject it is the verb (det e bra); first in a sentence it is *jeg* before a verb
    (e trur) and *er* before a subject (e du sikker?); after an adverb that opens the sentence it
    is the verb (no e det bra); after a conjunction, *jeg* (og e veit ikkje).
    """
    if before is not None and (before in _E_FINITE or (before_tag in _VERB_TAGS and before not in _E_SUBJECTS)):
        return "jeg"
    if before is not None and (before in _E_SUBJECTS or (before_tag in _SUBJECT_TAGS and before not in _E_OPENERS)):
        return "være"
    if before is not None and (before in _E_OPENERS or before_tag == "ADV"):
        return "være"
    if after is not None and (after in _E_FINITE or after_tag == "VERB"):
        return "jeg"
    if before is None:
        return "være" if after in _E_SUBJECTS else "jeg"
    return "jeg" if before_tag in ("CCONJ", "SCONJ") or before in _CONJUNCTIONS else "være"


# Parts a word may begin with that make a derivation, not a compound (*forhold*, *tilstand*).
PREFIXES = frozenset({
    "for", "fore", "til", "sam", "inn", "opp", "ned", "mis", "mot", "fra", "van", "vel", "over",
    "under", "gjen", "sammen", "ut", "be", "an", "av", "bi", "er", "ge", "om", "på", "u",
})
# Derivational endings: *håpløs*, *håpefull*, *trofast*, *troverdig*, *forandring*, *skuffelse*.
DERIVATIONS = (
    "løs", "full", "fast", "verdig", "skap", "het", "else", "ing", "ning", "elig", "lig", "ig",
    "som", "dom", "bar", "aktig", "messig",
)


def undouble(word: str) -> str:
    """A final double consonant as one: ``skamm`` → ``skam`` (four letters or more)."""
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouyæøå":
        return word[:-1]
    return word


def roots(key: str) -> frozenset[str]:
    """The roots a lemma shares with its noun or verb: ``skamme`` → ``skamm``, ``skam``;
    ``håpe`` → ``håp``; ``skam`` → ``skam``. A verb's double consonant is also read single,
    since the noun writes it so (*skam*, *drøm*)."""
    base = family(key)
    return frozenset({base, undouble(base)}) if base != key else frozenset({key})


def strip_glued(form: str) -> str:
    """A word without the full stop the tokeniser kept on it as on an abbreviation: ``eg.`` at
    the end of a sentence (*det trur eg.*) → ``eg``; anything else as it is."""
    if len(form) >= 2 and form.endswith(".") and form[:-1].isalpha():
        return form[:-1]
    return form


# A keyword's ``seg`` stands for any reflexive (kjenne seg igjen: kjente meg igjen); ``sin`` and
# ``min`` for any possessive (min egen historie: sin egen historie).
REFLEXIVES = frozenset({
    "seg", "meg", "deg", "oss", "dere", "dykk", "dokker", "dokk", "mæ", "dæ", "sæ", "mæg",
    "sjøl", "selv", "seg selv", "seg sjøl",
})
POSSESSIVES = frozenset({
    "min", "mi", "mitt", "mine", "din", "di", "ditt", "dine", "sin", "si", "sitt", "sine",
    "vår", "vårt", "våre", "deres", "dykkar", "hans", "hennes", "hennar", "min egen",
})
REFLEXIVE_SLOT = "<seg>"
POSSESSIVE_SLOT = "<sin>"
_SLOTS = {"seg": REFLEXIVE_SLOT, "sin": POSSESSIVE_SLOT, "sitt": POSSESSIVE_SLOT,
          "sine": POSSESSIVE_SLOT, "min": POSSESSIVE_SLOT, "mitt": POSSESSIVE_SLOT,
          "mine": POSSESSIVE_SLOT}

# Spoken fillers and dialect function words, beside spaCy's Norwegian stop words.
_SPOKEN_STOP = {
    "eh", "ehm", "æh", "øh", "hm", "hmm", "mm", "mhm", "ja", "jo", "nei", "neida", "jada", "jaja",
    "liksom", "sånn", "sånt", "sånne", "altså", "asså", "ass", "da", "nå", "vel", "bare", "egentlig",
    "faktisk", "kanskje", "litt", "veldig", "helt", "mye", "masse", "ting", "tingen", "tinga",
    "æ", "eg", "ikkje", "ka", "kva", "ho", "hu", "dem", "berre", "då", "òg", "ein", "eit", "noko",
    "nokon", "mykje", "heilt", "kor", "korleis", "sjøl", "dokker", "me", "dei", "vart", "vore",
    "trur", "veit", "vite", "si", "sier", "sa", "tenke", "tenker", "tenkte", "mene", "gjøre", "få",
    "kunne", "skulle", "ville", "måtte", "være", "ha", "bli", "hva", "hvor", "hvem", "hvordan",
    "hvorfor", "hvis", "fordi", "selv", "jeg", "du", "han", "hun", "vi", "dere", "de", "meg", "deg",
    "seg", "oss", "min", "din", "sin", "mitt", "ditt", "sitt", "mine", "dine", "sine", "vår",
    "ikke", "også", "mer", "enn", "hele", "hel", "gå", "går", "ok", "okei", "åja", "javel",
    "ehh", "mmm", "ikkj", "itj", "an", "det", "den", "dette", "disse", "noe", "noen", "man", "en", "et",
    "ei", "mens", "nok", "sikkert", "skikkelig", "kjempe", "på", "i",
    # light verbs in their common forms (lemmas of these are stop words already)
    "ga", "gav", "gir", "gitt", "hatt", "vært", "blitt", "kommet", "gått", "trodde", "tenkt",
    "sagt", "visst", "gjort", "tatt", "fått", "sto", "står", "stått", "lå", "ligger",
    # numbers in words: frequent in speech, never what a theme is about
    "null", "én", "ett", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni", "ti",
    "elleve", "tolv", "tjue", "hundre", "tusen", "halv", "halvt",
}


def fold(word: str) -> str:
    """Lowercase and NFC: the base of every key (keeps æ, ø, å)."""
    return unicodedata.normalize("NFC", word.casefold())


def normalise(word: str) -> str:
    """The Bokmål lemma a dialect form stands for, or the folded word itself."""
    folded = fold(word)
    return DIALECT.get(folded, folded)


_ENDINGS = (
    "heten", "hetene", "elsen", "ingen", "ingene", "ende", "ande", "ene", "ane", "ert", "ete",
    "er", "ar", "et", "en", "te", "de", "a", "e",
)


def stem(word: str) -> str:
    """A light Norwegian stem for basic mode: ``håpet``/``håper``/``håpe`` → ``håp``.

    Strips one inflection ending when at least three letters remain and folds a final double
    consonant (``kjenne`` and ``kjente`` → ``kjen``). Compounds and derivations keep their own
    stem (``håpløs``), as the lemma search promises.
    """
    w = normalise(word)
    if len(w) >= 4:
        for ending in _ENDINGS:
            if w.endswith(ending) and len(w) - len(ending) >= 3:
                w = w[: -len(ending)]
                break
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiouyæøå":
        w = w[:-1]
    return w


def slot(word: str) -> str | None:
    """The wildcard a keyword word stands for (``seg`` → any reflexive), or None."""
    return _SLOTS.get(fold(word))


def fills(slot_name: str, word: str) -> bool:
    """Does a word of the text fill a keyword's reflexive or possessive slot?"""
    folded = fold(word)
    if slot_name == REFLEXIVE_SLOT:
        return folded in REFLEXIVES
    if slot_name == POSSESSIVE_SLOT:
        return folded in POSSESSIVES
    return False


_stop_cache: frozenset[str] | None = None


def stop_words() -> frozenset[str]:
    """spaCy's Norwegian stop words, spoken fillers and dialect function words."""
    global _stop_cache
    if _stop_cache is None:
        try:
            from spacy.lang.nb.stop_words import STOP_WORDS
        except ImportError:  # pragma: no cover - spaCy is a dependency
            STOP_WORDS = set()
        _stop_cache = frozenset({fold(w) for w in STOP_WORDS} | _SPOKEN_STOP)
    return _stop_cache


def is_stop(word: str) -> bool:
    folded = fold(word)
    return folded in stop_words() or DIALECT.get(folded, "\0") in stop_words()



def is_word(text: str) -> bool:
    """A token with a letter in it (not punctuation, not a number alone)."""
    return any(ch.isalpha() for ch in text)


def family(key: str) -> str:
    """A verb's key without its infinitive ``-e``, so the verb meets its noun: ``håpe`` → ``håp``.

    Only where the rest is not a stop word (``mene`` keeps its ``e``, or it would meet *men*).
    """
    if len(key) >= 4 and key.endswith("e") and not key.endswith("ee"):
        rest = key[:-1]
        if rest not in stop_words():
            return rest
    return key
