"""Regenerate docs/_static/readme-figure.png, the figure of README.md (a few seconds).

    python docs/scripts/make_readme_figure.py

The code is that of the tutorial docs/tutorials/dmft-vs-simulation.md, panels 1 and 2: a DMFT
loss curve against the finite-width simulator, and the model-size bottleneck.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import scalinglaws as sl  # noqa: E402
from scalinglaws import dmft  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "_static" / "readme-figure.png"


def main() -> None:
    p = sl.Problem.bordelon(a=1.5, b=1.25, M=2048, N=256)
    times = np.logspace(0, 3, 25)
    theory = dmft.loss_curve(p, P=512, times=times, lr=0.5)
    simulation = sl.simulate_gd(p, P=512, lr=0.5, times=times, seeds=8)

    q = sl.Problem.bordelon(a=1.5, b=1.25, M=4096)
    t = np.logspace(0, 5, 40)
    sizes = [32, 64, 128, 256, 512]
    exps = dmft.exponents(1.5, 1.25)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    ax = axes[0]
    theory.plot(ax, label="DMFT theory", color="k")
    simulation.plot(ax, label=f"simulation ({simulation.n_runs} seeds)", color="C3")
    ax.plot(times, theory.train_loss, "k:", label="DMFT train loss")
    ax.set_title("a = 1.5, b = 1.25, N = 256, P = 512, lr = 0.5")
    ax.set_ylabel("test loss")
    ax.legend(fontsize=8)

    ax = axes[1]
    for c, N in zip(plt.cm.viridis(np.linspace(0, 0.9, len(sizes))), sizes):
        ax.loglog(
            t, dmft.loss_curve(q, math.inf, t, flow=True, N=N).test_loss, color=c, label=f"N = {N}"
        )
    # N = P = inf: an exact sum over modes, cheap, so take M large enough not to cut it off
    free = sl.Problem.bordelon(a=1.5, b=1.25, M=2**20).infinite_limit_loss(t)
    ax.loglog(t, free, "k--", lw=1, label="N = P = inf")
    ax.loglog(
        t, 0.5 * free[0] * t ** -exps["time"], color="gray", lw=0.8, label=f"t^-{exps['time']:.2f}"
    )
    ax.set_title("model-size bottleneck (P = inf, gradient flow)")
    ax.set_xlabel("t")
    ax.legend(fontsize=7)
    fig.savefig(OUT, dpi=80)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
