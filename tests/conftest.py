import os

# Keep BLAS threads bounded in tests: results never depend on it (seeded streams), timing does.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
