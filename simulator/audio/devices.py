"""Listing the audio devices PortAudio can see."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.errors import UserError


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[Device]:
    try:
        import sounddevice as sd
    except OSError as exc:
        raise UserError(
            f"PortAudio is not installed ({exc}); install it with "
            "`apt-get install libportaudio2` (or run scripts/setup)"
        ) from None
    default_in, default_out = sd.default.device
    out = []
    for i, d in enumerate(sd.query_devices()):
        out.append(Device(i, d["name"], d["max_input_channels"], d["max_output_channels"],
                          d["default_samplerate"], i == default_in, i == default_out))
    return out
