"""A round as the app's plan describes it, assembled the way `interview run` assembles
one: its answers (a folder of recordings, or the microphone), its persona, its parts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.config import Settings
    from simulator.engine.controls import RoundControls
    from simulator.rounds import PreparedRound
    from simulator.tui.options import RoundPlan


def prepare_planned(plan: RoundPlan, settings: Settings, controls: RoundControls,
                    live_transcript_s: float) -> PreparedRound:
    """The round of ``plan``, ready to run. Slow (the models load): call it in a worker."""
    from simulator.engine.answers import FolderAnswers, MicrophoneAnswers
    from simulator.personas import load_persona
    from simulator.rounds import listen_options, prepare_round

    frame_len = listen_options(settings).frame_len
    answers = (FolderAnswers(plan.answers_dir, frame_len, realtime=True)
               if plan.answers_dir is not None
               else MicrophoneAnswers(frame_len, settings.audio.input_device))
    return prepare_round(
        settings, plan.label, plan.questions, answers, speak=plan.speak,
        persona=load_persona(plan.persona), seed=plan.seed, controls=controls,
        live_transcript_s=live_transcript_s, continues=plan.continues)
