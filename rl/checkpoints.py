"""Checkpoints of a run: the weights stored once in `model/` (a transformers directory, or a peft
adapter under LoRA) and `checkpoint.pt` (optimizer, every rank's RNG, step, data position; read
with weights_only=True), saved so a crash never leaves a half-written pair; it builds no model and
knows nothing of torchrun (rl/distributed.py gathers sharded states and RNGs before calling it)."""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import torch


def rng_state() -> dict:
    state = {"torch": torch.get_rng_state(), "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    elif "cuda" in state:
        print("checkpoint carries a CUDA RNG state but torch sees no CUDA device: resuming on CPU "
              "samples differently from the original run", file=sys.stderr)


def cpu_rng(state: dict) -> dict:
    """An RNG state as set_rng_state takes it: loaded onto a CUDA device, its tensors come back."""
    out = {k: v.cpu() if torch.is_tensor(v) else v for k, v in state.items()}
    if "cuda" in state:
        out["cuda"] = [x.cpu() for x in state["cuda"]]
    return out


def rank_rng(state: dict, rank: int = 0, world: int = 1) -> dict:
    """A checkpoint's RNG state for one rank: a torchrun job saves a list, one per rank. On another
    world size the states are reused round-robin, and the run is no longer bit-exact (said on
    stderr)."""
    rngs = state["rng"] if isinstance(state["rng"], list) else [state["rng"]]
    if len(rngs) != world:
        print(
            f"resume: the checkpoint was written by {len(rngs)} rank(s), "
            f"this run has {world}: weights, "
            "optimizer and the prompt stream continue exactly, sampling randomness does not",
            file=sys.stderr,
        )
    return rngs[rank % len(rngs)]


def save_checkpoint(path: Path, model, optimizer, step: int, data_position: int, tokenizer=None,
                    *, rng=None, model_state=None, optimizer_state=None) -> None:
    """Everything a resumed run needs to continue bit-for-bit, with the weights stored once: the
    policy goes to `model/` beside `path` (a transformers model directory, or under LoRA only the
    peft adapter), which `policy.path=` loads anywhere (rl/evaluate.py, another run); `path` holds
    the optimizer moments, RNG states (CPU and every CUDA device), step, data position and the
    name of that directory, as tensors and plain containers (`torch.load(weights_only=True)` reads
    it). A torchrun job (rl/distributed.py) passes every rank's RNG state as the list `rng` and,
    under FSDP2, the gathered full model state (written to model/ only) and optimizer state.
    Both are written in full under temporary names before either replaces its predecessor, so a
    crash mid-write leaves no half-written file; a crash between the two renames leaves a pair
    whose steps differ, which `model/step.json` reveals and read_checkpoint refuses."""
    tmp_dir = path.parent / "model.tmp"
    out = path.parent / "model"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    extra = {} if model_state is None else {"state_dict": model_state}
    getattr(model, "peft_wrapper", model).save_pretrained(tmp_dir, **extra)
    if tokenizer is not None:
        tokenizer.save_pretrained(tmp_dir)
    (tmp_dir / "step.json").write_text(json.dumps({"step": step}))
    tmp = path.with_suffix(".tmp")
    torch.save({"optimizer": optimizer.state_dict() if optimizer_state is None else optimizer_state,
                "rng": rng_state() if rng is None else rng, "step": step,
                "data_position": data_position, "weights": out.name}, tmp)
    if out.exists():
        shutil.rmtree(out)
    tmp_dir.rename(out)
    tmp.replace(path)


def read_checkpoint(path: Path, device="cpu") -> tuple[dict, Path]:
    """checkpoint.pt (weights_only) and its weights directory, refused if their steps differ."""
    state = torch.load(path, weights_only=True, map_location=device)
    if "weights" not in state:  # the earlier layout kept a copy of the weights in checkpoint.pt
        raise ValueError(f"resume={path} is in the earlier layout (weights inside checkpoint.pt); "
                         "resume it with the commit that wrote it, or start from its model/ "
                         "with policy.path=")
    weights = path.parent / state["weights"]
    step_file = weights / "step.json"
    written = json.loads(step_file.read_text())["step"] if step_file.exists() else None
    if written != state["step"]:
        raise ValueError(f"resume={path}: {weights} holds step {written}, the checkpoint step "
                         f"{state['step']} (a save was interrupted); resume from an earlier copy "
                         "of the run directory")
    return state, weights


def load_checkpoint(path: Path, model, optimizer, rank: int = 0, world: int = 1) -> tuple[int, int]:
    """Restores what save_checkpoint wrote into `model` and `optimizer`; returns (step, data
    position)."""
    state, weights = read_checkpoint(path, next(model.parameters()).device)
    load_weights_into(model, weights)
    optimizer.load_state_dict(state["optimizer"])
    set_rng_state(cpu_rng(rank_rng(state, rank, world)))
    return state["step"], state["data_position"]


def load_weights_into(model, weights: Path) -> None:
    """The safetensors of a model directory (or a peft adapter) into a live model, exactly."""
    adapter = (weights / "adapter_config.json").exists()
    wrapper = getattr(model, "peft_wrapper", None)
    if adapter != (wrapper is not None):
        held = "a LoRA adapter" if adapter else "a full model"
        raise ValueError(f"{weights} holds {held} but the run has "
                         f"policy.lora.r={'0' if wrapper is None else '> 0'}; "
                         "resume with the run's policy.lora settings")
    tensors = read_weights(weights, str(next(model.parameters()).device))
    if adapter:
        from peft import set_peft_model_state_dict

        result = set_peft_model_state_dict(wrapper, tensors)
        missing = [k for k in result.missing_keys if "lora_" in k]
        if result.unexpected_keys or missing:
            raise ValueError(f"{weights}: adapter does not match the model "
                             f"(unexpected {result.unexpected_keys[:3]}, missing {missing[:3]})")
        return
    result = model.load_state_dict(tensors, strict=False)
    loaded = {t.data_ptr() for k, t in model.state_dict().items() if k in tensors}
    untied = [k for k in result.missing_keys if model.state_dict()[k].data_ptr() not in loaded]
    if result.unexpected_keys or untied:
        raise ValueError(f"{weights} does not match the model "
                         f"(unexpected {result.unexpected_keys[:3]}, missing {untied[:3]})")


def read_weights(weights: Path, device: str = "cpu") -> dict:
    """Every tensor of a model directory's safetensors files, by name."""
    from safetensors.torch import load_file

    tensors = {}
    for f in sorted(weights.glob("*.safetensors")):
        tensors.update(load_file(f, device=device))
    return tensors
