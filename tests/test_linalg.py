import numpy as np
import pytest
import scalinglaws as sl
from scalinglaws import _core


def test_backend_is_lapack_from_scipy():
    assert sl.linalg_backend() == "lapack"


@pytest.mark.parametrize("n", [1, 5, 200])
def test_symmetric_eigh_matches_numpy(n):
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n))
    a = a + a.T
    w, u = _core.linalg.symmetric_eigh(a)
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(u @ np.diag(w) @ u.T, a, atol=1e-10)
    np.testing.assert_allclose(u.T @ u, np.eye(n), atol=1e-12)


def test_eigen_fallback_gives_the_same_simulation():
    p = sl.Problem.bordelon(1.5, 1.25, 300, 30)
    ref = sl.simulate_gd(p, 50, lr=0.5, steps=[1, 10, 100], seed=1)
    _core.linalg._clear_lapack()
    try:
        assert sl.linalg_backend() == "eigen"
        alt = sl.simulate_gd(p, 50, lr=0.5, steps=[1, 10, 100], seed=1)
    finally:
        sl._backend._install_lapack()
    assert sl.linalg_backend() == "lapack"
    np.testing.assert_allclose(alt.test_loss, ref.test_loss, rtol=1e-10)
    np.testing.assert_allclose(alt.train_loss, ref.train_loss, rtol=1e-10)
