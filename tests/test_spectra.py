

def test_extended_arrays_follow_the_fits():
    """extended_arrays(M): measured modes up to kc, then lambda ~ k^-b and tail ~ k^-(a-1)
    exactly (1e-10), continuous at kc; total power = measured C(kc) + extension (1e-12)."""
    K, y = _synthetic_gram(2.0, 1.5, 400, 800, seed=11)
    s = sp.analyze_spectrum(K, y, b_range=(3, 30), a_range=(3, 20), n_boot=0)
    lam, pw = s.extended_arrays(5000)
    kc = 30
    assert lam.size == pw.size == 5000
    np.testing.assert_array_equal(lam[:kc], s.eigenvalues[:kc])
    k = np.arange(kc + 1, 5001.0)
    np.testing.assert_allclose(lam[kc:], s.eigenvalues[kc - 1] * (k / kc) ** -s.b, rtol=1e-10)
    T = s.tail[kc - 1] * (np.array([kc, 5000.0]) / kc) ** -(s.a - 1)
    assert np.sum(pw) / s.mean_square == pytest.approx(1.0 - T[1], rel=1e-12)
    curve = s.predicted_data_curve([20, 200, 2000], extend_to=5000)
    assert np.all(np.diff(curve) < 0)
    with pytest.raises(ValueError, match="M must be >= 31"):
        s.extended_arrays(10)
