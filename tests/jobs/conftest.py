"""Jobs tests use the `worker` fixture of tests/conftest.py."""
