"""The benchmarks: run them from the checkout's top with ``python -m benchmarks.run``."""
