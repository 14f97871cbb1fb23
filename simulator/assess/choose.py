"""Which judge a round uses: the configured LLM, one found by 'auto', or offline."""

from __future__ import annotations

import json
import os
import urllib.request

from simulator.assess.llm import LlmConfig, LlmJudge
from simulator.assess.policy import Judge, OfflinePolicy
from simulator.config import Settings

OLLAMA_URL = "http://127.0.0.1:11434"
#: Provider keys checked by 'auto', in order, with a small fast model for each.
PROVIDER_KEYS = [
    ("OPENAI_API_KEY", "openai/gpt-4o-mini"),
    ("ANTHROPIC_API_KEY", "anthropic/claude-3-5-haiku-latest"),
    ("GEMINI_API_KEY", "gemini/gemini-2.0-flash"),
    ("GROQ_API_KEY", "groq/llama-3.1-8b-instant"),
    ("MISTRAL_API_KEY", "mistral/mistral-small-latest"),
]


def local_ollama_model(timeout_s: float = 0.3) -> str | None:
    """The first model of an Ollama server on this machine's default port, if one answers."""
    try:
        with urllib.request.urlopen(f"{OLLAMA_URL}/api/tags", timeout=timeout_s) as r:
            models = json.loads(r.read().decode()).get("models", [])
    except (OSError, ValueError):
        return None
    return f"ollama/{models[0]['name']}" if models else None


def auto_model(environ: dict[str, str] | None = None) -> tuple[str | None, str]:
    """A model this machine can reach, and how it was found."""
    env = os.environ if environ is None else environ
    found = local_ollama_model()
    if found:
        return found, "a local Ollama server answered"
    for key, model in PROVIDER_KEYS:
        if env.get(key):
            return model, f"{key} is set"
    return None, "no local Ollama server and no provider API key is set"


def make_judge(settings: Settings, interviewer: str, manner: str) -> tuple[Judge, str | None]:
    """The judge for a round, and a notice when 'auto' fell back to offline. An LLM judge
    words its follow-ups as ``interviewer`` would (their name, and ``manner``, how they ask)."""
    offline = OfflinePolicy(settings.interview.max_follow_ups,
                            settings.interview.move_on_coverage)
    model = settings.llm.model.strip()
    notice = None
    if model == "auto":
        chosen, why = auto_model()
        if chosen is None:
            return offline, f"llm.model is auto but {why}; using the offline policy"
        model, notice = chosen, f"llm.model auto chose {chosen} ({why})"
    if not model:
        return offline, None
    cfg = settings.llm
    judge = LlmJudge(LlmConfig(model, cfg.api_base or None, cfg.timeout_s, cfg.retries,
                               cfg.temperature, cfg.max_tokens),
                     offline, interviewer, manner)
    return judge, notice
