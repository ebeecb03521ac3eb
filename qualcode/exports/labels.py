"""The words an export writes itself, in Norwegian Bokmål (``nb``) or English (``en``).

Headings, column headers, fixed labels and counts follow the export's language; what comes from
the project (theme names, roles, group names, the participants' words) is shown as it is. A count
is always a number and its noun, agreeing with it: ``1 enhet``, ``2 enheter``; ``1 unit``,
``2 units``, never ``unit(s)`` or a bare number after a name (``Fokusgruppe 1 9``).

The language is chosen with ``--lang``; without it, the project's ``language`` (or the
codebook's, ``codebook_language``) in the project file's meta table, else Bokmål.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
# What a document says its language is (w:lang, the HTML lang attribute, the core properties).
LOCALE = {"nb": "nb-NO", "en": "en-GB"}

# noun: (nb singular, nb plural, en singular, en plural)
_NOUNS = {
    "unit": ("enhet", "enheter", "unit", "units"),
    "meaning unit": ("meningsbærende enhet", "meningsbærende enheter", "meaning unit", "meaning units"),
    "transcript": ("transkripsjon", "transkripsjoner", "transcript", "transcripts"),
    "coder": ("koder", "kodere", "coder", "coders"),
    "name": ("navn", "navn", "name", "names"),
}

# key: (nb, en); ``{}`` fields are filled with str.format.
_TEXTS: dict[str, tuple[str, str]] = {
    # every export's header
    "project": ("Prosjekt", "Project"),
    "units": ("Enheter", "Units"),
    "exported": ("Eksportert {when} UTC med qualcode", "Exported: {when} UTC by qualcode"),
    "all coders": ("alle kodere", "all coders"),
    "coder x": ("koder {x}", "coder {x}"),
    "theme x": ("tema {x}", "theme {x}"),
    "role x": ("rolle {x}", "role {x}"),
    "starred only": ("bare stjernemerkede enheter", "starred units only"),
    "consensus note": (
        "Kodere: konsensuslaget (koder «{c}», laget ved avstemming) er brukt som standard; velg en annen "
        "med --coder, eller alle kodere med --all-coders",
        "Coders: the consensus layer (coder '{c}', made by reconciling) is used by default; choose another "
        "with --coder, or every coder with --all-coders"),
    "coders together": (
        "Kodere: enhetene til {n} kodere ({names}) er talt sammen, så et avsnitt to kodere har kodet, telles "
        "to ganger; velg én med --coder (etter avstemming: --coder {c})",
        "Coders: the units of {n} coders ({names}) are counted together, so a passage two coders coded counts "
        "twice; choose one with --coder (after reconciling: --coder {c})"),
    "deid none": ("Avidentifisert: ingen navn å skjule ble funnet eller lagt inn",
                  "De-identified: no names to hide were found or listed"),
    "deid reviewed": ("Avidentifisert: {n} gjennomgåtte navn skjult", "De-identified: {n} reviewed name(s) hidden"),
    "deid pending": (
        "; {n} navn som ikke er gjennomgått ennå, er også skjult og merket med «?» (f.eks. [Navn 1?]); gå "
        "gjennom dem med «qualcode names» eller navneskjermen i arbeidsbenken",
        "; {n} name(s) not reviewed yet also hidden, tagged with '?' (e.g. [Navn 1?]); review them with "
        "'qualcode names' or the workbench's names screen"),
    "identifiable": (
        "IKKE AVIDENTIFISERT: denne eksporten ble laget med --no-deid og inneholder navn og andre "
        "opplysninger prosjektet skjuler. Oppbevar den der personvernreglene tillater det; ikke del den.",
        "NOT DE-IDENTIFIED: this export was made with --no-deid and contains names and other details "
        "the project hides. Keep it where your data-protection rules allow; do not share it."),
    "none match": ("Ingen meningsbærende enheter passer til dette utvalget.",
                   "No meaning units match this selection."),
    # citing a unit
    "participant": ("deltaker", "participant"),
    "turn": ("tur", "turn"),
    "characters": ("tegn", "characters"),
    "unit coded": ("enhet {id} kodet {code} av {coder}", "unit {id} coded {code} by {coder}"),
    "unit ref": ("enhet {id}", "unit {id}"),
    "units ref": ("enheter {ids}", "units {ids}"),
    "condensed meaning": ("Kondensert mening", "Condensed meaning"),
    # the summary
    "theme summary": ("Temaoversikt", "Theme summary"),
    "themes x roles": ("Temaer × roller", "Themes × roles"),
    "themes x groups": ("Temaer × fokusgrupper", "Themes × focus groups"),
    "theme": ("Tema", "Theme"),
    "total": ("Totalt", "Total"),
    "all units": ("Alle enheter", "All units"),
    "no role": ("(ingen rolle)", "(no role)"),
    "no group": ("(ingen gruppe)", "(no group)"),
    "definition": ("Definisjon", "Definition"),
    "by role": ("Etter rolle", "By role"),
    "by group": ("Etter fokusgruppe", "By focus group"),
    "distinctive words": ("Særpregede ord", "Distinctive words"),
    "none": ("ingen", "none"),
    "units in": ("{units} i {transcripts}", "{units} in {transcripts}"),
    "including subthemes": ("medregnet undertemaene", "including subthemes"),
    "matrix note": (
        "Tallene er kodede meningsbærende enheter; et temas rad tar med enhetene i undertemaene. Enhetene til "
        "flere kodere telles alle, med mindre eksporten valgte én koder.",
        "Counts are coded meaning units; a theme's row includes its subthemes' units. Several coders' units "
        "are all counted unless the export chose one coder."),
    "words left out": ("Særpregede ord er utelatt (--no-words).", "Distinctive words left out (--no-words)."),
    "words need nlp": ("Særpregede ord krever NLP-laget, som ikke er tilgjengelig her.",
                       "Distinctive words need the NLP layer, which is not available here."),
    "words unavailable": ("Særpregede ord er ikke tilgjengelige: {why}", "Distinctive words not available: {why}"),
    "chart title": ("Meningsbærende enheter per tema, etter rolle", "Meaning units per theme, by role"),
    "chart axis": ("meningsbærende enheter", "meaning units"),
    "chart legend": ("rolle", "role"),
    "chart empty": ("ingen meningsbærende enheter ennå", "no meaning units yet"),
    "chart fallback": ("Figuren som bilde (PNG)", "The chart as an image (PNG)"),
    # quotes
    "quotes": ("Sitater", "Quotes"),
    "quotes intro": (
        "Sitater på opptil {n} ord står i anførselstegn «…» til bruk i løpende tekst; lengre sitater er "
        "blokksitater. {omission} markerer utelatte ord (en annen deltakers innskudd). Sitatene tilskrives "
        "rolle og fokusgruppe. Kilden til hvert sitat (transkripsjon, tur, tidspunkt, tegnposisjoner) står i "
        "en kommentar (Word) eller fotnote (Markdown), så den holdes utenfor artikkelen.",
        "Quotes of up to {n} words stand in guillemets «…» for use in running text; longer ones are block "
        "quotes. {omission} marks words left out (another speaker's interjection). Attribution is by role and "
        "focus group. The source of each quote (transcript, turn, timestamp, offsets) is in a comment (Word) or "
        "footnote (Markdown), so it stays out of the article."),
    # the units table (XLSX)
    "units sheet": ("Enheter", "Units"),
    "about sheet": ("Om eksporten", "About"),
    "offsets note": ("start og slutt er tegnposisjoner i den lagrede transkripsjonen (se «qualcode show»).",
                     "start and end are character offsets into the stored transcript (see 'qualcode show')."),
    # the framework matrix
    "framework": ("Rammeverksmatrise", "Framework matrix"),
    "framework sheet": ("Matrise", "Matrix"),
    "row speaker": ("Deltaker", "Speaker"),
    "row group": ("Fokusgruppe", "Focus group"),
    "row role": ("Rolle", "Role"),
    "framework note condensed": (
        "Hver celle viser den kondenserte meningen til radens enheter i temaet (et kort utdrag der en enhet "
        "ikke har noen), hver med henvisning til enheten: transkripsjon, tur og enhetsnummer. Utdrag står i «…».",
        "Each cell gives the condensed meanings of the row's units in the theme (a short excerpt where a unit "
        "has none), each with its unit's reference: transcript, turn and unit number. Excerpts stand in «…»."),
    "framework note excerpt": (
        "Hver celle viser korte utdrag av radens enheter i temaet, hver med henvisning til enheten: "
        "transkripsjon, tur og enhetsnummer.",
        "Each cell gives short excerpts of the row's units in the theme, each with its unit's reference: "
        "transcript, turn and unit number."),
    "no speaker": ("(uten taletur)", "(outside any turn)"),
}

# The units table's column headers (units.py's _COLUMNS, by attribute).
UNIT_COLUMNS_NB = {
    "id": "enhet", "transcript": "transkripsjon", "title": "tittel", "group": "gruppe", "turn": "tur",
    "speaker": "taler", "role": "rolle", "timestamp": "tidspunkt", "start": "start", "end": "slutt",
    "text": "tekst", "condensed": "kondensert mening", "theme": "tema", "subtheme": "undertema", "code": "kode",
    "code_path": "kodesti", "coder": "koder", "memo": "notat", "starred": "stjerne",
}


def check_language(lang: str) -> str:
    """``lang`` if qualcode writes it (``nb``, ``en``), else a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown export language {lang!r}: use {' or '.join(LANGUAGES)}")
    return lang


def normalise_language(value: str | None) -> str | None:
    """``nb``/``en`` from how a project may spell a language (``nb-NO``, ``no``, ``nn``, ``English``);
    ``None`` for anything else."""
    if not value:
        return None
    v = value.strip().lower().replace("_", "-")
    if v.startswith(("nb", "no", "nn", "norsk", "bokm", "norw")):
        return "nb"
    if v.startswith(("en", "eng")):
        return "en"
    return None


def project_language(project: Any) -> str:
    """The project's language for exports: its ``language``, else its codebook's, else Bokmål."""
    meta = getattr(project, "meta", None)
    if callable(meta):
        for key in ("language", "codebook_language"):
            found = normalise_language(meta(key))
            if found:
                return found
    return DEFAULT_LANGUAGE


class Labels:
    """The fixed words of one export, in one language: ``labels["theme"]``, ``labels.count(3, "unit")``."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = check_language(lang)
        self._i = 0 if lang == "nb" else 1

    @property
    def locale(self) -> str:
        return LOCALE[self.lang]

    def __getitem__(self, key: str) -> str:
        return _TEXTS[key][self._i]

    def text(self, key: str, **fields: Any) -> str:
        return _TEXTS[key][self._i].format(**fields)

    def noun(self, n: int, noun: str) -> str:
        forms = _NOUNS[noun]
        return forms[2 * self._i + (0 if n == 1 else 1)]

    def count(self, n: int, noun: str) -> str:
        """``1 enhet``, ``2 enheter``; ``1 unit``, ``2 units``."""
        return f"{n} {self.noun(n, noun)}"

    def counts(self, counts: dict[str, int], order: list[str], noun: str = "unit") -> str:
        """``Fokusgruppe 1: 1 enhet; Fokusgruppe 2: 3 enheter``: every non-zero count named, in order."""
        shown = [f"{k}: {self.count(counts[k], noun)}" for k in order if counts.get(k)]
        return "; ".join(shown) or self["none"]

    def deidentified(self, enabled: bool, reviewed: int, unreviewed: int) -> str:
        """The header line about de-identification (the store's ``Redactor.describe``, in this language)."""
        if not enabled:
            return self["identifiable"]
        if not reviewed and not unreviewed:
            return self["deid none"]
        line = self.text("deid reviewed", n=reviewed)
        if unreviewed:
            line += self.text("deid pending", n=unreviewed)
        return line
