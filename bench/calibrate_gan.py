"""Calibrate the GAN ring test: its metric for the solution and for mutants, on many seeds.

    python3 bench/calibrate_gan.py [--seeds 12] [--out docs/calibration-gan.md]

Runs `train_and_measure` from grader/exercises/gan/test_ring.py in-process (through
bench/local_submission.py) for the reference solution and for the mutants in
tests/mutants/gan.yaml that change training, and writes the table and the margins to the
thresholds MIN_MODES / MIN_QUALITY.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import yaml
from local_submission import ROOT, LocalSubmission, notebook_namespace

sys.path.insert(0, str(ROOT / "grader" / "exercises" / "gan"))
from test_ring import MIN_MODES, MIN_QUALITY, train_and_measure  # noqa: E402

# Training mistakes; the loss mistakes have unit tests (some, like the saturating loss, still
# train on this problem: that is why they need them).
VARIANTS = ["solution", "G-k", "no-zero-grad", "saturating-generator-loss", "G-o"]


def measure(variant: str, seed: int) -> tuple[int, float, float, float]:
    mutants = {m["id"]: m for m in yaml.safe_load((ROOT / "tests/mutants/gan.yaml").read_text())}
    replace = None if variant == "solution" else mutants[variant]["replace"]
    namespace = notebook_namespace(ROOT / "solutions" / "gan.ipynb", replace)
    torch.manual_seed(seed)
    started = time.perf_counter()
    covered, quality, spread = train_and_measure(
        LocalSubmission(namespace), torch.Generator().manual_seed(seed)
    )
    return covered, quality, spread, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "calibration-gan.md")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows, passes = [], {v: 0 for v in VARIANTS}
    for seed in range(args.seeds):
        for variant in VARIANTS:
            covered, quality, spread, seconds = measure(variant, seed)
            ok = covered >= MIN_MODES and quality >= MIN_QUALITY and spread > 0.1
            passes[variant] += ok
            rows.append((seed, variant, covered, quality, spread, seconds, ok))
            print(rows[-1], flush=True)
    solution = [r for r in rows if r[1] == "solution"]
    lines = [
        "# GAN exercise: calibration of the ring-of-Gaussians test",
        "",
        f"`python3 bench/calibrate_gan.py --seeds {args.seeds}`: {len(rows)} training runs of "
        "1500 steps, in-process, one thread. Thresholds in the test: "
        f"modes >= {MIN_MODES} of 8, quality (share of samples within 4 std of a mode) >= "
        f"{MIN_QUALITY:.0%}, spread > 0.1.",
        "",
        "| variant | runs passing | modes (min..max) | quality (min..max) | s per run (median) |",
        "|---|---|---|---|---|",
    ]
    for variant in VARIANTS:
        mine = [r for r in rows if r[1] == variant]
        seconds = sorted(r[5] for r in mine)[len(mine) // 2]
        lines.append(
            f"| {variant} | {passes[variant]}/{len(mine)} | {min(r[2] for r in mine)}..{max(r[2] for r in mine)} "
            f"| {min(r[3] for r in mine):.2f}..{max(r[3] for r in mine):.2f} | {seconds:.1f} |"
        )
    broken = [r for r in rows if r[1] in ("G-k", "no-zero-grad")]
    lines += [
        "",
        f"Broken training (G-k, no-zero-grad) reaches at most {max(r[2] for r in broken)} modes "
        f"and {max(r[3] for r in broken):.0%} quality. The thresholds sit well below the "
        "reference solution so that other correct architectures pass too, and far above broken "
        "training. The saturating loss and G-o often still train on this problem: their unit "
        "tests (test_generator_loss_is_non_saturating, test_train_step_updates_d_then_g_exactly) "
        "catch them, as classic-mistakes.md predicts.",
        "",
        f"Margins of the solution: modes {min(r[2] for r in solution) - MIN_MODES} above the "
        f"threshold at worst, quality {min(r[3] for r in solution) - MIN_QUALITY:+.2f} at worst.",
        "",
        "| seed | variant | modes | quality | spread | passes |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {s} | {v} | {c} | {q:.3f} | {sp:.3f} | {ok} |" for s, v, c, q, sp, _, ok in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
