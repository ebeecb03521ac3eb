"""Write the transcriber fixtures in this folder (run from the repository root; see README.md).

Each writer below imitates, step by step, how the tool writes its files (read from the tool's
source; no code of theirs is copied), fed with one invented focus group in Norwegian: a moderator
and three participants, 21 Whisper-like segments with times, one overlap, a short and a long
pause, and one line Whisper invents in the silence at the end.

    .venv/bin/python tests/data/transcribers/make_fixtures.py
"""

from __future__ import annotations

import html
import json
import time
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent

M, P1, P2, P3 = "moderator", "p1", "p2", "p3"

# (who, start, end, text): Whisper's segments, text with Whisper's leading space.
SEGMENTS = [
    (M, 0.00, 4.20, " Velkommen, alle sammen, og takk for at dere ville være med."),
    (M, 4.20, 8.90, " Vi skal snakke om hvordan det har vært å komme tilbake til jobb etter sykemeldingen."),
    (M, 9.10, 11.40, " Hvem vil begynne?"),
    (P1, 13.90, 18.60, " Jeg kan begynne. Det første jeg merket var at jeg var veldig sliten."),
    (P1, 18.60, 23.10, " Jeg gikk hjem og la meg rett etter middag hver dag den første uka."),
    (P2, 23.40, 24.20, " Ja, ikke sant."),  # said over P1
    (P1, 24.30, 28.70, " Men det ble bedre etter hvert, når jeg fikk jobbe halv dag."),
    (M, 29.50, 33.80, " Hva var det som gjorde det lettere, tror du?"),
    (P1, 34.60, 39.90, " At sjefen min var tydelig på at jeg ikke trengte å ta igjen alt på en gang."),
    (P3, 40.80, 46.20, " For meg var det helt motsatt. Jeg følte at alle ventet på at jeg skulle være den samme"),
    (P3, 46.20, 50.50, " som før, og det var jeg jo ikke. Jeg er vel ikke det nå heller."),
    (M, 51.00, 53.20, " Kjenner dere andre dere igjen i det?"),
    (P2, 54.10, 59.80, " Ja, veldig. Jeg hadde en kollega som spurte hver dag om jeg var frisk nå."),
    (P2, 59.80, 64.00, " Det var sikkert godt ment, men det ble en slags press."),
    (P3, 76.50, 80.20, " Det er det som er vanskelig å forklare for folk."),
    (M, 80.90, 86.40, " Hvis dere skulle gi ett råd til arbeidsgivere, hva ville det vært?"),
    (P1, 87.20, 92.60, " Snakk med den som kommer tilbake, ikke om dem."),
    (P2, 93.00, 97.30, " Og la det ta tid. Det er ikke en rett linje."),
    (P3, 97.80, 101.10, " Enig. Og spør heller én gang for mye enn én gang for lite."),
    (M, 101.90, 105.60, " Tusen takk. Da avslutter vi der."),
    (None, 112.00, 115.00, " Teksting av Nicolai Winther"),  # Whisper, in the silence after the end
]
OVERLAPPING = {5}  # P2's "Ja, ikke sant." while P1 speaks

# --- noScribe 0.7.2 (noScribe/main.py, _process_single_job and utils.py) ----------------------

NOSCRIBE = {M: "S02", P1: "S00", P2: "S03", P3: "S01"}  # numbered by pyannote, not by turn order
AUDIO = "C:/Users/ingrid/Documents/Prosjekt Arbeidsliv/Lydopptak/Fokusgruppe 2 Solbakken.mp3"
UI = {  # two interface languages (trans/noScribe.en.yml, noScribe.de.yml)
    "en": {"doc_header": "Transcribed with noScribe vers. 0.7.2", "audio": "Audio file: ",
           "language": "Language:", "speaker": "Speaker detection:", "overlapping": "Overlapping speech:",
           "timestamps": "Timestamps:", "disfluencies": "Disfluencies:", "pause": "Mark pause:",
           "pause_seconds": "({} seconds pause)", "pause_minutes": "({} minute[s] pause)"},
    "de": {"doc_header": "Transkribiert mit noScribe Vers. 0.7.2", "audio": "Audiodatei: ",
           "language": "Sprache:", "speaker": "Sprecher:in erkennen:", "overlapping": "Überlappende Sprache:",
           "timestamps": "Zeitmarken:", "disfluencies": "Füllworte:", "pause": "Pausen markieren:",
           "pause_seconds": "({} Sekunden Pause)", "pause_minutes": "({} Minute[n] Pause)"},
}
HEAD = "\n".join([  # default_html's head, as asHTML() writes it (trailing blanks included)
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN" "http://www.w3.org/TR/REC-html40/strict.dtd">',
    "<html >",
    "<head >",
    '<meta charset="UTF-8" />',
    '<meta name="qrichtext" content="1" />',
    '<style type="text/css" >',
    "p, li { white-space: pre-wrap; }",
    "</style>",
    '<style type="text/css" > ',
    " p { font-size: 0.9em; } ",
    ' .MsoNormal { font-family: "Arial"; font-weight: 400; font-style: normal; font-size: 0.9em; }',
    " @page WordSection1 {mso-line-numbers-restart: continuous; mso-line-numbers-count-by: 1; "
    "mso-line-numbers-start: 1; }",
    " div.WordSection1 {page:WordSection1;} ",
    "</style>",
    "",
])


def ms_to_str(ms: int) -> str:
    seconds, _ = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def noscribe_body(lang: str, *, vtt: bool = False) -> list[list[tuple[str, str]]]:
    """The paragraphs of the document as lists of (anchor name, inner HTML), built segment by
    segment as on_segment() does: pauses of a second or more, overlapping speech, a timestamp at
    each change of speaker and then every 60 s. A .vtt job has pauses, overlaps and timestamps
    switched off and leaves the label out."""
    ui = UI[lang]
    paragraphs: list[list[tuple[str, str]]] = [[]]  # the empty <p> made after the header
    speaker = prev_speaker = ""
    last_end = last_stamp = 0
    first = True
    for index, (who, start_s, end_s, text) in enumerate(SEGMENTS):
        start, end = round(start_s * 1000), round(end_s * 1000)
        ts = f"[{ms_to_str(start)}]"
        if not vtt and start - last_end >= 1000:
            length = round((start - last_end) / 1000)
            if length >= 60:
                mark = " " + ui["pause_minutes"].format(round(length / 60))
            elif length >= 10:
                mark = " " + ui["pause_seconds"].format(length)
            else:
                mark = " (" + "." * length + ")"
            if first:
                mark = mark.lstrip() + " "
            paragraphs[-1].append((f"ts_{last_end}_{start}_{speaker}", html.escape(mark, quote=False)))
        last_end = end
        new = "" if who is None else NOSCRIBE[who]
        if index in OVERLAPPING and not vtt:
            new = "//" + new
        seg = html.escape(text, quote=False)
        if speaker != new and new != "":
            if new.startswith("//"):
                prev_speaker, speaker = speaker, new
                seg = html.escape(f" {speaker}:{text}", quote=False)
            elif speaker.startswith("//") and new == prev_speaker:
                speaker = new
                seg = html.escape(f"//{text}", quote=False)
            else:
                if speaker.startswith("//"):
                    name, inner = paragraphs[-1][-1]
                    paragraphs[-1][-1] = (name, inner + "//")
                paragraphs.append([])
                speaker = new
                if vtt:
                    seg = html.escape(text, quote=False).lstrip()
                else:
                    seg = f'{speaker}: <span style="color: #78909C" >{ts}</span>{html.escape(text, quote=False)}'
                    last_stamp = start
        elif not vtt and start - last_stamp > 60_000:
            seg = f' <span style="color: #78909C" >{ts}</span>{html.escape(text, quote=False)}'
            last_stamp = start
        paragraphs[-1].append((f"ts_{start}_{end}_{speaker}", seg))
        first = False
    return paragraphs


def noscribe_html(lang: str, *, vtt: bool = False) -> str:
    ui = UI[lang]
    options = (f"{ui['language']} Norwegian (no) | {ui['speaker']} auto | {ui['overlapping']} "
               f"{0 if vtt else 1} | {ui['timestamps']} {0 if vtt else 1} | {ui['disfluencies']} 1 | "
               f"{ui['pause']} {0 if vtt else 1}")
    title = Path(AUDIO).stem
    body = (f'<div class="WordSection1" ><p style="font-weight: 600" >{html.escape(title)}</p>'
            f'<p ><span style="color: #909090; font-size: 0.8em" >{ui["doc_header"]}<br />'
            f'{ui["audio"]}{AUDIO}<br />({html.escape(options, quote=False)})</span></p>')
    for paragraph in noscribe_body(lang, vtt=vtt):
        body += "<p >" + "".join(f'<a name="{name}" >{inner}</a>' for name, inner in paragraph) + "</p>"
    return (f'{HEAD}<meta name="audio_source" content="{AUDIO}" /></head>\n'
            f"<body style=\"font-family: 'Arial'; font-weight: 400; font-style: normal\" > {body}</div></body>\n"
            "</html>\n")


class _TextParser(HTMLParser):
    """utils.html_to_text(..., use_only_body=True): block tags and <br> give line breaks, each
    piece of text is stripped and joined to the last with one space."""

    BLOCKS = {"p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__()
        self.result: list[str] = []
        self.body = False

    def handle_starttag(self, tag, attrs):
        if self.body and (tag in self.BLOCKS or tag == "br"):
            self.result.append("\n")
        elif tag == "body":
            self.body = True

    def handle_endtag(self, tag):
        if self.body and tag in self.BLOCKS:
            self.result.append("\n")

    def handle_data(self, data):
        text = html.unescape(data).strip()
        if self.body and text:
            self.result.append(text)

    def text(self) -> str:
        out = ""
        for item in self.result:
            if out and not out[-1].isspace() and not item.isspace():
                out += " "
            out += item
        return out.strip()


def noscribe_txt(lang: str) -> str:
    parser = _TextParser()
    parser.feed(noscribe_html(lang))
    return parser.text()


_QT_P = ('<p style="margin-top: 0px; margin-bottom: 0px; margin-left: 0px; margin-right: 0px; '
         '-qt-block-indent: 0; text-indent: 0px" >')


def noscribe_edited_html() -> str:
    """The HTML after a save in noScribeEdit (noScribeEdit.py, _file_save): Qt's toHtml() of the
    document (each anchor cut into one <a> per formatted run, runs in <span style>), re-serialised
    by AdvancedHTMLParser with the anchors' href turned back into name, a <meta charset>, the
    audio_source <meta> and Word's styles added, the body wrapped in div.WordSection1, "\n\n"
    collapsed. The researcher renamed S02 to Moderator and S00 to Ola with search and replace
    (which renames the anchors' speaker part too)."""
    ui = UI["en"]
    rename = {"S02": "Moderator", "S00": "Ola"}
    options = (f"{ui['language']} Norwegian (no) | {ui['speaker']} auto | {ui['overlapping']} 1 | "
               f"{ui['timestamps']} 1 | {ui['disfluencies']} 1 | {ui['pause']} 1")
    body = (f'<div class="WordSection1" >{_QT_P}<span style="font-weight: 600" >{Path(AUDIO).stem}</span></p>\n'
            f'{_QT_P}<span style="font-size: 0.8em; color: #909090" >{ui["doc_header"]}<br />{ui["audio"]}{AUDIO}'
            f'<br />({html.escape(options, quote=False)})</span></p>\n')
    for paragraph in noscribe_body("en")[1:]:
        out = _QT_P
        for name, inner in paragraph:
            _, start, end, speaker = name.split("_", 3)
            bare = speaker.lstrip("/")
            speaker = speaker.replace(bare, rename.get(bare, bare)) if bare else speaker
            name = f"ts_{start}_{end}_{speaker}"
            for old, new in rename.items():
                inner = inner.replace(f"{old}:", f"{new}:")
            runs = inner.split('<span style="color: #78909C" >')
            pieces = [(runs[0], "#000000")]
            if len(runs) > 1:
                stamp, rest = runs[1].split("</span>", 1)
                pieces += [(stamp, "#78909c"), (rest, "#000000")]
            out += "".join(f'<a name="{name}" ><span style="color: {color}" >{text}</span></a>'
                           for text, color in pieces if text)
        body += out + "</p>\n"
    return ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN" "http://www.w3.org/TR/REC-html40/strict.dtd">\n'
            '<html ><head ><meta name="qrichtext" content="1" /><meta charset="utf-8" /><style type="text/css" >\n'
            'p, li { white-space: pre-wrap; }\nhr { height: 1px; border-width: 0; }\n'
            'li.unchecked::marker { content: "\\2610"; }\nli.checked::marker { content: "\\2612"; }\n'
            f'</style><meta charset="UTF-8" /><meta name="audio_source" content="{AUDIO}" />'
            '<style type="text/css" > a { text-decoration: none; }  p { font-size: 0.9em; }  .MsoNormal { '
            'font-family: "Arial"; font-weight: 400; font-style: normal; font-size: 0.9em; } @page WordSection1 '
            '{mso-line-numbers-restart: continuous; mso-line-numbers-count-by: 1; mso-line-numbers-start: 1; } '
            ' div.WordSection1 {page:WordSection1;} </style></head>\n'
            f"<body style=\"font-family: 'Arial'; font-weight: 400; font-style: normal\" >{body}</div></body></html>\n")


def noscribe_vtt(lang: str) -> str:
    """utils.html_to_webvtt on the document of a .vtt job: the title after WEBVTT, the header
    paragraph as a NOTE on one line, then one cue per anchor with text."""
    ui = UI[lang]
    options = (f"{ui['language']} Norwegian (no) | {ui['speaker']} auto | {ui['overlapping']} 0 | "
               f"{ui['timestamps']} 0 | {ui['disfluencies']} 1 | {ui['pause']} 0")
    out = f"WEBVTT {html.escape(Path(AUDIO).stem, quote=False)}\n\n"
    out += html.escape(f"NOTE\n{ui['doc_header']} {ui['audio']}{AUDIO} ({options})", quote=False) + "\n\n"
    number = 0
    for paragraph in noscribe_body(lang, vtt=True):
        for name, inner in paragraph:
            _, start, end, speaker = name.split("_", 3)
            text = html.unescape(inner).strip()
            if not text:
                continue
            number += 1
            voice = f"<v {speaker}>" if speaker else ""
            out += (f"{number}\n{ms_to_str(int(start))}.{int(start) % 1000:03d} --> "
                    f"{ms_to_str(int(end))}.{int(end) % 1000:03d}\n{voice}{html.escape(text, quote=False)}\n\n")
    return out


# --- aTrain 1.3 (aTrain_core/outputs.py: create_txt_file, create_json_file, create_srt_file) ---

ATRAIN = {M: "SPEAKER_01", P1: "SPEAKER_00", P2: "SPEAKER_03", P3: "SPEAKER_02"}
FILE_ID = "2403121015-fokusgr"  # create_file_id("fokusgruppe2.mp3", "2024-03-12 10-15-42")


def atrain_result() -> dict:
    """faster-whisper 1.0.2's segments as dicts (named_tuple_to_dict), speakers from pyannote
    (assign_word_speakers): the invented line in the silence overlaps no speaker."""
    segments = []
    seek = 0
    for number, (who, start, end, text) in enumerate(SEGMENTS):
        words = text.split()
        step = (end - start) / len(words)
        word_list = []
        for i, word in enumerate(words):
            entry = {"start": round(start + i * step, 2), "end": round(start + (i + 1) * step, 2),
                     "word": " " + word, "probability": round(0.71 + (i * 37 % 29) / 100, 4)}
            if who is not None:
                entry["speaker"] = ATRAIN[who]
            word_list.append(entry)
        segment = {"id": number + 1, "seek": seek, "start": start, "end": end, "text": text,
                   "tokens": [50364 + (len(w) * 131 + i) % 9000 for i, w in enumerate(words)],
                   "temperature": 0.0, "avg_logprob": -0.2214, "compression_ratio": 1.4861,
                   "no_speech_prob": 0.0117 if who else 0.6321, "words": word_list}
        if who is not None:
            segment["speaker"] = ATRAIN[who]
        if number in OVERLAPPING:
            segment["speaker"] = ATRAIN[P1]  # pyannote gives the overlap to the louder voice
            for entry in word_list:
                entry["speaker"] = ATRAIN[P1]
        segments.append(segment)
        seek += 2000 if number % 3 == 2 else 0
    return {"segments": segments}


def atrain_txt(result: dict, *, timestamps: bool, maxqda: bool, speaker_detection: bool = True) -> str:
    out = (f"Transcription for {FILE_ID}" + ("" if maxqda and speaker_detection else "\n")
           + ("" if speaker_detection else "\n"))
    current = None
    for segment in result["segments"]:
        speaker = segment.get("speaker", "Speaker undefined")
        if speaker != current and speaker_detection:
            out += ("\n\n" if maxqda else "\n") + speaker + "\n"
            current = speaker
        text = str(segment["text"]).lstrip()
        if timestamps:
            text = time.strftime("[%H:%M:%S]", time.gmtime(segment["start"])) + " - " + text
        out += text + (" " if maxqda else "\n")
    return out


def atrain_srt(result: dict) -> str:
    out = ""
    for index, segment in enumerate(result["segments"], 1):
        def stamp(t: float) -> str:
            return time.strftime("%H:%M:%S", time.gmtime(t)) + f",{round((t - int(t)) * 1000):03}"
        out += f"{index}\n{stamp(segment['start'])} --> {stamp(segment['end'])}\n{str(segment['text']).lstrip()}\n\n"
    return out


# --- f4transkript (Dresing & Pehl's simple rules; time mark at each paragraph's end) -----------

F4 = {M: "I", P1: "B1", P2: "B2", P3: "B3"}


def f4_txt() -> str:
    """One paragraph per turn, a blank line between, ``#hh:mm:ss-d#`` at the end of each (when
    the transcriber pressed Enter); pauses (.) (..) (...) or (seconds), sounds in brackets,
    overlapping speech between //; Windows line endings, as f4 on Windows saves its text."""
    paragraphs = [
        "I: Velkommen, alle sammen, og takk for at dere ville være med. Vi skal snakke om hvordan "
        "det har vært å komme tilbake til jobb etter sykemeldingen. Hvem vil begynne? #00:00:11-4#",
        "B1: Jeg kan begynne. (..) Det første jeg merket var at jeg var veldig sliten. Jeg gikk hjem "
        "og la meg rett etter middag hver dag den første uka. //B2: Ja, ikke sant.// Men det ble "
        "bedre etter hvert, når jeg fikk jobbe halv dag. #00:00:28-7#",
        "I: Hva var det som gjorde det lettere, tror du? #00:00:33-8#",
        "B1: At sjefen min var tydelig på at jeg ikke trengte å ta igjen alt på en gang. #00:00:39-9#",
        "B3: For meg var det helt motsatt. Jeg følte at alle ventet på at jeg skulle være den samme "
        "som før, og det var jeg jo ikke. (lacht) Jeg er vel ikke det nå heller. #00:00:50-5#",
        "I: Kjenner dere andre dere igjen i det? #00:00:53-2#",
        "B2: Ja, veldig. Jeg hadde en kollega som spurte hver dag om jeg var frisk nå. (4) Det var "
        "sikkert godt ment, men det ble en slags press. #00:01:04-0#",
        "(12) #00:01:16-5#",
        "B3: Det er det som er vanskelig å forklare for folk. #00:01:20-2#",
        "I: Hvis dere skulle gi ett råd til arbeidsgivere, hva ville det vært? #00:01:26-4#",
        "B1: Snakk med den som kommer tilbake, ikke om dem. (unv.) #00:01:32-6#",
        "B2: Og la det ta tid. Det er ikke en rett linje. #00:01:37-3#",
        "B3: Enig. Og spør heller én gang for mye enn én gang for lite. #00:01:41-1#",
        "I: Tusen takk. Da avslutter vi der. #00:01:45-6#",
    ]
    return "\r\n\r\n".join(paragraphs) + "\r\n"


# --- Zoom cloud recording transcript (audio_transcript.vtt) ---------------------------------

ZOOM = {M: "Kari Lunde", P1: "Ola Berg", P2: "Silje Nilsen", P3: "Arne Haugland"}


def zoom_vtt() -> str:
    """WEBVTT, then numbered cues, ``Name: text`` in each, no voice tags; Zoom cuts a speaker's
    talk into cues of a few seconds, often inside a sentence."""
    out = "WEBVTT\n"
    number = 0
    for who, start, end, text in SEGMENTS[:20]:
        words = text.split()
        half = len(words) // 2 if len(words) > 9 else len(words)
        pieces = [" ".join(words[:half]), " ".join(words[half:])] if half < len(words) else [" ".join(words)]
        middle = round(start + (end - start) * half / len(words), 3)
        times = [(start, middle), (middle, end)] if len(pieces) == 2 else [(start, end)]
        for piece, (a, b) in zip(pieces, times):
            number += 1
            out += (f"\n{number}\n{_vtt_time(a)} --> {_vtt_time(b)}\n{ZOOM[who or M]}: {piece}\n")
    return out


def _vtt_time(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms_to_str(ms)}.{ms % 1000:03d}"


def main() -> None:
    result = atrain_result()
    files = {
        "noscribe.html": noscribe_html("en"),
        "noscribe-de.txt": noscribe_txt("de"),
        "noscribe.vtt": noscribe_vtt("en"),
        "noscribe-edited.html": noscribe_edited_html(),
        "atrain/transcription.txt": atrain_txt(result, timestamps=False, maxqda=False),
        "atrain/transcription_timestamps.txt": atrain_txt(result, timestamps=True, maxqda=False),
        "atrain/transcription_maxqda.txt": atrain_txt(result, timestamps=True, maxqda=True),
        "atrain/transcription.json": json.dumps(result, ensure_ascii=False),
        "atrain/transcription.srt": atrain_srt(result),
        "f4.txt": f4_txt(),
        "zoom.vtt": zoom_vtt(),
    }
    raw = {name: content.encode("utf-8") for name, content in files.items()}
    page = raw["noscribe.html"]
    cut = page[: len(page) * 3 // 5]
    raw["bad/noscribe-truncated.html"] = cut[: cut.rfind(b" ")]  # a download that stopped
    raw["bad/noscribe-cp1252.html"] = files["noscribe.html"].encode("cp1252")  # still says UTF-8
    raw["bad/atrain-truncated.json"] = raw["atrain/transcription.json"][:5000]
    raw["bad/atrain-latin1.json"] = files["atrain/transcription.json"].encode("latin-1")
    raw["bad/zoom-timeline.json"] = json.dumps({"timeline": [  # a JSON of another tool's shape
        {"text": "Velkommen, alle sammen.", "ts": "00:00:00.000", "users": [{"username": "Kari Lunde"}]},
        {"text": "Jeg kan begynne.", "ts": "00:00:13.900", "users": [{"username": "Ola Berg"}]},
    ]}, ensure_ascii=False, indent=2).encode("utf-8")
    for name, content in raw.items():
        path = HERE / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        print(f"wrote {path.relative_to(HERE)} ({len(content)} bytes)")


if __name__ == "__main__":
    main()
