import math

import numpy as np
import pytest
import scalinglaws as sl


def test_bordelon_power_laws():
    p = sl.Problem.bordelon(1.5, 1.25, 1000, 64)
    k = np.arange(1, 1001)
    np.testing.assert_allclose(p.lam, k**-1.25, rtol=1e-14)
    np.testing.assert_allclose(p.lam * p.wstar**2, k**-1.5, rtol=1e-13)
    assert p.N == 64 and p.M == 1000 and p.family == "bordelon"
    assert math.isclose(p.initial_loss, float(np.sum(k**-1.5)), rel_tol=1e-13)


def test_bordelon_normalize_gives_unit_initial_loss():
    p = sl.Problem.bordelon(2.0, 1.5, 500, normalize=True)
    assert math.isclose(p.initial_loss, 1.0, rel_tol=1e-13)


def test_paquette_conventions_and_equivalence_with_bordelon():
    alpha, beta = 0.8, 0.6
    pq = sl.Problem.paquette(alpha, beta, 300, 40)
    j = np.arange(1, 301)
    np.testing.assert_allclose(pq.lam, j ** (-2 * alpha), rtol=1e-14)
    np.testing.assert_allclose(pq.wstar, j ** (-beta), rtol=1e-14)
    # ||D^1/2 b||^2 = sum j^(-2 alpha - 2 beta)
    assert math.isclose(pq.initial_loss, float(np.sum(j ** (-2 * alpha - 2 * beta))), rel_tol=1e-13)
    # Same internal object as Bordelon et al. with b = 2 alpha, a = 2 alpha + 2 beta.
    bd = sl.Problem.bordelon(2 * alpha + 2 * beta, 2 * alpha, 300, 40)
    np.testing.assert_allclose(bd.lam, pq.lam, rtol=1e-14)
    np.testing.assert_allclose(bd.wstar, pq.wstar, rtol=1e-13)
    r1 = sl.simulate_gd(pq, 50, lr=0.5, steps=[0, 3, 30], seed=4)
    r2 = sl.simulate_gd(bd, 50, lr=0.5, steps=[0, 3, 30], seed=4)
    np.testing.assert_allclose(r1.test_loss, r2.test_loss, rtol=1e-12)


def test_from_spectrum_and_replace():
    lam = np.array([1.0, 0.5, 0.25])
    p = sl.Problem.from_spectrum(lam, [1.0, -2.0, 0.0], N=2, sigma=0.1)
    assert p.initial_loss == pytest.approx(1.0 + 2.0)
    q = p.replace(N=3)
    assert q.N == 3 and p.N == 2
    with pytest.raises(ValueError):
        p.lam[0] = 3.0  # read-only arrays
    lam[0] = 2.0  # ... copies of the caller's: its arrays stay writeable and do not alias
    assert p.lam[0] == 1.0
    assert q.lam is p.lam  # a copy of a problem shares the (read-only) arrays


def test_family_parameters_by_keyword_and_errors():
    assert sl.Problem.from_params(a=1.5, b=1.25, M=100, N=10).power_law == sl.problem.PowerLaw(
        0.625, 0.125, 100.0, 1.0
    )
    assert sl.Problem.from_params(alpha=1.0, beta=0.7, v=math.inf, d=10).infinite
    for kwargs, match in [
        (dict(a=1.5, alpha=1.0), "mix of parameter families: a .* with alpha"),
        (dict(sigma=0.1), "give a problem"),
        (dict(alpha=1.0, beta=0.7, v=100), "missing d for the Paquette"),
        (dict(a=1.5, b=1.25, M=100, N=4, normalize=True, need_size=False), None),
        (dict(alpha=1.0, beta=0.7, v=100, d=4, normalize=True), "normalize applies"),
        (dict(a=1.5, b=0.9, M=math.inf, N=4), "M = inf needs a > 1 and b > 1"),
        (dict(alpha=0.4, beta=0.7, v=math.inf, d=4), "v = inf needs 2 alpha > 1"),
        (dict(alpha=1.0, beta=0.7, v="many", d=4), "v must be an integer or 'inf'"),
    ]:
        if match is None:
            sl.Problem.from_params(**kwargs)
            continue
        with pytest.raises(sl.errors.ParameterError, match=match):
            sl.Problem.from_params(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(lam=[1.0, -1.0], wstar=[1.0, 1.0]), "lam must be strictly positive"),
        (dict(lam=[1.0, np.nan], wstar=[1.0, 1.0]), "lam must contain only finite"),
        (dict(lam=[1.0, 1.0], wstar=[1.0]), "same length"),
        (dict(lam=[1.0], wstar=[np.inf]), "wstar must contain only finite"),
        (dict(lam=[1.0], wstar=[1.0], N=0), "N must be >= 1"),
        (dict(lam=[1.0], wstar=[1.0], sigma=-1.0), "sigma must be >= 0"),
    ],
)
def test_from_spectrum_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sl.Problem.from_spectrum(**kwargs)


def test_constructor_validation():
    with pytest.raises(ValueError, match="b must be > 0"):
        sl.Problem.bordelon(1.5, 0.0, 10)
    with pytest.raises(ValueError, match="M must be >= 1"):
        sl.Problem.bordelon(1.5, 1.0, 0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        sl.Problem.paquette(-0.1, 0.5, 10)
    with pytest.raises(TypeError, match="v must be an integer"):
        sl.Problem.paquette(1.0, 0.5, "ten")


def test_infinite_limit_loss_is_eq125():
    p = sl.Problem.bordelon(1.5, 1.25, 2000)
    t = np.array([0.0, 1.0, 10.0])
    direct = [np.sum(p.lam * p.wstar**2 * np.exp(-2 * p.lam * s)) for s in t]
    np.testing.assert_allclose(p.infinite_limit_loss(t), direct, rtol=1e-12)
