"""Audio for the loudspeaker bulletins (issue 8.3): espeak-ng reads a text, ffmpeg masters it to a
loudness target, ffprobe checks a human recording before it is accepted.

No models and no database here: the functions take bytes and return bytes and facts, so a job can
call them and store the result as a rendition.

- ``synthesize(text, language)``: WAV from espeak-ng (the text on stdin, after normalise_for_speech);
  the voice and its rate come from data/espeak_voices.csv (editable, only voices espeak-ng has).
- ``master(audio, fmt=...)``: EBU R128 loudness normalisation with ffmpeg's loudnorm in two passes
  (measure, then apply the measured values in linear mode) to settings.KETNOI_SPEECH_LOUDNESS, then
  MP3 (libmp3lame 64 kbit/s mono) or Opus (libopus 32 kbit/s mono, Ogg). espeak-ng peaks at 0 dBFS
  with a peak-to-loudness ratio of about 19 dB, so a linear gain to -16 LUFS would break the -1.5 dBTP
  ceiling and loudnorm would fall back to its dynamic mode (measured: -17.2 LUFS instead of -16). A
  limiter before loudnorm lowers the peaks first, to a ceiling computed from the measured loudness,
  so the linear mode applies. The result is measured again; a result off by more than half a LU gets
  one corrective pass.
- ``probe(data, filename)``: what an uploaded recording is, by ffprobe's reading of the bytes (never
  the extension); malformed, non-audio, empty or too long files are refused with a ValidationError.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ketnoi.channels.speech_text import normalise_for_speech

VOICES_FILE = Path(__file__).with_name("data") / "espeak_voices.csv"
FORMATS = {
    # fmt: (file suffix, ffmpeg encoder arguments)
    "mp3": (".mp3", ["-ar", "44100", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k"]),
    "opus": (".opus", ["-ar", "48000", "-ac", "1", "-c:a", "libopus", "-b:a", "32k", "-f", "ogg"]),
}
LOUDNESS_RANGE = 11.0  # loudnorm's default LRA target; speech from espeak-ng has an LRA of 1-3 LU
TOLERANCE_LU = 0.5
# Accepted uploads, by ffprobe's format name and the audio codecs each may carry.
ACCEPTED = {
    "mp3": {"mp3"},
    "ogg": {"opus", "vorbis"},
    "wav": None,  # any PCM codec ("pcm_s16le", "pcm_f32le", …)
    "mov,mp4,m4a,3gp,3g2,mj2": {"aac", "alac", "mp3"},
}


class SpeechUnavailable(Exception):
    """Speech cannot be produced: no voice for the language, a tool missing, espeak-ng failing.
    ``message`` is translated and can be shown in the interface as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Voice:
    language: str
    voice: str
    rate: int  # words a minute, espeak-ng's -s


@dataclass(frozen=True)
class MasteredAudio:
    data: bytes
    fmt: str  # "mp3" or "opus"
    duration_seconds: float
    integrated_lufs: float
    sha256: str


@dataclass(frozen=True)
class AudioFacts:
    duration_seconds: float
    codec: str
    sample_rate: int
    channels: int


# --- Tools ---------------------------------------------------------------------------------


def _binaries() -> dict[str, str]:
    return {
        "espeak-ng": getattr(settings, "KETNOI_ESPEAK_BINARY", "espeak-ng"),
        "ffmpeg": getattr(settings, "KETNOI_FFMPEG_BINARY", "ffmpeg"),
        "ffprobe": getattr(settings, "KETNOI_FFPROBE_BINARY", "ffprobe"),
    }


def _tool(name: str) -> str:
    path = shutil.which(_binaries()[name])
    if not path:
        raise SpeechUnavailable(_missing_message(name))
    return path


def _missing_message(name: str) -> str:
    if name == "espeak-ng":
        return _("espeak-ng is not installed on the server: bulletins cannot be read out by the computer voice.")
    if name == "ffmpeg":
        return _("ffmpeg is not installed on the server: bulletin audio cannot be mastered or encoded.")
    return _("ffprobe is not installed on the server: uploaded recordings cannot be checked.")


def missing_tools() -> list[str]:
    """One translated message per missing tool (espeak-ng, ffmpeg, ffprobe); empty when all are there."""
    return [_missing_message(name) for name, binary in _binaries().items() if not shutil.which(binary)]


def _timeout() -> int:
    return int(getattr(settings, "KETNOI_SPEECH_TIMEOUT_SECONDS", 300))


def _run(arguments: list[str], *, data: bytes | None = None, what: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(arguments, input=data, capture_output=True, timeout=_timeout(), check=False)
    except subprocess.TimeoutExpired as error:
        raise SpeechUnavailable(
            _("%(tool)s took longer than %(seconds)s seconds and was stopped.") % {"tool": what, "seconds": _timeout()}
        ) from error
    except OSError as error:
        raise SpeechUnavailable(_missing_message(what)) from error
    return result


def _failed(what: str, result: subprocess.CompletedProcess) -> SpeechUnavailable:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    detail = re.sub(r"\S*/ketnoi-(?:speech|upload)-[^/\s]*/", "", lines[0])[:300]  # no server paths
    return SpeechUnavailable(_("%(tool)s failed: %(detail)s") % {"tool": what, "detail": detail})


# --- Voices and synthesis ------------------------------------------------------------------


@lru_cache(maxsize=1)
def voices() -> dict[str, Voice]:
    with VOICES_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle)]
    return {
        row["language"].strip().lower(): Voice(row["language"].strip(), row["voice"].strip(), int(row["rate"]))
        for row in rows
    }


def _voice(language: str) -> Voice | None:
    table = voices()
    code = (language or "").strip().replace("_", "-").lower()
    while code:
        if code in table:
            return table[code]
        code = code.rpartition("-")[0]  # "vi-VN" → "vi", "zh-Hans-CN" → "zh-hans" → "zh"
    return None


def voice_for(language: str) -> str | None:
    """The espeak-ng voice for a BCP 47 language code ("vi", "vi-VN", "th", "zh"), None without one."""
    voice = _voice(language)
    return voice.voice if voice else None


def synthesize(text: str, language: str) -> bytes:
    """The text read out by espeak-ng, as a WAV file (mono, 22 050 Hz, 16 bit).

    Raises SpeechUnavailable when the language has no voice, the text has nothing to read, or
    espeak-ng is missing or fails."""
    voice = _voice(language)
    if voice is None:
        raise SpeechUnavailable(
            _("There is no computer voice for the language %(language)s. Upload a recording read by a person.")
            % {"language": language}
        )
    spoken = normalise_for_speech(text, language)
    if not re.search(r"\w", spoken):
        raise SpeechUnavailable(_("The text is empty: there is nothing to read out."))
    binary = _tool("espeak-ng")
    arguments = [binary, "-v", voice.voice, "-s", str(voice.rate), "-b", "1", "--stdin", "--stdout"]
    result = _run(arguments, data=spoken.encode("utf-8"), what="espeak-ng")
    if result.returncode != 0 or len(result.stdout) <= 44:
        raise _failed("espeak-ng", result)
    return result.stdout


# --- Mastering -----------------------------------------------------------------------------


def _loudness_target() -> tuple[float, float]:
    return (
        float(getattr(settings, "KETNOI_SPEECH_LOUDNESS", -16.0)),
        float(getattr(settings, "KETNOI_SPEECH_TRUE_PEAK", -1.5)),
    )


def _loudnorm_json(stderr: bytes) -> dict[str, str]:
    text = stderr.decode("utf-8", "replace")
    start = text.rfind("{")
    end = text.rfind("}")
    if start < 0 or end < start:
        raise SpeechUnavailable(_("ffmpeg did not report the loudness of the audio."))
    return json.loads(text[start : end + 1])


def _measure(ffmpeg: str, source: Path, chain: str) -> dict[str, float]:
    """loudnorm's first pass: integrated loudness, true peak, range and threshold of ``source``."""
    target, peak = _loudness_target()
    loudnorm = f"loudnorm=I={target}:TP={peak}:LRA={LOUDNESS_RANGE}:print_format=json"
    filters = f"{chain},{loudnorm}" if chain else loudnorm
    arguments = [ffmpeg, "-hide_banner", "-nostats", "-i", str(source), "-af", filters, "-f", "null", "-"]
    result = _run(arguments, what="ffmpeg")
    if result.returncode != 0:
        raise _failed("ffmpeg", result)
    values = _loudnorm_json(result.stderr)
    measured = {key: float(values[key]) for key in ("input_i", "input_tp", "input_lra", "input_thresh")}
    if not math.isfinite(measured["input_i"]):
        raise SpeechUnavailable(_("The audio is silent: there is nothing to master."))
    return measured


def _limiter(measured: dict[str, float], target: float, peak: float) -> str:
    """Resample to 48 kHz and limit the peaks so that the gain to ``target`` keeps them under
    ``peak``; 2 dB of margin for the loudness the limiter takes away and for inter-sample peaks."""
    ceiling_db = min(0.0, measured["input_i"] + (peak - target) - 2.0)
    ceiling = max(0.0625, 10 ** (ceiling_db / 20))  # alimiter accepts 0.0625 … 1
    return f"aresample=48000,alimiter=limit={ceiling:.4f}:attack=5:release=50:level=false"


def _apply(ffmpeg, source: Path, output: Path, chain: str, measured, fmt: str, *, linear: bool = True) -> None:
    """loudnorm's second pass with the measured values (``linear``), or, where loudnorm cannot stay
    linear (audio under about three seconds), the same gain as a plain volume change with a limiter
    at the true-peak ceiling."""
    target, peak = _loudness_target()
    if linear:
        gain = (
            f"loudnorm=I={target}:TP={peak}:LRA={LOUDNESS_RANGE}"
            f":measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
            f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}:linear=true"
        )
    else:
        ceiling = max(0.0625, 10 ** ((peak - 0.5) / 20))
        gain = f"volume={target - measured['input_i']:.2f}dB,alimiter=limit={ceiling:.4f}:level=false"
    arguments = [ffmpeg, "-hide_banner", "-nostats", "-y", "-i", str(source), "-af", f"{chain},{gain}"]
    arguments += ["-map_metadata", "-1", *FORMATS[fmt][1], str(output)]
    result = _run(arguments, what="ffmpeg")
    if result.returncode != 0 or not output.exists() or not output.stat().st_size:
        raise _failed("ffmpeg", result)


def _duration(path: Path) -> float:
    ffprobe = _tool("ffprobe")
    arguments = [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)]
    result = _run(arguments, what="ffprobe")
    if result.returncode != 0:
        raise _failed("ffprobe", result)
    return float(json.loads(result.stdout or b"{}").get("format", {}).get("duration") or 0.0)


def master(audio: bytes, *, fmt: str = "mp3") -> MasteredAudio:
    """``audio`` (any format ffmpeg reads; espeak-ng's WAV) normalised to settings.KETNOI_SPEECH_LOUDNESS
    LUFS integrated, at most settings.KETNOI_SPEECH_TRUE_PEAK dBTP, encoded as ``fmt`` ("mp3", "opus")."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown audio format {fmt!r}; one of {sorted(FORMATS)}")
    if not audio:
        raise SpeechUnavailable(_("The audio is empty: there is nothing to master."))
    ffmpeg = _tool("ffmpeg")
    target, peak = _loudness_target()
    with tempfile.TemporaryDirectory(prefix="ketnoi-speech-") as directory:
        source = Path(directory) / "source"
        source.write_bytes(audio)
        output = Path(directory) / f"mastered{FORMATS[fmt][0]}"
        chain = _limiter(_measure(ffmpeg, source, ""), target, peak)
        measured = _measure(ffmpeg, source, chain)
        _apply(ffmpeg, source, output, chain, measured, fmt)
        result = _measure(ffmpeg, output, "")["input_i"]
        if abs(result - target) > TOLERANCE_LU:
            # loudnorm left its linear mode (audio under about three seconds): the measured gain instead.
            _apply(ffmpeg, source, output, chain, measured, fmt, linear=False)
            result = _measure(ffmpeg, output, "")["input_i"]
        data = output.read_bytes()
        duration = _duration(output)
    return MasteredAudio(
        data=data,
        fmt=fmt,
        duration_seconds=duration,
        integrated_lufs=result,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# --- Uploaded recordings -------------------------------------------------------------------


def _max_upload_seconds() -> int:
    return int(getattr(settings, "KETNOI_SPEECH_MAX_UPLOAD_SECONDS", 30 * 60))


def probe(data: bytes, filename: str) -> AudioFacts:
    """Facts about an uploaded recording, read from its bytes by ffprobe (MP3, Ogg Opus/Vorbis, WAV,
    M4A/AAC), after decoding it whole. ValidationError naming the file when it is empty, not audio,
    malformed, silent of samples, or longer than settings.KETNOI_SPEECH_MAX_UPLOAD_SECONDS."""
    name = unicodedata.normalize("NFC", Path(filename or "").name) or _("the file")
    params = {"name": name}
    if not data:
        raise ValidationError(_("%(name)s is empty."), code="empty", params=params)
    try:
        ffprobe, ffmpeg = _tool("ffprobe"), _tool("ffmpeg")
    except SpeechUnavailable as error:
        raise ValidationError(error.message, code="unavailable") from error
    not_audio = ValidationError(
        _("%(name)s is not an audio recording this site accepts (MP3, Ogg/Opus, WAV or M4A)."),
        code="not_audio",
        params=params,
    )
    with tempfile.TemporaryDirectory(prefix="ketnoi-upload-") as directory:
        path = Path(directory) / "upload"  # no extension: ffprobe judges the content
        path.write_bytes(data)
        arguments = [ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)]
        try:
            result = _run(arguments, what="ffprobe")
        except SpeechUnavailable as error:
            raise ValidationError(error.message, code="unavailable") from error
        if result.returncode != 0:
            raise not_audio
        info = json.loads(result.stdout or b"{}")
        format_name = info.get("format", {}).get("format_name", "")
        streams = info.get("streams", [])
        audio = [s for s in streams if s.get("codec_type") == "audio"]
        video = [
            s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ]
        if format_name not in ACCEPTED or not audio or video:
            raise not_audio
        stream = audio[0]
        codecs = ACCEPTED[format_name]
        codec = stream.get("codec_name", "")
        if (codecs is None and not codec.startswith("pcm_")) or (codecs is not None and codec not in codecs):
            raise not_audio
        # Decode the whole recording: a corrupt file reports errors here, and a truncated one decodes
        # shorter than its header says (an MP3's Xing/Info header counts the frames it was written with).
        decode = [ffmpeg, "-hide_banner", "-nostats", "-v", "error", "-i", str(path), "-map", "0:a:0"]
        decode += ["-f", "null", "-progress", "pipe:1", "-"]
        try:
            decoded = _run(decode, what="ffmpeg")
        except SpeechUnavailable as error:
            raise ValidationError(error.message, code="unavailable") from error
    times = re.findall(rb"^out_time_us=(\d+)", decoded.stdout, re.MULTILINE)
    duration = int(times[-1]) / 1_000_000 if times else 0.0
    declared = float(stream.get("duration") or info.get("format", {}).get("duration") or 0.0)
    damaged = ValidationError(
        _("%(name)s is damaged or incomplete: it cannot be played to the end."), code="malformed", params=params
    )
    if decoded.returncode != 0 or (decoded.stderr.strip() and duration > 0):
        raise damaged
    if declared > 0 and declared - duration > max(0.5, 0.02 * declared):
        raise damaged
    if duration <= 0:
        raise ValidationError(_("%(name)s contains no sound."), code="no_audio", params=params)
    limit = _max_upload_seconds()
    if duration > limit:
        raise ValidationError(
            _("%(name)s lasts %(minutes)s minutes; a recording may last at most %(limit)s minutes."),
            code="too_long",
            params={**params, "minutes": math.ceil(duration / 60), "limit": math.ceil(limit / 60)},
        )
    return AudioFacts(
        duration_seconds=duration,
        codec=codec,
        sample_rate=int(stream.get("sample_rate") or 0),
        channels=int(stream.get("channels") or 0),
    )
